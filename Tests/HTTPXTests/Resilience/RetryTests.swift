import NIOCore
import NIOPosix
import Synchronization
import Testing

@testable import HTTPX

/// The retry policy: every rule against a mock or a scripted server.
@Suite("Retries", .timeLimit(.minutes(1)))
struct RetryTests {
    /// A policy that waits a millisecond between attempts.
    static let quick = RetryPolicy(maxRetries: 3, baseDelay: .milliseconds(1), maxDelay: .milliseconds(2))

    /// Answers with `statuses` in turn, then 200.
    static func scripted(_ statuses: [Int], headers: Headers = [:], recorder: Recorder) -> AsyncClient {
        let count = Counter()
        return mockClient(recorder: recorder) { _ in
            count.increment()
            let index = count.value - 1
            return index < statuses.count ? Response(statuses[index], headers: headers, text: "try again") : Response(200, text: "ok")
        }
    }

    static func with(_ policy: RetryPolicy) -> RequestExtensions {
        var extensions = RequestExtensions()
        extensions.retry = policy
        return extensions
    }

    @Test func retryableStatusesAreRetriedUntilSuccess() async throws {
        let recorder = Recorder()
        let client = Self.scripted([503, 429, 502], recorder: recorder)
        let r = try await client.get("http://h/", extensions: Self.with(Self.quick))
        #expect(r.statusCode == 200)
        #expect(r.retries == 3)
        #expect(recorder.requests.count == 4)
    }

    @Test func theLastAnswerStandsWhenRetriesRunOut() async throws {
        let recorder = Recorder()
        let client = Self.scripted([503, 503, 503, 503, 503], recorder: recorder)
        let r = try await client.get("http://h/", extensions: Self.with(Self.quick))
        #expect(r.statusCode == 503 && r.retries == 3)
        #expect(recorder.requests.count == 4)
    }

    @Test func otherStatusesAreNotRetried() async throws {
        let recorder = Recorder()
        let client = Self.scripted([500, 404], recorder: recorder)
        let r = try await client.get("http://h/", extensions: Self.with(Self.quick))
        #expect(r.statusCode == 500 && r.retries == 0 && recorder.requests.count == 1)
    }

    @Test func noRetriesUnlessAPolicySaysSo() async throws {
        let recorder = Recorder()
        let client = Self.scripted([503], recorder: recorder)
        #expect(try await client.get("http://h/").statusCode == 503)
        #expect(recorder.requests.count == 1)
        let retrying = AsyncClient(.init(transport: MockTransport { _ in Response(503) }, retry: Self.quick))
        #expect(try await retrying.get("http://h/").retries == 3, "the client's policy applies")
    }

    @Test func postIsRetriedOnlyWithAnIdempotencyKeyOrWhenAsked() async throws {
        let plain = Recorder()
        _ = try await Self.scripted([503], recorder: plain).post("http://h/", content: .text("x"), extensions: Self.with(Self.quick))
        #expect(plain.requests.count == 1)
        let keyed = Recorder()
        let r = try await Self.scripted([503], recorder: keyed).post(
            "http://h/", content: .text("x"), headers: ["Idempotency-Key": "k1"], extensions: Self.with(Self.quick))
        #expect(r.statusCode == 200 && keyed.requests.count == 2)
        #expect(keyed.requests.allSatisfy { $0.contentText == "x" }, "the body is sent again")
        var noKeys = Self.quick
        noKeys.retriesWithIdempotencyKey = false
        let refused = Recorder()
        _ = try await Self.scripted([503], recorder: refused).post(
            "http://h/", content: .text("x"), headers: ["Idempotency-Key": "k1"], extensions: Self.with(noKeys))
        #expect(refused.requests.count == 1)
        var posts = Self.quick
        posts.methods.insert(.post)
        let asked = Recorder()
        _ = try await Self.scripted([503], recorder: asked).post("http://h/", content: .text("x"), extensions: Self.with(posts))
        #expect(asked.requests.count == 2)
    }

    @Test func aBodyThatCannotBeSentTwiceIsNeverRetried() async throws {
        let recorder = Recorder()
        let client = Self.scripted([503], recorder: recorder)
        let r = try await client.put("http://h/", content: .stream(Chunks(["once"])), extensions: Self.with(Self.quick))
        #expect(r.statusCode == 503 && recorder.requests.count == 1)
    }

    @Test func retryAfterInSecondsAndAsADateIsHonoured() async throws {
        let delays = Mutex<[Duration]>([])
        var extensions = Self.with(RetryPolicy(maxRetries: 2, baseDelay: .seconds(30)))
        extensions.trace = { event in
            if case .retrying(_, let delay, _) = event { delays.withLock { $0.append(delay) } }
        }
        let count = Counter()
        let client = mockClient { _ in
            count.increment()
            switch count.value {
            case 1: return Response(503, headers: ["Retry-After": "Wed, 21 Oct 2015 07:28:00 GMT"])  // past: now
            case 2: return Response(429, headers: ["Retry-After": "1"])
            default: return Response(200)
            }
        }
        let r = try await client.get("http://h/", extensions: extensions)
        #expect(r.statusCode == 200 && r.retries == 2)
        #expect(delays.withLock { $0 } == [.zero, .seconds(1)], "not the 30 s backoff")
    }

    @Test func aRetryAfterPastTheCapReturnsTheResponse() async throws {
        let recorder = Recorder()
        let client = Self.scripted([503], headers: ["Retry-After": "3600"], recorder: recorder)
        let r = try await client.get("http://h/", extensions: Self.with(Self.quick))
        #expect(r.statusCode == 503 && r.retries == 0 && recorder.requests.count == 1)
    }

    @Test func backoffIsExponentialWithFullJitterAndACap() {
        let policy = RetryPolicy(baseDelay: .milliseconds(100), maxDelay: .seconds(1))
        let ceilings = (1...6).map { policy.backoff(attempt: $0, random: { $0 }) }
        #expect(ceilings == [.milliseconds(100), .milliseconds(200), .milliseconds(400), .milliseconds(800), .seconds(1), .seconds(1)])
        for attempt in 1...6 {
            let jittered = policy.backoff(attempt: attempt)
            #expect(jittered >= .zero && jittered <= ceilings[attempt - 1])
        }
        #expect(RetryPolicy(baseDelay: .seconds(1), maxDelay: .seconds(10)).backoff(attempt: 200, random: { $0 }) == .seconds(10))
    }

    @Test func theBudgetBoundsAllAttempts() async throws {
        let client = mockClient { _ in Response(503) }
        let error = await expectHTTPXError(.timeout) {
            _ = try await client.get("http://h/", extensions: Self.with(RetryPolicy(maxRetries: 5, baseDelay: .seconds(20), budget: .milliseconds(50))))
        }
        #expect(error?.message.contains("budget") == true)
    }

    @Test func connectErrorsAreRetriedThenReported() async throws {
        // A port nothing listens on: bind one, then close it.
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton).bind(host: "127.0.0.1", port: 0).get()
        let port = try #require(channel.localAddress?.port)
        try await channel.close()
        let retries = Counter()
        var extensions = Self.with(Self.quick)
        extensions.trace = { if case .retrying = $0 { retries.increment() } }
        let client = AsyncClient()
        await expectHTTPXError(.connectError) { _ = try await client.get("http://127.0.0.1:\(port)/", extensions: extensions) }
        #expect(retries.value == 3)
        await client.close()
    }

    @Test func aResetBeforeTheResponseIsRetried() async throws {
        let connections = Counter()
        let server = try await ScriptedServer.start { connection in
            connections.increment()
            _ = try await connection.readRequest()
            if connections.value == 1 { return }  // closes without an answer
            try await connection.respond(body: "second time")
        }
        defer { Task { await server.stop() } }
        let client = AsyncClient()
        let r = try await client.post(
            server.baseURL + "/", content: .text("x"), headers: ["Idempotency-Key": "abc"], extensions: Self.with(Self.quick))
        #expect(try r.text == "second time" && r.retries == 1)
        await client.close()
    }
}
