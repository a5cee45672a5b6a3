import NIOCore
import Testing

@testable import HTTPX

/// The blocking client's `stream` and `withClient`, and the `BlockingStream` it passes.
@Suite("Blocking client streams", .timeLimit(.minutes(1)))
struct BlockingClientStreamTests {
    typealias Options = BlockingClientTests.Options

    /// Runs `body` with a client of base URL `http://h` over ``BlockingClientTests/server(_:closed:)``
    /// on a plain thread; returns its result, the requests sent and the 200 bodies closed.
    static func withServer<T: Sendable>(_ body: @escaping @Sendable (Client, _ closed: Recorder) throws -> T) async throws
        -> (result: T, sent: [Request], closed: [Request])
    {
        let recorder = Recorder()
        let closed = Recorder()
        let transport = BlockingClientTests.server(recorder, closed: closed)
        let result = try await onPlainThread { () -> T in
            let client = Client(.init(baseURL: "http://h", transport: transport))
            defer { client.close() }
            return try body(client, closed)
        }
        return (result, recorder.requests, closed.requests)
    }

    // The tests keep each BlockingStream alive after `stream` returns: a response dropped
    // unclosed is closed in the background when freed, which would hide a missing close.

    @Test func streamGivesEveryOptionAndClosesTheResponse() async throws {
        let (result, sent, closed) = try await Self.withServer { client, closed in
            var kept: [BlockingStream] = []
            let content = try client.stream(
                .post, "/redirect", params: Options.params, headers: Options.headers, content: .text("raw"),
                auth: Options.auth, followRedirects: true, timeout: Options.timeout
            ) { stream in
                kept.append(stream)
                return [stream.response.statusCode, stream.response.history.count, stream.response.isRead ? 1 : 0, closed.requests.count]
            }
            let closedAfterFirst = closed.requests.count
            let json = try client.stream(.put, "/redirect", json: ["j": 1] as JSONValue, auth: Options.auth, followRedirects: true) {
                kept.append($0)
                return $0.response.statusCode
            }
            return withExtendedLifetime(kept) { content + [closedAfterFirst, json, closed.requests.count] }
        }
        // Status, one redirect, unread and open inside; closed on return, for each call.
        #expect(result == [200, 1, 0, 0, 1, 200, 2])
        try #require(sent.count == 4)
        #expect(sent[0].url.description == "http://h/redirect?q=1")
        #expect(sent[0].headers["X-Test"] == "1")
        #expect(sent[0].extensions.timeout == Options.timeout)
        #expect(sent.map(\.method) == [.post, .post, .put, .put])
        #expect(sent.map(\.contentText) == ["raw", "raw", #"{"j":1}"#, #"{"j":1}"#])
        #expect(closed.map(\.url.path) == ["/landing", "/landing"])
    }

    @Test func streamClosesTheResponseWhenTheBodyThrows() async throws {
        struct Stop: Error {}
        let (result, _, _) = try await Self.withServer { client, closed in
            var kept: BlockingStream?
            do {
                try client.stream(.get, "/x", auth: Options.auth) { stream in
                    kept = stream
                    throw Stop()
                }
                return "no error"
            } catch is Stop {
                return withExtendedLifetime(kept) { "stopped, closed: \(closed.requests.count)" }
            }
        }
        #expect(result == "stopped, closed: 1")
    }

    @Test func nextChunkIteratesTheBody() async throws {
        let (chunks, _, closed) = try await Self.withServer { client, closed in
            try client.stream(.get, "/x", auth: Options.auth) { stream -> [String] in
                var chunks: [String] = []
                while let chunk = try stream.nextChunk() { chunks.append(String(buffer: chunk)) }
                let again = try stream.nextChunk()
                return chunks + [again == nil ? "end" : "more", "closed: \(closed.requests.count)"]
            }
        }
        #expect(chunks == ["GET", " ", "/x", "end", "closed: 1"], "reading to the end closes the body")
        #expect(closed.count == 1)
    }

    @Test func nextChunkDecodesTheContentEncoding() async throws {
        let text = String(repeating: "compressed ", count: 100)
        let compressed = compress(Array(text.utf8), windowBits: 31)
        let transport = MockTransport { _ in
            Response(200, headers: ["Content-Encoding": "gzip"], body: ResponseBody(stream: Chunks([compressed])))
        }
        let (streamed, read) = try await onPlainThread { () -> (String, String) in
            try Client.withClient(.init(transport: transport)) { client in
                let streamed = try client.stream(.get, "http://h/") { stream in
                    var bytes: [UInt8] = []
                    while let chunk = try stream.nextChunk() { bytes += chunk.readableBytesView }
                    return String(decoding: bytes, as: UTF8.self)
                }
                let read = try client.stream(.get, "http://h/") { try $0.read().text }
                return (streamed, read)
            }
        }
        #expect(streamed == text)
        #expect(read == text)
    }

    @Test func readReturnsTheResponseWithItsBody() async throws {
        let (result, _, closed) = try await Self.withServer { client, _ in
            try client.stream(.get, "/x", auth: Options.auth) { stream -> [String] in
                let read = try stream.read()
                return [read.isRead ? "read" : "unread", try read.text, String(read.statusCode), stream.response.isRead ? "read" : "unread"]
            }
        }
        #expect(result == ["read", "GET /x", "200", "unread"])
        #expect(closed.count == 1)
    }

    @Test func closeEndsTheBodyUnread() async throws {
        let (result, _, closed) = try await Self.withServer { client, closed in
            try client.stream(.get, "/x", auth: Options.auth) { stream -> [String] in
                stream.close()
                let closedCount = closed.requests.count
                stream.close()
                let error = thrownHTTPXError { _ = try stream.nextChunk() }
                return ["closed: \(closedCount)", "closed: \(closed.requests.count)", error?.kind.name ?? "no error"]
            }
        }
        #expect(result == ["closed: 1", "closed: 1", "StreamClosed"])
        #expect(closed.count == 1, "closed once, though close() ran three times")
    }

    @Test func withClientClosesTheClient() async throws {
        let transport = CountingTransport()
        let (value, closedAfter, closesAfter) = try await onPlainThread { () -> (Int, Bool, Int) in
            var used: Client?
            let value = try Client.withClient(.init(baseURL: "http://h", transport: transport)) { client in
                used = client
                return try client.get("/").statusCode
            }
            return (value, used?.isClosed ?? false, transport.closes.count)
        }
        #expect(value == 200)
        #expect(closedAfter && closesAfter == 1)

        struct Stop: Error {}
        let throwing = CountingTransport()
        let closedAfterThrow = try await onPlainThread { () -> Int in
            _ = try? Client.withClient(.init(transport: throwing)) { _ in throw Stop() }
            return throwing.closes.count
        }
        #expect(closedAfterThrow == 1, "closed when the body throws too")
    }
}
