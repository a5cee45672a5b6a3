import NIOCore
import Synchronization
import Testing

@testable import HTTPX

@Suite("Clients")
struct ClientTests {
    @Test func sendsDefaultHeadersInOrder() async throws {
        let recorder = Recorder()
        _ = try await mockClient(recorder: recorder).get("http://example.org:8080/p")
        let sent = try #require(recorder.last)
        #expect(sent.headers.fields.map(\.name) == ["Host", "Accept", "Accept-Encoding", "Connection", "User-Agent"])
        #expect(sent.headers["Host"] == "example.org:8080")
        #expect(sent.headers["User-Agent"] == "swift-httpx/\(HTTPXVersion.current)")
        #expect(sent.headers["Accept-Encoding"] == ContentDecoder.supportedEncodings)
    }

    @Test func mergesClientHeadersParamsAndCookies() async throws {
        let recorder = Recorder()
        let client = mockClient(
            params: ["a": "1", "shared": "client"], headers: ["User-Agent": "my-app/0.0.1", "X-Client": "c"],
            cookies: ["c1": "v1"], recorder: recorder)
        _ = try await client.get(
            "http://h/p?a=2&b=3", params: ["shared": "request", "c": "4"], headers: ["x-client": "r", "X-Req": "q"],
            cookies: ["c2": "v2"])
        let sent = try #require(recorder.last)
        #expect(sent.url.query == "a=1&b=3&shared=request&c=4")
        #expect(sent.headers["User-Agent"] == "my-app/0.0.1")
        #expect(sent.headers.values(for: "X-Client") == ["r"])
        #expect(sent.headers["X-Req"] == "q")
        #expect(sent.headers["Cookie"] == "c1=v1; c2=v2")
    }

    @Test func baseURLJoinsRelativeURLs() async throws {
        let recorder = Recorder()
        let client = mockClient(baseURL: "http://httpbin.org/api", recorder: recorder)
        let r = try await client.get("/headers")
        #expect(r.request.url.description == "http://httpbin.org/api/headers")
        _ = try await client.get("status/200?x=1")
        #expect(recorder.last?.url.description == "http://httpbin.org/api/status/200?x=1")
        _ = try await client.get("https://other.org/abs")
        #expect(recorder.last?.url.description == "https://other.org/abs")
    }

    @Test func buildThenSendAnOptionsStarRequest() async throws {
        let recorder = Recorder()
        let client = mockClient(recorder: recorder)
        var request = try client.buildRequest(.options, "https://example.com")
        request.target = "*"
        request.headers["X-Extra"] = "1"
        let response = try await client.send(request)
        #expect(response.statusCode == 200)
        #expect(recorder.last?.target == "*")
        #expect(recorder.last?.method == .options)
        #expect(recorder.last?.headers["X-Extra"] == "1")
        var bad = request
        bad.target = "has space"
        await expectHTTPXError(.localProtocol) { _ = try await client.send(bad) }
    }

    @Test func requestsNeedAnAbsoluteHTTPURL() async {
        let client = mockClient()
        await expectHTTPXError(.unsupportedProtocol) { _ = try await client.get("/relative-without-base") }
        await expectHTTPXError(.invalidURL) { _ = try await client.get("http://bad host/") }
        await expectHTTPXError(.invalidURL) { _ = try await client.get("http://") }
        await expectHTTPXError(.localProtocol) { _ = try await client.request("BAD METHOD", "http://h/") }
    }

    @Test func basicAuthFromPairURLAndPerRequestOverride() async throws {
        let recorder = Recorder()
        let client = mockClient(auth: .basic("user", "pass"), recorder: recorder)
        _ = try await client.get("http://h/")
        #expect(recorder.last?.headers["Authorization"] == "Basic dXNlcjpwYXNz")
        _ = try await client.get("http://h/", auth: .disabled)
        #expect(recorder.last?.headers.contains("Authorization") == false)
        _ = try await client.get("http://h/", auth: BasicAuth("other", "pw"))
        #expect(recorder.last?.headers["Authorization"] == "Basic b3RoZXI6cHc=")

        let plain = mockClient(recorder: recorder)
        _ = try await plain.get("http://us%40er:p%3Ass@h/")
        #expect(recorder.last?.headers["Authorization"] == "Basic " + "dXNAZXI6cDpzcw==")
        _ = try await plain.get("http://h/", auth: .function { request in
            var request = request
            request.headers["Authorization"] = "Bearer t0k3n"
            return request
        })
        #expect(recorder.last?.headers["Authorization"] == "Bearer t0k3n")
        #expect(BasicAuth("u", "secret").description == "BasicAuth(u, [secure])")
    }

    @Test func failingAuthFunctionFailsTheRequest() async {
        let recorder = Recorder()
        let client = mockClient(recorder: recorder)
        await expectHTTPXError(.invalidArgument) {
            _ = try await client.get("http://h/", auth: .function { _ in throw HTTPXError(.invalidArgument, "no token") })
        }
        #expect(recorder.requests.isEmpty)
    }

    @Test func eventHooksRunOnEveryHop() async throws {
        let seen = Mutex<[String]>([])
        let hooks = EventHooks(
            request: [{ request in seen.withLock { $0.append("→ \(request.url.path)") } }],
            response: [{ response in seen.withLock { $0.append("← \(response.statusCode)") } }])
        let client = mockClient(followRedirects: true, eventHooks: hooks) { request in
            request.url.path == "/start" ? Response(302, headers: ["Location": "/end"]) : Response(200)
        }
        _ = try await client.get("http://h/start")
        #expect(seen.withLock { $0 } == ["→ /start", "← 302", "→ /end", "← 200"])
    }

    @Test func throwingResponseHookFailsTheRequest() async {
        let client = mockClient(eventHooks: EventHooks(response: [{ try $0.raiseForStatus() }])) { _ in Response(500) }
        await expectHTTPXError(.httpStatus) { _ = try await client.get("http://h/") }
    }

    @Test func mountsPickTheMostSpecificPattern() async throws {
        func named(_ name: String) -> MockTransport { MockTransport { _ in Response(200, text: name) } }
        let client = AsyncClient(.init(transport: named("default"), mounts: [
            "all://": named("all"),
            "http://": named("http"),
            "all://example.com": named("host"),
            "https://example.com": named("scheme+host"),
            "http://example.com:8080": named("port"),
            "all://*.wild.org": named("subdomains"),
        ]))
        #expect(try await client.get("https://other.org/").text == "all")
        #expect(try await client.get("http://other.org/").text == "http")
        #expect(try await client.get("http://example.com/").text == "host")
        #expect(try await client.get("https://example.com/").text == "scheme+host")
        #expect(try await client.get("http://example.com:8080/").text == "port")
        #expect(try await client.get("http://a.wild.org/").text == "subdomains")
        #expect(try await client.get("http://wild.org/").text == "http")
        let fallback = AsyncClient(.init(transport: named("default"), mounts: ["https://only.org": named("only")]))
        #expect(try await fallback.get("https://x.org/").text == "default")
    }

    @Test func closedClientRefusesRequests() async throws {
        let closes = Mutex(0)
        struct Counting: Transport {
            let closes: @Sendable () -> Void
            func handle(_ request: Request) async throws -> Response { Response(200) }
            func close() async { closes() }
        }
        let client = AsyncClient(.init(transport: Counting { closes.withLock { $0 += 1 } }))
        _ = try await client.get("http://h/")
        await client.close()
        await client.close()
        #expect(closes.withLock { $0 } == 1)
        #expect(client.isClosed)
        let error = await expectHTTPXError(.clientClosed) { _ = try await client.get("http://h/") }
        #expect(error?.message.contains("closed") == true)
    }

    @Test func withClientClosesEvenOnError() async throws {
        struct Boom: Error {}
        var captured: AsyncClient?
        do {
            try await AsyncClient.withClient(.init(transport: MockTransport { _ in Response(200) })) { client in
                captured = client
                throw Boom()
            }
        } catch is Boom {}
        #expect(captured?.isClosed == true)
    }

    @Test func oneShotFunctions() async throws {
        let recorder = Recorder()
        let transport = MockTransport { request in
            recorder.record(request)
            return Response(200, text: request.method.rawValue)
        }
        #expect(try await HTTPX.get("http://h/", params: ["q": "swift"], configuration: .init(transport: transport)).text == "GET")
        #expect(recorder.last?.url.query == "q=swift")
        #expect(try await HTTPX.post("http://h/", json: ["a": 1], configuration: .init(transport: transport)).text == "POST")
        #expect(try await HTTPX.put("http://h/", configuration: .init(transport: transport)).text == "PUT")
        #expect(try await HTTPX.patch("http://h/", configuration: .init(transport: transport)).text == "PATCH")
        #expect(try await HTTPX.delete("http://h/", configuration: .init(transport: transport)).text == "DELETE")
        #expect(try await HTTPX.head("http://h/", configuration: .init(transport: transport)).text == "HEAD")
        #expect(try await HTTPX.options("http://h/", configuration: .init(transport: transport)).text == "OPTIONS")
        let streamed = try await HTTPX.stream(.get, "http://h/", configuration: .init(transport: transport)) { response in
            try await response.bytes().collect().readableBytes
        }
        #expect(streamed == 3)
    }

    @Test func userErrorsFromTheTransportPassThrough() async {
        struct AppFailure: Error {}
        let client = AsyncClient(.init(transport: MockTransport { _ in throw AppFailure() }))
        await #expect(throws: AppFailure.self) { _ = try await client.get("http://h/") }
    }
}
