import Foundation
#if canImport(Glibc)
import Glibc
#endif
import NIOCore
import NIOPosix
import Synchronization
import Testing

@testable import HTTPX

/// The smaller defects of the hardening review, each with the test that found it.
@Suite("Small defects", .timeLimit(.minutes(1)))
struct SmallDefectsTests {
    @Test func aCRLFSplitBetweenChunksIsOneLineEnding() async throws {
        let chunks = ["a\r", "\nb\r\n", "\rc", "\u{2028}d\u{85}e"]
        let client = AsyncClient(.init(transport: MockTransport { _ in
            Response(200, body: ResponseBody(stream: Chunks(chunks)))
        }))
        let lines = try await client.stream(.get, "https://example.org/") { response in
            var lines: [String] = []
            for try await line in response.lines() { lines.append(line) }
            return lines
        }
        #expect(lines == ["a", "b", "", "c\u{2028}d\u{85}e"])
    }

    @Test(arguments: ["\u{0B}", "\u{0C}", "\u{7F}", "\u{01}", "\u{1B}[31m"])
    func controlCharactersInHeaderValuesAreRefused(_ control: String) async {
        let client = AsyncClient(.init(transport: MockTransport { _ in Response(200) }))
        await expectHTTPXError(.localProtocol) {
            _ = try await client.get("https://example.org/", headers: ["X-Test": "a\(control)b"])
        }
        await #expect(throws: Never.self) {
            _ = try await client.get("https://example.org/", headers: ["X-Test": "tab\tand obs-text \u{E9}"])
        }
    }

    @Test func aStreamedResponseDroppedUnreadGivesBackItsConnection() async throws {
        let accepted = Counter()
        let server = try await ScriptedServer.start { connection in
            accepted.increment()
            if accepted.value == 1 {
                _ = try await connection.readRequest()
                try await connection.write("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n0123456789")
                await connection.hang()
            } else {
                try await connection.serve { _ in try await connection.respond(body: "second") }
            }
        }
        defer { Task { await server.stop() } }
        let client = AsyncClient(.init(
            baseURL: server.baseURL, timeout: Timeout(5, pool: 2), limits: Limits(maxConnections: 1)))
        do {
            let response = try await client.send(try client.buildRequest(.get, "/first"), stream: true)
            #expect(response.statusCode == 200)
        }
        // The only connection was held by the dropped response; it must come back.
        #expect(try await client.get("/second").text == "second")
    }

    @Test func redirectsToOtherSchemesAreNotFollowed() async throws {
        let recorder = Recorder()
        let client = mockClient(followRedirects: true, recorder: recorder) { _ in
            Response(302, headers: ["Location": "ftp://files.example.org/secret"])
        }
        let error = await expectHTTPXError(.unsupportedProtocol) { _ = try await client.get("http://h/") }
        #expect(error?.message.contains("'ftp' scheme") == true)
        #expect(recorder.requests.count == 1)
        let notFollowing = mockClient { _ in Response(302, headers: ["Location": "javascript:alert(1)"]) }
        let response = try await notFollowing.get("http://h/")
        #expect(response.nextRequest?.url.scheme == "javascript")
    }

    @Test func closingTheBlockingClientOnAnEventLoopClosesIt() async throws {
        let client = Client(.init(transport: MockTransport { _ in Response(200) }))
        try await MultiThreadedEventLoopGroup.singleton.next().submit { client.close() }.get()
        #expect(client.isClosed)
        await expectHTTPXError(.clientClosed) { _ = try await client.asyncClient.get("https://example.org/") }
    }

    @Test func multipartPartsCannotBreakOutOfTheirFraming() async {
        let client = AsyncClient(.init(transport: MockTransport { _ in Response(200) }))
        let injected = MultipartFile(
            filename: "a.txt", content: "x", contentType: "text/plain\r\n\r\n--boundary\r\nX-Injected: 1")
        await expectHTTPXError(.localProtocol) {
            _ = try await client.post("https://example.org/", files: ["file": injected])
        }
        for boundary in ["", "has\r\nnewline", String(repeating: "b", count: 71), "trailing ", "quote\""] {
            let body = RequestBody.multipart(fields: [("a", "b")], files: [], boundary: boundary)
            await expectHTTPXError(.localProtocol) { _ = try await client.post("https://example.org/", content: body) }
        }
        let fine = RequestBody.multipart(fields: [("a", "b")], files: [], boundary: "simple-Boundary_0'()+,./:=?")
        await #expect(throws: Never.self) { _ = try await client.post("https://example.org/", content: fine) }
    }
}

/// Backpressure: a streamed body whose reader stops stops the socket reads, so the server's
/// writes stall instead of filling the client's memory.
@Suite("Read backpressure", .timeLimit(.minutes(1)))
struct ReadBackpressureTests {
    @Test func aReaderThatStopsStopsTheSocketReads() async throws {
        #if os(Linux)
        let total = 256 << 20
        // A server with blocking sends, so what it counts is what the kernel took.
        let server = try BlockingSender(head: "HTTP/1.1 200 OK\r\nContent-Length: \(total)\r\n\r\n", bodySize: total)
        defer { server.close() }
        let client = AsyncClient(.init(timeout: Timeout(30)))
        let received = try await client.stream(.get, "http://127.0.0.1:\(server.port)/big") { response in
            var iterator = response.bytes().makeAsyncIterator()
            var received = try await iterator.next()?.readableBytes ?? 0
            // Stop reading for a while: the server must stall far short of the whole body. What
            // it gets out is our 1 MiB buffer plus the kernel's socket buffers (on Linux the
            // receive buffer may grow up to tcp_rmem's maximum, 32 MiB by default).
            try await Task.sleep(for: .milliseconds(500))
            let stalledAt = server.sent
            #expect(stalledAt < 48 << 20, "the server sent \(stalledAt >> 20) MiB of 256 while nobody read")
            while let chunk = try await iterator.next() { received += chunk.readableBytes }
            return received
        }
        #expect(received == total)
        #endif
    }
}

#if os(Linux)
/// One connection on 127.0.0.1, served on a thread with blocking sends: reads the request head,
/// sends `head` and `bodySize` bytes, counting what the kernel accepted.
final class BlockingSender: Sendable {
    let port: Int
    private let listener: Int32
    private final class Total: Sendable {
        let bytes = Atomic<Int>(0)
    }
    private let total = Total()

    var sent: Int { total.bytes.load(ordering: .relaxed) }

    init(head: String, bodySize: Int) throws {
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, length) }
        }
        try #require(bound == 0 && listen(listener, 1) == 0)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(listener, $0, &length) }
        }
        self.listener = listener
        self.port = Int(UInt16(bigEndian: address.sin_port))
        let total = self.total
        Thread.detachNewThread {
            let connection = accept(listener, nil, nil)
            guard connection >= 0 else { return }
            defer { Glibc.close(connection) }
            var request: [UInt8] = []
            var byte: UInt8 = 0
            while !request.suffix(4).elementsEqual(Array("\r\n\r\n".utf8)), recv(connection, &byte, 1, 0) == 1 {
                request.append(byte)
            }
            let headBytes = Array(head.utf8)
            guard send(connection, headBytes, headBytes.count, 0) == headBytes.count else { return }
            let chunk = [UInt8](repeating: 7, count: 64 << 10)
            var left = bodySize
            while left > 0 {
                let count = chunk.withUnsafeBytes { send(connection, $0.baseAddress, min(left, $0.count), Int32(MSG_NOSIGNAL)) }
                if count <= 0 { return }
                left -= count
                total.bytes.add(count, ordering: .relaxed)
            }
            // Wait for the client to close before closing (closing early could reset the connection).
            _ = recv(connection, &byte, 1, 0)
        }
    }

    func close() {
        shutdown(listener, Int32(SHUT_RDWR))
        Glibc.close(listener)
    }
}
#endif

@Suite("Closing a body being read")
struct ClosingWhileReadingTests {
    @Test func aBodyClosedWhileBeingReadStopsTheReader() async throws {
        let client = AsyncClient(.init(transport: MockTransport { _ in
            Response(200, body: ResponseBody(stream: Chunks(["a", "b", "c"])))
        }))
        let response = try await client.send(try client.buildRequest(.get, "https://example.org/"), stream: true)
        var iterator = response.bytes().makeAsyncIterator()
        #expect(try await iterator.next() == ByteBuffer(string: "a"))
        await response.close()
        await expectHTTPXError(.streamClosed) { _ = try await iterator.next() }
    }
}
