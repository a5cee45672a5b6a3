#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import NIOCore
import Testing

@testable import HTTPX

/// Bodies through `CacheTransport`: a body that may be stored streams to the caller as it
/// arrives while a copy is kept aside, and is stored only when it ends within the limit.
@Suite("HTTP cache: streamed bodies", .timeLimit(.minutes(1)))
struct CacheBodyStreamingTests {
    static let url = "https://example.org/items"

    @Test func aStreamedBodyReachesTheCallerAsItArrivesAndIsStoredAtItsEnd() async throws {
        let clock = ManualClock()
        // The origin sends one chunk, then nothing until the test has seen that chunk.
        let (chunks, feed) = AsyncStream<ByteBuffer>.makeStream()
        feed.yield(ByteBuffer(string: "first "))
        let origin = ScriptedOrigin { _, index in
            guard index == 0 else { return Response(200, headers: ["Cache-Control": "max-age=60"], text: "again") }
            return Response(200, headers: ["Cache-Control": "max-age=60"], body: ResponseBody(stream: chunks))
        }
        let client = cachingClient(origin, clock: clock)
        let received = try await CacheTestSupport.within(.seconds(10)) {
            try await client.stream(.get, Self.url) { response -> String in
                var iterator = response.rawBytes().makeAsyncIterator()
                guard let first = try await iterator.next() else { return "" }
                // Only now does the rest come: a cache that held the body back never gets here.
                feed.yield(ByteBuffer(string: "second"))
                feed.finish()
                var text = String(buffer: first)
                while let next = try await iterator.next() { text += String(buffer: next) }
                return text
            }
        }
        feed.finish()
        let text = try #require(received, "the first chunk did not reach the caller before the body ended")
        #expect(text == "first second")
        let hit = try await client.get(Self.url)
        #expect(hit.cacheStatus == .hit)
        #expect(try hit.text == "first second")
        #expect(hit.headers["Content-Length"] == "12")
        #expect(origin.hits == 1)
    }

    @Test func aBodyClosedBeforeItsEndIsNotStored() async throws {
        let clock = ManualClock()
        let closed = Counter()
        let origin = ScriptedOrigin { _, index in
            Response(
                200, headers: ["Cache-Control": "max-age=60"],
                body: ResponseBody(stream: Chunks(["a\(index)", "b", "c"]), onClose: { closed.increment() }))
        }
        let client = cachingClient(origin, clock: clock)
        let first = try await client.stream(.get, Self.url) { response -> String in
            var iterator = response.rawBytes().makeAsyncIterator()
            return try await iterator.next().map { String(buffer: $0) } ?? ""
        }
        #expect(first == "a0")
        #expect(closed.value == 1)
        let again = try await client.get(Self.url)
        #expect(again.cacheStatus == .miss)
        #expect(try again.text == "a1bc")
        #expect(try await client.get(Self.url).cacheStatus == .hit)
        #expect(origin.hits == 2)
    }

    @Test func anEventStreamIsNeverStored() async throws {
        let clock = ManualClock()
        let origin = ScriptedOrigin { _, index in
            let headers: Headers = ["Content-Type": "text/event-stream; charset=utf-8", "Cache-Control": "max-age=60"]
            if index == 0 { return Response(200, headers: headers, text: "data: 0\n\n") }
            return Response(200, headers: headers, body: ResponseBody(stream: Chunks(["data: \(index)\n\n"])))
        }
        let store = MemoryCacheStore()
        let client = cachingClient(origin, clock: clock, store: store)
        #expect(try await client.get(Self.url).text == "data: 0\n\n")
        let streamed = try await client.get(Self.url)
        #expect(streamed.cacheStatus == .miss)
        #expect(try streamed.text == "data: 1\n\n")
        #expect(try await client.get(Self.url).cacheStatus == .miss)
        #expect(origin.hits == 3)
        #expect(store.count == 0)
    }

    @Test func aStreamedBodyOverTheLimitReplacesTheStaleEntryWithNothing() async throws {
        let clock = ManualClock()
        let origin = ScriptedOrigin { _, index in
            if index == 0 {
                return Response(200, headers: ["Cache-Control": "max-age=10", "ETag": #""small""#], text: "small")
            }
            return Response(
                200, headers: ["Cache-Control": "max-age=10", "ETag": #""large""#],
                body: ResponseBody(stream: Chunks([String(repeating: "x", count: 60), String(repeating: "y", count: 60)])))
        }
        let store = MemoryCacheStore()
        let client = cachingClient(origin, clock: clock, maxEntrySize: 100, store: store)
        _ = try await client.get(Self.url)
        #expect(store.count == 1)
        clock.advance(20)
        let large = try await client.get(Self.url)
        #expect(large.cacheStatus == .miss)
        #expect(try large.content.count == 120)
        // The stale entry described an old representation: it is gone, not kept for validation.
        #expect(store.count == 0)
        #expect(origin.requests.last?.headers["If-None-Match"] == #""small""#)
    }

    @Test func aStreamedBodyWithinTheLimitIsStored() async throws {
        let clock = ManualClock()
        let parts = (0..<4).map { Array(repeating: UInt8(ascii: "a") + UInt8($0), count: 25) }
        let origin = ScriptedOrigin { _, _ in
            Response(200, headers: ["Cache-Control": "max-age=60"], body: ResponseBody(stream: Chunks(parts)))
        }
        let client = cachingClient(origin, clock: clock, maxEntrySize: 100)
        let first = try await client.get(Self.url)
        #expect(try first.content == parts.flatMap { $0 })
        let hit = try await client.get(Self.url)
        #expect(hit.cacheStatus == .hit)
        #expect(try hit.content == parts.flatMap { $0 })
        #expect(hit.headers["Content-Length"] == "100")
    }

    @Test func aBodyOverTheLimitIsDeliveredWholeButNotStored() async throws {
        let clock = ManualClock()
        let parts = (0..<10).map { Array(repeating: UInt8(ascii: "a") + UInt8($0), count: 50) }
        let closed = Counter()
        let origin = ScriptedOrigin { _, _ in
            Response(
                200, headers: ["Cache-Control": "max-age=60"],
                body: ResponseBody(stream: Chunks(parts), onClose: { closed.increment() }))
        }
        let client = cachingClient(origin, clock: clock, maxEntrySize: 120)
        let first = try await client.get(Self.url)
        #expect(try first.content == parts.flatMap { $0 })
        // Streamed too: every byte, in order.
        let streamed = try await client.stream(.get, Self.url) { response -> [UInt8] in
            var bytes: [UInt8] = []
            for try await chunk in response.rawBytes() { bytes.append(contentsOf: chunk.readableBytesView) }
            return bytes
        }
        #expect(streamed == parts.flatMap { $0 })
        #expect(origin.hits == 2)
        #expect(closed.value == 2)
        // An announced length over the limit is not even buffered.
        let announced = ScriptedOrigin { _, _ in
            Response(200, headers: ["Cache-Control": "max-age=60", "Content-Length": "500"], body: ResponseBody(stream: Chunks(parts)))
        }
        let other = cachingClient(announced, clock: clock, maxEntrySize: 120)
        #expect(try await other.get(Self.url).content.count == 500)
        #expect(try await other.get(Self.url).cacheStatus == .miss)
    }

    @Test func aBodyThatFailsMidwayFailsTheReaderAndIsNotStored() async throws {
        let clock = ManualClock()
        let origin = ScriptedOrigin { _, _ in
            Response(200, headers: ["Cache-Control": "max-age=60"], body: ResponseBody(stream: ResetAfterFirstChunk()))
        }
        let client = cachingClient(origin, clock: clock)
        await expectHTTPXError(.readError) { _ = try await client.get(Self.url) }
        let received = try await client.stream(.get, Self.url) { response -> [UInt8] in
            var bytes: [UInt8] = []
            do {
                for try await chunk in response.rawBytes() { bytes.append(contentsOf: chunk.readableBytesView) }
            } catch let error as HTTPXError {
                #expect(error.kind == .readError)
            }
            return bytes
        }
        #expect(received == Array("first".utf8))
        #expect(origin.hits == 2)
    }
}

/// A body that yields one chunk, then fails as a dropped connection does.
struct ResetAfterFirstChunk: AsyncSequence, Sendable {
    typealias Element = ByteBuffer

    struct AsyncIterator: AsyncIteratorProtocol {
        var sent = false
        mutating func next() async throws -> ByteBuffer? {
            if sent { throw HTTPXError(.readError, "the connection was reset") }
            sent = true
            return ByteBuffer(string: "first")
        }
    }

    func makeAsyncIterator() -> AsyncIterator { AsyncIterator() }
}
