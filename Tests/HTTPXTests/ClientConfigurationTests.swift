import NIOCore
import Synchronization
import Testing

#if canImport(Glibc)
import Glibc
#endif

@testable import HTTPX

/// One configuration for every entry point, settings that change after creation, and hooks
/// that change requests and read responses.
@Suite("Client configuration", .timeLimit(.minutes(1)))
struct ClientConfigurationTests {
    static func echo(_ recorder: Recorder = Recorder()) -> MockTransport {
        MockTransport { request in
            recorder.record(request)
            return Response(200, text: "\(request.method) \(request.url.path)")
        }
    }

    @Test func aRequestHookCanChangeTheRequest() async throws {
        let recorder = Recorder()
        let hooks = EventHooks(request: [{ request in request.headers["X-Added"] = "by hook" }])
        let client = mockClient(eventHooks: hooks, recorder: recorder)
        _ = try await client.get("http://h/")
        #expect(recorder.last?.headers["X-Added"] == "by hook")
    }

    @Test func aResponseHookCanReadTheBodyAndChangeTheResponse() async throws {
        let seen = Mutex<String?>(nil)
        let hooks = EventHooks(response: [{ response in
            try await response.read()
            let text = try response.text
            seen.withLock { $0 = text }
            response.headers["X-Seen"] = "yes"
        }])
        let client = mockClient(eventHooks: hooks) { _ in
            Response(200, headers: ["Content-Type": "text/plain"], body: ResponseBody(stream: Chunks(["streamed ", "body"])))
        }
        let r = try await client.get("http://h/")
        #expect(seen.withLock { $0 } == "streamed body")
        #expect(try r.text == "streamed body", "the client uses the body the hook read")
        #expect(r.headers["X-Seen"] == "yes")
        // A streamed request whose hook read the body hands the read body over.
        let (isRead, text) = try await client.stream(.get, "http://h/") { response in
            (response.isRead, try response.text)
        }
        #expect(isRead)
        #expect(text == "streamed body")
    }

    @Test func settingsCanChangeAfterCreation() async throws {
        let recorder = Recorder()
        let client = AsyncClient(.init(transport: Self.echo(recorder)))
        client.baseURL = try HTTPURL("http://api.test/v1")
        client.headers = ["X-App": "1"]
        client.headers["X-More"] = "2"
        client.params = ["key": "k"]
        client.auth = .basic("u", "p")
        client.timeout = Timeout(7)
        client.followRedirects = true
        client.cookies.set("c", "1", domain: "api.test")
        _ = try await client.get("/items")
        let sent = try #require(recorder.last)
        #expect(sent.url.description == "http://api.test/v1/items?key=k")
        #expect(sent.headers["X-App"] == "1" && sent.headers["X-More"] == "2")
        #expect(sent.headers["User-Agent"]?.hasPrefix("swift-httpx/") == true, "setting headers keeps the defaults")
        #expect(sent.headers["Authorization"] == BasicAuth("u", "p").headerValue)
        #expect(sent.headers["Cookie"] == "c=1")
        #expect(sent.extensions.timeout == Timeout(7))
        #expect(client.followRedirects)
        var hooked = client.eventHooks
        hooked.request.append { request in request.headers["X-Hook"] = "on" }
        client.eventHooks = hooked
        _ = try await client.get("/again")
        #expect(recorder.last?.headers["X-Hook"] == "on")
    }

    @Test func settingAValidBaseURLClearsAnInvalidOne() async throws {
        let client = AsyncClient(.init(baseURL: "http://bad host/", transport: Self.echo()))
        await expectHTTPXError(.invalidURL) { _ = try await client.get("/x") }
        client.baseURL = try HTTPURL("http://good.test")
        #expect(try await client.get("/x").text == "GET /x")
    }

    @Test func oneShotFunctionsTakeTheWholeConfiguration() async throws {
        let recorder = Recorder()
        let configuration = ClientConfiguration(
            baseURL: "http://base.test", headers: ["X-Config": "1"], transport: Self.echo(recorder))
        let r = try await HTTPX.get("/one", extensions: RequestExtensions(), configuration: configuration)
        #expect(try r.text == "GET /one")
        #expect(recorder.last?.headers["X-Config"] == "1")
        let streamed = try await HTTPX.stream(.post, "/two", cookies: ["c": "1"], data: ["a": "b"], configuration: configuration) {
            try await $0.bytes().collect().readableBytes
        }
        #expect(streamed == "POST /two".utf8.count)
        #expect(recorder.last?.headers["Cookie"] == "c=1")
        #expect(recorder.last?.contentText == "a=b")
    }

    @Test func blockingOneShotsAndStreamLines() async throws {
        let recorder = Recorder()
        let lines = MockTransport { request in
            recorder.record(request)
            return Response(200, headers: ["Content-Type": "text/plain; charset=utf-8"],
                            body: ResponseBody(stream: Chunks(["one\r", "\ntwo\nthr", "ee café"])))
        }
        let configuration = ClientConfiguration(transport: lines)
        let (got, texts, status) = try await onPlainThread { () -> ([String], [String], Int) in
            let r = try Client.get("http://h/a", headers: ["X-1": "1"], extensions: RequestExtensions(), configuration: configuration)
            var got: [String] = []
            try Client.stream(.get, "http://h/b", configuration: configuration) { stream in
                while let line = try stream.nextLine() { got.append(line) }
            }
            var texts: [String] = []
            try Client.withClient(configuration) { client in
                try client.stream(.get, "http://h/c", cookies: ["c": "1"]) { stream in
                    while let text = try stream.nextText() { texts.append(text) }
                }
            }
            return (got, texts, r.statusCode)
        }
        #expect(status == 200)
        #expect(got == ["one", "two", "three café"])
        #expect(texts.joined() == "one\r\ntwo\nthree café")
        #expect(recorder.requests.map(\.url.path) == ["/a", "/b", "/c"])
        #expect(recorder.requests.last?.headers["Cookie"] == "c=1")
    }

    #if os(Linux)
    /// Socket options reach the socket: one the kernel refuses fails the connection, naming it.
    @Test func socketOptionsAreAppliedToEverySocket() async throws {
        let server = try await HTTPTransportTests.wellBehaved()
        defer { Task { await server.stop() } }
        let good = AsyncClient(.init(socketOptions: SocketOption.keepAlive(idle: .seconds(30), interval: .seconds(5), count: 3)))
        #expect(try await good.get(server.baseURL + "/").statusCode == 200)
        await good.close()
        let bad = AsyncClient(.init(socketOptions: [SocketOption(level: 9999, name: 9999, value: 1)]))
        await expectHTTPXError(.connectError) { _ = try await bad.get(server.baseURL + "/") }
        await bad.close()
    }
    #endif
}
