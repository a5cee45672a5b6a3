import Crypto
import Synchronization
import Testing

@testable import HTTPX

/// Custom `Auth` flows: several requests, a signed body, a response body the flow reads.
@Suite("Auth flows", .timeLimit(.minutes(1)))
struct AuthFlowTests {
    /// Three requests: the request, a token fetch after its 401, then the request again with
    /// the token.
    struct TokenRefreshAuth: Auth {
        var requiresResponseBody: Bool { true }

        func authFlow(for request: Request, flow: AuthFlow) async throws -> Response {
            let first = try await flow.send(request)
            guard first.statusCode == 401 else { return first }
            let token = try await flow.send(try Request(.post, "http://auth.test/token", body: .text("grant=refresh")))
            var retry = request
            retry.headers["Authorization"] = "Bearer " + (try token.text)
            return try await flow.send(retry)
        }
    }

    @Test func flowOfThreeRequests() async throws {
        let recorder = Recorder()
        let client = mockClient(recorder: recorder) { request in
            if request.url.path == "/token" { return Response(200, text: "t0k3n") }
            return request.headers["Authorization"] == "Bearer t0k3n" ? Response(200, text: "data") : Response(401)
        }
        let r = try await client.get("http://api.test/data", auth: TokenRefreshAuth())
        #expect(try r.text == "data")
        #expect(recorder.requests.map(\.url.path) == ["/data", "/token", "/data"])
        #expect(r.history.map(\.statusCode) == [401, 200])
    }

    /// Signs method, path and body; needs the body even when it comes as a stream.
    struct SigningAuth: Auth {
        let key: [UInt8]
        var requiresRequestBody: Bool { true }

        func authFlow(for request: Request, flow: AuthFlow) async throws -> Response {
            guard let body = request.content else {
                throw HTTPXError(.requestNotRead, "the body was not read")
            }
            let message = Array("\(request.method.rawValue) \(request.target)\n".utf8) + body
            let signature = HMAC<SHA256>.authenticationCode(for: message, using: SymmetricKey(data: key))
            var signed = request
            signed.headers["X-Signature"] = signature.map { String($0, radix: 16).leftPadded }.joined()
            let response = try await flow.send(signed)
            // The server may ask for a fresh signature once (the same body is sent again).
            guard response.statusCode == 401 else { return response }
            var again = signed
            again.headers["X-Retry"] = "1"
            return try await flow.send(again)
        }
    }

    @Test func signsAStreamedBodyAndCanSendItAgain() async throws {
        let recorder = Recorder()
        let client = mockClient(recorder: recorder) { request in
            request.headers["X-Retry"] == nil ? Response(401) : Response(200, text: request.contentText)
        }
        let auth = SigningAuth(key: Array("k".utf8))
        let r = try await client.post("http://api.test/sign", content: .stream(Chunks(["hello ", "world"])), auth: auth)
        #expect(try r.text == "hello world", "the streamed body was read and sent twice")
        let expected = HMAC<SHA256>.authenticationCode(
            for: Array("POST /sign\nhello world".utf8), using: SymmetricKey(data: Array("k".utf8)))
        #expect(recorder.requests.map { $0.headers["X-Signature"] } == Array(repeating: expected.map { String($0, radix: 16).leftPadded }.joined(), count: 2))
    }

    @Test func credentialsAreMaskedWhenPrinted() async throws {
        let recorder = Recorder()
        let client = mockClient(auth: .basic("user", "hunter2"), recorder: recorder)
        _ = try await client.get("http://user:hunter2@h.test/")
        let request = try #require(recorder.last)
        #expect(!"\(request.headers)".contains("dXNlcjpodW50ZXIy"))
        #expect("\(request.headers)".contains("[secure]"))
        #expect(!"\(request)".contains("hunter2"))
        #expect(!"\(BasicAuth("user", "hunter2"))".contains("hunter2"))
    }

    /// a.test answers a request without credentials with a Digest 401 challenge, and one with
    /// credentials with a redirect to b.test; b.test records what it got.
    @Test func customAuthCredentialsDoNotFollowARedirectToAnotherOrigin() async throws {
        let recorder = Recorder()
        let client = mockClient(followRedirects: true, recorder: recorder) { request in
            guard request.url.host == "a.test" else { return Response(200, text: "b") }
            guard request.headers.contains("Authorization") else {
                return Response(401, headers: ["WWW-Authenticate": #"Digest realm="r", qop="auth", nonce="n1""#])
            }
            return Response(302, headers: ["Location": "http://b.test/landing"])
        }

        let digest = try await client.get("http://a.test/", auth: DigestAuth("u", "p"))
        #expect(try digest.text == "b")
        #expect(digest.history.map(\.statusCode) == [401, 302], "the Digest flow answered a real 401, then was redirected")
        let digestSent = recorder.requests.map { ($0.url.host, $0.headers["Authorization"]) }
        try #require(digestSent.count == 3)
        #expect(digestSent[0] == ("a.test", nil))
        #expect(digestSent[1].0 == "a.test" && digestSent[1].1?.hasPrefix("Digest username=\"u\"") == true)
        #expect(digestSent[2] == ("b.test", nil), "the Digest answer stays with a.test")

        let function = try await client.get("http://a.test/", auth: .function { request in
            var request = request
            request.headers["Authorization"] = "Bearer secret"
            return request
        })
        #expect(try function.text == "b")
        #expect(function.history.map(\.statusCode) == [302])
        let functionSent = recorder.requests.dropFirst(3).map { ($0.url.host, $0.headers["Authorization"]) }
        try #require(functionSent.count == 2)
        #expect(functionSent[0] == ("a.test", "Bearer secret"))
        #expect(functionSent[1] == ("b.test", nil), "the custom header stays with a.test")

        let toB = recorder.requests.filter { $0.url.host == "b.test" }
        #expect(toB.count == 2)
        #expect(!toB.isEmpty && toB.allSatisfy { !$0.headers.contains("Authorization") })
    }
}

extension String {
    fileprivate var leftPadded: String { count == 1 ? "0" + self : self }
}

/// Flows are finite by construction: a server that always answers 401 gets the requests the
/// flow's code sends, no more; a flow stuck in a loop is stopped.
@Suite("Auth flows end", .timeLimit(.minutes(1)))
struct AuthFlowEndTests {
    /// The README's example.
    struct RetryWithToken: Auth {
        let token: String
        func authFlow(for request: Request, flow: AuthFlow) async throws -> Response {
            let response = try await flow.send(request)
            guard response.statusCode == 401 else { return response }
            var retry = request
            retry.headers["X-Authentication"] = token
            return try await flow.send(retry)
        }
    }

    @Test func aServerThatAlwaysAnswers401GetsTwoRequests() async throws {
        let recorder = Recorder()
        let client = mockClient(recorder: recorder) { _ in Response(401, text: "no") }
        let r = try await client.get("http://api.test/", auth: RetryWithToken(token: "t"))
        #expect(r.statusCode == 401)
        #expect(recorder.requests.count == 2)
        #expect(recorder.requests.map { $0.headers["X-Authentication"] } == [nil, "t"])
        #expect(r.history.map(\.statusCode) == [401])
        #expect(try r.history[0].text == "no", "a response the flow moved past is read into the history")
    }

    /// A flow written as a loop that never ends is stopped after `AuthFlow.maxRequests`.
    struct Relentless: Auth {
        func authFlow(for request: Request, flow: AuthFlow) async throws -> Response {
            while true {
                let response = try await flow.send(request)
                if response.statusCode != 401 { return response }
            }
        }
    }

    @Test func aRunawayFlowIsStopped() async throws {
        let recorder = Recorder()
        let closed = Counter()
        let client = mockClient(recorder: recorder) { _ in
            Response(401, body: ResponseBody(stream: Chunks(["x"]), onClose: { closed.increment() }))
        }
        let error = await #expect(throws: HTTPXError.self) {
            try await client.get("http://api.test/", auth: Relentless())
        }
        #expect(error?.kind == .tooManyAuthSteps)
        #expect(error?.message.contains("Relentless") == true)
        #expect(recorder.requests.count == AuthFlow.maxRequests)
        #expect(closed.value == AuthFlow.maxRequests, "every response was closed")
    }

    /// httpx's async_auth_flow: the flow awaits I/O of its own between requests.
    struct AsyncRefresh: Auth {
        let tokens: AsyncClient
        func authFlow(for request: Request, flow: AuthFlow) async throws -> Response {
            let response = try await flow.send(request)
            guard response.statusCode == 401 else { return response }
            let token = try await tokens.get("http://tokens.test/new").text
            try await Task.sleep(for: .milliseconds(1))
            var retry = request
            retry.headers["Authorization"] = "Bearer \(token)"
            return try await flow.send(retry)
        }
    }

    @Test func aFlowCanAwaitIO() async throws {
        let tokens = mockClient { _ in Response(200, text: "fresh") }
        let client = mockClient { request in
            request.headers["Authorization"] == "Bearer fresh" ? Response(200, text: "in") : Response(401)
        }
        let r = try await client.get("http://api.test/", auth: AsyncRefresh(tokens: tokens))
        #expect(try r.text == "in")
        #expect(r.history.map(\.statusCode) == [401])
    }

    @Test func anAsyncFlowServesTheBlockingClient() async throws {
        let tokens = mockClient { _ in Response(200, text: "fresh") }
        let r = try await onPlainThread {
            try Client.withClient(.init(transport: MockTransport { request in
                request.headers["Authorization"] == "Bearer fresh" ? Response(200, text: "in") : Response(401)
            })) { client in
                try client.get("http://api.test/", auth: AsyncRefresh(tokens: tokens))
            }
        }
        #expect(try r.text == "in")
    }

    /// A flow that fails after a response closes that response.
    struct FailsAfterOne: Auth {
        func authFlow(for request: Request, flow: AuthFlow) async throws -> Response {
            _ = try await flow.send(request)
            throw HTTPXError(.invalidArgument, "refused")
        }
    }

    @Test func aFailingFlowClosesItsResponse() async throws {
        let closed = Counter()
        let client = mockClient { _ in
            Response(401, body: ResponseBody(stream: Chunks(["x"]), onClose: { closed.increment() }))
        }
        await #expect(throws: HTTPXError.self) { try await client.get("http://api.test/", auth: FailsAfterOne()) }
        #expect(closed.value == 1)
    }
}
