#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import NIOCore
import Testing

@testable import HTTPX

/// HTTP/2 against nginx (`listen ... ssl http2`), chosen by ALPN.
@Suite("Interop: HTTP/2", Interop.enabled(Interop.tls), .serialized, .timeLimit(.minutes(3)))
struct HTTP2InteropTests {
    func client(http2: Bool = true) -> AsyncClient {
        AsyncClient(.init(timeout: Timeout(30), verify: .caBundle((Interop.certs ?? "") + "/ca.pem"), http2: http2))
    }

    func url(_ path: String) throws -> String {
        try Interop.url(Interop.tls, "TLS nginx") + path
    }

    @Test func alpnPicksHTTP2() async throws {
        let r = try await client().get(try url("/hello"))
        #expect(r.httpVersion == "HTTP/2")
        #expect(try r.text.hasPrefix("hello over HTTP/2.0"))
        // httpx's response extensions: the version, the phrase, and the HTTP/2 stream (odd: the
        // client's).
        #expect(r.extensions[Response.ExtensionKey.httpVersion] as? String == "HTTP/2")
        #expect(r.extensions[Response.ExtensionKey.reasonPhrase] as? String == "OK")
        let streamID = try #require(r.extensions[Response.ExtensionKey.streamID] as? Int)
        #expect(streamID > 0 && streamID % 2 == 1)
        let plain = try await client(http2: false).get(try url("/hello"))
        #expect(plain.httpVersion == "HTTP/1.1")
        #expect(plain.extensions[Response.ExtensionKey.httpVersion] as? String == "HTTP/1.1")
        #expect(plain.extensions[Response.ExtensionKey.streamID] == nil)
    }

    @Test func concurrentRequestsShareOneConnection() async throws {
        let client = client()
        let port = try #require(Int(try url("").split(separator: ":").last ?? ""))
        _ = try await client.get(try url("/1k.bin"))
        let sizes = try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<64 {
                group.addTask { try await client.get(try url("/1k.bin")).content.count }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(sizes == Array(repeating: 1024, count: 64))
        let transport = try #require(client.transport as? HTTPTransport)
        #expect(transport.connectionCount == 1, "64 concurrent requests ran as streams of one connection")
        #if os(Linux)
        #expect(FaultInjectionTests().clientSockets(to: port) >= 1)
        #endif
        await client.close()
    }

    @Test func largeDownloadAndUploadOverHTTP2() async throws {
        let client = client()
        let local = try Data(contentsOf: URL(fileURLWithPath: Interop.wwwRoot + "/64m.bin"))
        let r = try await client.get(try url("/64m.bin"))
        #expect(r.httpVersion == "HTTP/2")
        #expect(try r.contentBuffer.readableBytes == local.count)
        #expect(try Interop.sameBytes(r.contentBuffer, local))
        let upload = try await client.post(try url("/upload"), content: .bytes(Array(repeating: 3, count: 3 << 20)))
        #expect(try upload.text == "received \(3 << 20)\n")
        // A streamed body of unknown length ends with the stream (no chunked coding in HTTP/2).
        let streamed = try await client.post(try url("/echo"), content: .stream(Chunks(["abc", "defg"])))
        #expect(streamed.httpVersion == "HTTP/2")
        #expect(try streamed.text == "abcdefg")
        let sized = try await client.post(try url("/upload"), content: .stream(Chunks(["abc", "defg"]), length: 7))
        #expect(try sized.text == "received 7\n")
    }

    @Test func streamingAndEarlyCloseOfAStream() async throws {
        let client = client()
        // Read a little of a large body, then stop: only that stream ends.
        let firstChunk = try await client.stream(.get, try url("/64m.bin")) { response in
            var iterator = response.bytes().makeAsyncIterator()
            return try await iterator.next()?.readableBytes ?? 0
        }
        #expect(firstChunk > 0)
        #expect(try await client.get(try url("/1k.bin")).content.count == 1024, "the connection still serves")
        let transport = try #require(client.transport as? HTTPTransport)
        #expect(transport.connectionsStarted == 1, "the early close reset one stream, not the connection")
        #expect(transport.connectionCount == 1)
    }

    @Test func goAwayMovesRequestsToANewConnection() async throws {
        // This server sends GOAWAY after every 5 requests on a connection.
        let base = try Interop.url(Interop.tlsGoAway, "GOAWAY nginx")
        let client = client()
        // nginx sometimes cuts the last response short when it closes a connection after its
        // GOAWAY (curl reports "stream was not closed cleanly" there too); such a response
        // fails as incomplete, which is right. Anything else, or a hang, fails the test.
        @Sendable func get() async throws -> Int {
            do {
                let r = try await client.get(base + "/1k.bin")
                #expect(r.httpVersion == "HTTP/2")
                return try r.content.count
            } catch let error as HTTPXError where error.is(.remoteProtocol) && error.message.contains("complete response") {
                return -1
            }
        }
        var sequential: [Int] = []
        for _ in 0..<23 { sequential.append(try await get()) }
        let sizes = try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<40 { group.addTask { try await get() } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        let all = sequential + sizes
        #expect(all.filter { $0 != 1024 && $0 != -1 }.isEmpty, "every response is whole or reported incomplete")
        #expect(all.filter { $0 == -1 }.count <= 1, "no request is lost or left hanging across GOAWAYs: \(all)")
        // 63 requests at 5 per connection: the server's GOAWAYs moved them to 13 or more.
        let transport = try #require(client.transport as? HTTPTransport)
        #expect(transport.connectionsStarted >= 13, "\(transport.connectionsStarted) connections")
        await client.close()
    }

    @Test func priorKnowledgeWithoutTLS() async throws {
        let base = try Interop.url(Interop.h2c, "h2c nginx")
        let client = AsyncClient(.init(transport: HTTPTransport(http1: false, http2: true)))
        let r = try await client.get(base + "/hello")
        #expect(r.httpVersion == "HTTP/2")
        #expect(try r.text == "hello over HTTP/2.0")
        let sizes = try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<20 { group.addTask { try await client.get(base + "/1k.bin").content.count } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(sizes.allSatisfy { $0 == 1024 })
        #expect((client.transport as? HTTPTransport)?.connectionCount == 1)
        // With HTTP/1.1 allowed, plain http:// stays HTTP/1.1 (no upgrade dance).
        let both = AsyncClient(.init(http2: true))
        let plain = try await both.get(try Interop.url(Interop.nginx, "nginx") + "/hello")
        #expect(plain.httpVersion == "HTTP/1.1")
    }

    @Test func readTimeoutFailsOnlyItsStream() async throws {
        // Only the slow request has a short read timeout: the others get room for a loaded machine.
        let client = AsyncClient(.init(timeout: Timeout(30), verify: .caBundle((Interop.certs ?? "") + "/ca.pem"), http2: true))
        #expect(try await client.get(try url("/hello")).httpVersion == "HTTP/2")
        let start = ContinuousClock.now
        async let slow: Void = {
            await expectHTTPXError(.readTimeout) { _ = try await client.get(try url("/slower"), timeout: Timeout(30, read: 0.5)) }
        }()
        // Other streams on the same connection carry on meanwhile.
        for _ in 0..<5 { #expect(try await client.get(try url("/1k.bin")).content.count == 1024) }
        await slow
        #expect(ContinuousClock.now - start < .seconds(15), "before the server's 20 s delay ended")
        #expect(try await client.get(try url("/hello")).statusCode == 200)
        #expect((client.transport as? HTTPTransport)?.connectionCount == 1)
    }

    @Test func anErrorStatusLeavesTheConnectionServing() async throws {
        let client = client()
        let missing = try await client.get(try url("/does-not-exist"))
        #expect(missing.statusCode == 404)
        #expect(try await client.get(try url("/hello")).statusCode == 200)
        #expect((client.transport as? HTTPTransport)?.connectionsStarted == 1)
    }

    @Test func manyStreamsResetByTheServerLeaveTheConnectionServing() async throws {
        // nginx's `return 444` resets the stream (PROTOCOL_ERROR). SwiftNIO's default guard
        // against rapid resets (200 in 30 s) used to end the connection half-way: later
        // requests on it were never answered and hit their read timeout.
        let client = AsyncClient(.init(
            timeout: Timeout(10, read: 2), verify: .caBundle((Interop.certs ?? "") + "/ca.pem"), http2: true))
        let start = ContinuousClock.now
        for index in 0..<400 {
            let error = await expectHTTPXError(.remoteProtocol) { _ = try await client.get(try url("/reset")) }
            if error == nil { break }
            if index % 100 == 99 { #expect(try await client.get(try url("/1k.bin")).content.count == 1024) }
        }
        #expect(ContinuousClock.now - start < .seconds(30), "each reset is reported at once, not after a 2 s timeout each")
        #expect(try await client.get(try url("/1k.bin")).content.count == 1024)
        await client.close()
    }
}
