import NIOCore
import NIOPosix
import Testing

@testable import HTTPX

/// The smaller defects of the hardening review, each with the test that found it.
@Suite("Small defects", .timeLimit(.minutes(1)))
struct SmallDefectsTests {
    @Test func aCRLFSplitBetweenChunksIsOneLineEnding() async throws {
        let chunks = ["a\r", "\nb\r\n", "\rc", "\u{2028}d\u{85}e"]
        let client = AsyncClient(transport: MockTransport { _ in
            Response(200, body: ResponseBody(stream: Chunks(chunks)))
        })
        let lines = try await client.stream(.get, "https://example.org/") { response in
            var lines: [String] = []
            for try await line in response.lines() { lines.append(line) }
            return lines
        }
        #expect(lines == ["a", "b", "", "c\u{2028}d\u{85}e"])
    }

    @Test(arguments: ["\u{0B}", "\u{0C}", "\u{7F}", "\u{01}", "\u{1B}[31m"])
    func controlCharactersInHeaderValuesAreRefused(_ control: String) async {
        let client = AsyncClient(transport: MockTransport { _ in Response(200) })
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
        let client = AsyncClient(
            baseURL: server.baseURL, timeout: Timeout(5, pool: 2), limits: Limits(maxConnections: 1))
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
        let client = Client(transport: MockTransport { _ in Response(200) })
        try await MultiThreadedEventLoopGroup.singleton.next().submit { client.close() }.get()
        #expect(client.isClosed)
        await expectHTTPXError(.clientClosed) { _ = try await client.asyncClient.get("https://example.org/") }
    }

    @Test func multipartPartsCannotBreakOutOfTheirFraming() async {
        let client = AsyncClient(transport: MockTransport { _ in Response(200) })
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
