import NIOCore
import Testing

@testable import HTTPX

/// A request's total deadline, over every step of a request.
@Suite("Deadlines", .timeLimit(.minutes(1)))
struct DeadlineTests {
    static func within(_ duration: Duration) -> RequestExtensions {
        var extensions = RequestExtensions()
        extensions.deadline = duration
        return extensions
    }

    @Test func aSlowAnswerFailsWithItsOwnKind() async throws {
        let client = mockClient { _ in
            try await Task.sleep(for: .seconds(60))
            return Response(200)
        }
        let started = ContinuousClock.now
        let error = await expectHTTPXError(.deadlineExceeded) { _ = try await client.get("http://h/", extensions: Self.within(.milliseconds(200))) }
        #expect(error?.is(.timeout) == true, "a kind of timeout")
        #expect(error?.message.contains("0.2 s") == true)
        #expect(ContinuousClock.now - started < .seconds(20), "the slow answer was abandoned")
    }

    @Test func retriesAndTheirWaitsCount() async throws {
        var extensions = Self.within(.milliseconds(300))
        extensions.retry = RetryPolicy(maxRetries: 10, baseDelay: .milliseconds(100), maxDelay: .milliseconds(100))
        let client = mockClient { _ in Response(503) }
        await expectHTTPXError(.deadlineExceeded) { _ = try await client.get("http://h/", extensions: extensions) }
    }

    @Test func redirectsCount() async throws {
        let client = mockClient(followRedirects: true) { request in
            try await Task.sleep(for: .milliseconds(60))
            return Response(302, headers: ["Location": "/again"])
        }
        await expectHTTPXError(.deadlineExceeded) {
            _ = try await client.get("http://h/", extensions: Self.within(.milliseconds(250)))
        }
    }

    @Test func readingAStreamedBodyCounts() async throws {
        let client = mockClient { _ in Response(200, body: ResponseBody(stream: Chunks(["a", "b"]))) }
        await expectHTTPXError(.deadlineExceeded) {
            try await client.stream(.get, "http://h/", extensions: Self.within(.milliseconds(100))) { response in
                try await Task.sleep(for: .milliseconds(150))
                for try await _ in response.bytes() {}
            }
        }
    }

    @Test func theClientsDeadlineAppliesAndARequestsWins() async throws {
        let client = AsyncClient(.init(transport: MockTransport { _ in
            try await Task.sleep(for: .milliseconds(300))
            return Response(200)
        }, deadline: .milliseconds(100)))
        await expectHTTPXError(.deadlineExceeded) { _ = try await client.get("http://h/") }
        #expect(try await client.get("http://h/", extensions: Self.within(.seconds(5))).statusCode == 200)
    }

    /// The four timeouts still apply within a deadline, and none outlasts it.
    @Test func composesWithTheFourTimeouts() async throws {
        let server = try await ScriptedServer.start { connection in
            _ = try await connection.readRequest()
            try await Task.sleep(for: .seconds(120))  // never answers in time
        }
        defer { Task { await server.stop() } }
        let client = AsyncClient(.init(timeout: Timeout(60)))
        let started = ContinuousClock.now
        await expectHTTPXError(.deadlineExceeded) {
            _ = try await client.get(server.baseURL + "/", extensions: Self.within(.milliseconds(300)))
        }
        #expect(ContinuousClock.now - started < .seconds(20), "not the 60 s read timeout")
        await expectHTTPXError(.readTimeout) {
            _ = try await client.get(server.baseURL + "/", timeout: 0.2, extensions: Self.within(.seconds(30)))
        }
        await client.close()
    }
}
