import NIOCore
import Testing

@testable import HTTPX

/// A streamed upload whose producer throws must fail at once with that error, whatever the
/// timeouts (no timer runs while a request waits for a response it never finished sending).
@Suite("Streamed upload failures", .timeLimit(.minutes(1)))
struct StreamedUploadFailureTests {
    struct ProducerFailed: Error {}

    /// One chunk, then the producer throws.
    struct FailingChunks: AsyncSequence, Sendable {
        typealias Element = ByteBuffer
        struct AsyncIterator: AsyncIteratorProtocol {
            var sent = false
            mutating func next() async throws -> ByteBuffer? {
                if sent { throw ProducerFailed() }
                sent = true
                return ByteBuffer(string: "first chunk")
            }
        }
        func makeAsyncIterator() -> AsyncIterator { AsyncIterator() }
    }

    /// Runs `body`, failing the test if it takes more than `seconds`.
    func promptly(_ seconds: Int = 5, _ body: @escaping @Sendable () async throws -> Void) async throws {
        try await withThrowingTaskGroup(of: Bool.self) { group in
            group.addTask { try await body(); return true }
            group.addTask { try await Task.sleep(for: .seconds(seconds)); return false }
            let finished = try await group.next() ?? false
            group.cancelAll()
            #expect(finished, "still waiting after \(seconds) s")
        }
    }

    func expectProducerError(_ send: @escaping @Sendable () async throws -> Void) async throws {
        try await promptly {
            let error = await expectHTTPXError(.writeError) { try await send() }
            #expect(error?.underlying is ProducerFailed, "\(String(describing: error))")
            #expect(error?.message.contains("Could not produce the body of <Request(POST") == true)
        }
    }

    @Test(arguments: [nil, 30] as [Int?])
    func overHTTP1(lengthKnown: Int?) async throws {
        let server = try await ScriptedServer.start { connection in
            _ = try await connection.readRequest(readBody: false)
            await connection.hang()
        }
        defer { Task { await server.stop() } }
        let client = AsyncClient(.init(baseURL: server.baseURL, timeout: .disabled))
        try await expectProducerError {
            _ = try await client.post("/upload", content: .stream(FailingChunks(), length: lengthKnown))
        }
    }

    @Test func overHTTP2() async throws {
        let server = try await HTTP2TestServer.start(maxConcurrentStreams: 100)
        defer { Task { await server.stop() } }
        let client = AsyncClient(.init(timeout: .disabled, transport: HTTPTransport(http1: false, http2: true)))
        try await expectProducerError {
            _ = try await client.post(server.baseURL + "/upload", content: .stream(FailingChunks()))
        }
        // The connection survives for the next request.
        #expect(try await client.get(server.baseURL + "/next").text == "ok /next")
    }

    @Test func aResponseSentBeforeTheProducerFailedStillCounts() async throws {
        let responded = Counter()
        let server = try await ScriptedServer.start { connection in
            _ = try await connection.readRequest(readBody: false)
            try await connection.respond(status: "413 Content Too Large", body: "too large")
            responded.increment()
            await connection.hang()
        }
        defer { Task { await server.stop() } }
        let client = AsyncClient(.init(baseURL: server.baseURL, timeout: Timeout(5)))

        /// Fails once the server has answered, and the answer had time to arrive.
        struct FailingAfterTheAnswer: AsyncSequence, Sendable {
            typealias Element = ByteBuffer
            let responded: Counter
            struct AsyncIterator: AsyncIteratorProtocol {
                let responded: Counter
                var sent = false
                mutating func next() async throws -> ByteBuffer? {
                    if sent {
                        let deadline = ContinuousClock.now + .seconds(10)
                        while responded.value == 0 && ContinuousClock.now < deadline {
                            try await Task.sleep(for: .milliseconds(10))
                        }
                        try await Task.sleep(for: .seconds(1))
                        throw ProducerFailed()
                    }
                    sent = true
                    return ByteBuffer(string: "first chunk")
                }
            }
            func makeAsyncIterator() -> AsyncIterator { AsyncIterator(responded: responded) }
        }
        let response = try await client.post("/upload", content: .stream(FailingAfterTheAnswer(responded: responded)))
        #expect(response.statusCode == 413)
        #expect(try response.text == "too large")
    }
}
