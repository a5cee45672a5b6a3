import Foundation
import NIOCore
import Synchronization
import Testing

@testable import HTTPX

/// A request body must match its framing, or a server would read the rest as a second request
/// (request smuggling), whose response a later request on the same connection would receive.
@Suite("Request framing", .timeLimit(.minutes(1)))
struct RequestFramingTests {
    // MARK: - Deciding the framing, without sockets

    func decide(_ headers: Headers, _ body: RequestBody, method: HTTPMethod = .post) throws
        -> (RequestFraming, Headers)
    {
        var request = Request(method, try HTTPURL("http://example.org/"), headers: headers, body: body)
        request.headers = headers
        var sent = headers
        let framing = try RequestFraming.decide(for: request, headers: &sent)
        return (framing, sent)
    }

    @Test func theBodyDecidesWhenTheCallerSaysNothing() throws {
        #expect(try decide([:], .bytes([1, 2, 3])).0 == .length(3))
        #expect(try decide([:], .bytes([1, 2, 3])).1["Content-Length"] == "3")
        #expect(try decide([:], .empty, method: .get).0 == .length(0))
        #expect(try decide([:], .empty, method: .get).1["Content-Length"] == nil)
        let streamed = try decide([:], .stream(Chunks(["a"])))
        #expect(streamed.0 == .chunked)
        #expect(streamed.1["Transfer-Encoding"] == "chunked")
    }

    @Test func aCallersChunkedInAnyCaseIsSentAsChunked() throws {
        let (framing, headers) = try decide(["Transfer-Encoding": " Chunked "], .bytes(Array("hello".utf8)))
        #expect(framing == .chunked)
        #expect(headers.values(for: "Transfer-Encoding") == ["chunked"])
    }

    @Test(arguments: ["gzip", "gzip, chunked", "chunked, chunked", "identity"])
    func otherTransferCodingsAreRefused(_ coding: String) {
        #expect(throws: HTTPXError.self) { try decide(["Transfer-Encoding": coding], .bytes([1])) }
    }

    @Test func contentLengthAndTransferEncodingTogetherAreRefused() {
        #expect(throws: HTTPXError.self) {
            try decide(Headers([("Content-Length", "1"), ("Transfer-Encoding", "chunked")]), .bytes([1]))
        }
    }

    @Test(arguments: ["", "-1", "+5", " 5", "5 ", "0x5", "5, 5", "99999999999999999999"])
    func invalidContentLengthsAreRefused(_ value: String) {
        #expect(throws: HTTPXError.self) { try decide(["Content-Length": value], .stream(Chunks(["hello"]))) }
    }

    @Test func aContentLengthThatDisagreesWithTheBodyIsRefused() throws {
        let error = #expect(throws: HTTPXError.self) {
            try decide(["Content-Length": "5"], .bytes(Array(repeating: 0x41, count: 63)))
        }
        #expect(error?.is(.localProtocol) == true)
        #expect(error?.message.contains("Content-Length is 5 but its body has 63 bytes") == true)
        #expect(try decide(["Content-Length": "5"], .stream(Chunks(["hello"]))).0 == .length(5))
    }

    @Test func theCounterFindsTooManyAndTooFewBytes() {
        var counter = BodyByteCounter(.length(5))
        #expect(counter.add(3) == nil)
        #expect(counter.finish() != nil)
        #expect(counter.add(2) == nil)
        #expect(counter.finish() == nil)
        #expect(counter.add(1) != nil)
        var chunked = BodyByteCounter(.chunked)
        #expect(chunked.add(1 << 40) == nil)
        #expect(chunked.finish() == nil)
    }

    // MARK: - On the wire

    /// A keep-alive server that answers each request it parses with its method and target, so
    /// a smuggled request shows up as an extra answer.
    static func echoingServer(_ seen: SeenRequests = SeenRequests()) async throws -> ScriptedServer {
        try await ScriptedServer.start { connection in
            try await connection.serve { request in
                seen.append("\(request.method) \(request.target) \(request.body.count)")
                try await connection.respond(body: "\(request.method) \(request.target)")
            }
        }
    }

    static let smuggled = Array("GET /smuggled HTTP/1.1\r\nHost: example.org\r\nX-Pad: aaaaaaaaaaaa\r\n\r\n".utf8)

    @Test func aCallersContentLengthShorterThanTheBodyIsNeverSent() async throws {
        let seen = SeenRequests()
        let server = try await Self.echoingServer(seen)
        defer { Task { await server.stop() } }
        let client = AsyncClient(.init(baseURL: server.baseURL, timeout: Timeout(5)))
        let error = await expectHTTPXError(.localProtocol) {
            _ = try await client.post("/upload", content: .bytes(Array("hello".utf8) + Self.smuggled), headers: ["Content-Length": "5"])
        }
        #expect(error?.request?.url.path == "/upload")
        #expect(try await client.get("/next").text == "GET /next")
        #expect(seen.all == ["GET /next 0"])
    }

    @Test func aStreamLongerThanItsLengthFailsAndClosesTheConnection() async throws {
        let seen = SeenRequests()
        let server = try await Self.echoingServer(seen)
        defer { Task { await server.stop() } }
        let client = AsyncClient(.init(baseURL: server.baseURL, timeout: Timeout(5)))
        #expect(try await client.get("/first").text == "GET /first")
        let body = RequestBody.stream(Chunks([Array("hello".utf8), Self.smuggled]), length: 5)
        let error = await expectHTTPXError(.localProtocol) { _ = try await client.post("/upload", content: body) }
        #expect(error?.message.contains("longer than its Content-Length of 5 bytes") == true, "\(String(describing: error))")
        #expect(try await client.get("/next").text == "GET /next")
        try await Task.sleep(for: .milliseconds(100))
        // The smuggled request never reached the server, and the broken connection was not reused.
        #expect(!seen.all.contains { $0.hasPrefix("GET /smuggled") })
        #expect(server.connections == 2)
    }

    @Test func aStreamShorterThanItsLengthFailsAtOnce() async throws {
        let server = try await Self.echoingServer()
        defer { Task { await server.stop() } }
        let client = AsyncClient(.init(baseURL: server.baseURL, timeout: Timeout(60)))
        let start = ContinuousClock.now
        let error = await expectHTTPXError(.localProtocol) {
            _ = try await client.post("/upload", content: .stream(Chunks(["abc"]), length: 10))
        }
        #expect(error?.message.contains("ended after 3 of the 10 bytes") == true)
        #expect(ContinuousClock.now - start < .seconds(20), "not the 60 s timeout")
        #expect(try await client.get("/next").text == "GET /next")
    }

    @Test func aFileThatGrewAfterItWasMeasuredIsCutOff() async throws {
        let server = try await Self.echoingServer()
        defer { Task { await server.stop() } }
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("httpx-grow-\(UUID().uuidString)").path
        try Data("hello".utf8).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let body = try RequestBody.file(path)
        let handle = try #require(FileHandle(forWritingAtPath: path))
        handle.seekToEndOfFile()
        handle.write(Data(Self.smuggled))
        try handle.close()
        let client = AsyncClient(.init(baseURL: server.baseURL, timeout: Timeout(5)))
        await expectHTTPXError(.localProtocol) { _ = try await client.post("/upload", content: body) }
        #expect(try await client.get("/next").text == "GET /next")
    }

    @Test func aCallersChunkedHeaderGetsChunkFraming() async throws {
        let seen = SeenRequests()
        let server = try await Self.echoingServer(seen)
        defer { Task { await server.stop() } }
        let client = AsyncClient(.init(baseURL: server.baseURL, timeout: Timeout(5)))
        let body = Array("hello".utf8) + Self.smuggled
        let r = try await client.post("/upload", content: .bytes(body), headers: ["Transfer-Encoding": "Chunked"])
        #expect(try r.text == "POST /upload")
        #expect(try await client.get("/next").text == "GET /next")
        #expect(seen.all == ["POST /upload \(body.count)", "GET /next 0"])
    }

    @Test func framingIsCountedOnHTTP2StreamsToo() async throws {
        let server = try await HTTP2TestServer.start(maxConcurrentStreams: 100)
        defer { Task { await server.stop() } }
        let client = AsyncClient(.init(timeout: Timeout(5), transport: HTTPTransport(http1: false, http2: true)))
        let body = RequestBody.stream(Chunks([Array("hello".utf8), Self.smuggled]), length: 5)
        await expectHTTPXError(.localProtocol) { _ = try await client.post(server.baseURL + "/upload", content: body) }
        let short = RequestBody.stream(Chunks(["abc"]), length: 10)
        await expectHTTPXError(.localProtocol) { _ = try await client.post(server.baseURL + "/upload", content: short) }
        #expect(try await client.get(server.baseURL + "/next").text == "ok /next")
    }
}

/// What a scripted server saw, in order.
final class SeenRequests: Sendable {
    private let lines = Mutex<[String]>([])
    func append(_ line: String) { lines.withLock { $0.append(line) } }
    var all: [String] { lines.withLock { $0 } }
}
