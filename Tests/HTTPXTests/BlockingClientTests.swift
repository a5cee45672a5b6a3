import Foundation
import NIOCore
import NIOPosix
import Synchronization
import Testing

@testable import HTTPX

/// Runs `body` on a new thread outside Swift concurrency, as blocking code runs.
func onPlainThread<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        let thread = Thread {
            continuation.resume(with: Result { try body() })
        }
        thread.start()
    }
}

/// The HTTPXError `body` throws, or `nil`; for blocking code, whose issues are recorded on
/// the test's own task afterwards.
func thrownHTTPXError(_ body: () throws -> Void) -> HTTPXError? {
    do {
        try body()
        return nil
    } catch {
        return error as? HTTPXError
    }
}

/// Counts the calls of a transport's `close()`.
struct CountingTransport: Transport {
    let closes = Counter()

    final class Counter: Sendable {
        private let value = Atomic<Int>(0)
        var count: Int { value.load(ordering: .sequentiallyConsistent) }
        func increment() { value.add(1, ordering: .sequentiallyConsistent) }
    }

    func handle(_ request: Request) async throws -> Response { Response(200, text: "ok") }
    func close() async { closes.increment() }
}

@Suite("Blocking client", .timeLimit(.minutes(1)))
struct BlockingClientTests {
    static let transport = MockTransport { request in
        switch request.url.path {
        case "/cookie": Response(200, headers: ["Set-Cookie": "k=v"])
        case "/redirect": Response(302, headers: ["Location": "/echo"])
        case "/stream": Response(200, body: ResponseBody(stream: Chunks(["a", "b", "c"])))
        default: try Response(200, json: ["method": request.method.rawValue, "body": request.contentText, "cookie": request.headers["Cookie"] ?? ""])
        }
    }

    // MARK: - One test per method, each giving every option it takes

    /// The options each method is given; the server wants `auth` and redirects `/redirect`.
    enum Options {
        static let params: QueryParams = ["q": "1"]
        static let headers: Headers = ["X-Test": "1"]
        static let cookies: Cookies = ["c": "1"]
        static let auth = BasicAuth("u", "p")
        static let timeout: Timeout = 7
    }

    /// Answers 401 without `Options.auth`, 307 from `/redirect` to `/landing`, and otherwise
    /// 200 with a streamed body of three chunks: the method, a space and the path. Records
    /// each request in `recorder`, and each closed 200 body in `closed`.
    static func server(_ recorder: Recorder, closed: Recorder = Recorder()) -> MockTransport {
        MockTransport { request in
            recorder.record(request)
            guard request.headers["Authorization"] == Options.auth.headerValue else { return Response(401) }
            if request.url.path == "/redirect" { return Response(307, headers: ["Location": "/landing"]) }
            let body = ResponseBody(
                stream: Chunks([request.method.rawValue, " ", request.url.path]), onClose: { closed.record(request) })
            return Response(200, body: body)
        }
    }

    /// Runs `call` with a new client of base URL `http://h` over ``server(_:closed:)`` on a
    /// plain thread; returns the requests the server saw and the response.
    static func exchange(_ call: @escaping @Sendable (Client) throws -> Response) async throws
        -> (sent: [Request], response: Response)
    {
        let recorder = Recorder()
        let transport = server(recorder)
        let response = try await onPlainThread { () -> Response in
            let client = Client(.init(baseURL: "http://h", transport: transport))
            defer { client.close() }
            return try call(client)
        }
        return (recorder.requests, response)
    }

    /// Expects a request to `/redirect` with all of ``Options`` that followed the redirect.
    static func expectOptionsForwarded(
        _ method: HTTPMethod, _ sent: [Request], _ response: Response, sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        #expect(response.statusCode == 200, "auth was sent", sourceLocation: sourceLocation)
        #expect(response.history.map(\.statusCode) == [307], "the redirect was followed", sourceLocation: sourceLocation)
        #expect(sent.map(\.method) == [method, method], sourceLocation: sourceLocation)
        #expect(sent.map(\.url.description) == ["http://h/redirect?q=1", "http://h/landing"], sourceLocation: sourceLocation)
        #expect(sent.first?.headers["X-Test"] == "1", sourceLocation: sourceLocation)
        #expect(sent.first?.headers["Cookie"] == "c=1", sourceLocation: sourceLocation)
        #expect(sent.first?.extensions.timeout == Options.timeout, sourceLocation: sourceLocation)
        #expect(response.isRead, "the body was read", sourceLocation: sourceLocation)
        if method != .head {
            #expect(try response.text == "\(method.rawValue) /landing", sourceLocation: sourceLocation)
        }
    }

    @Test func get() async throws {
        let (sent, response) = try await Self.exchange {
            try $0.get("/redirect", params: Options.params, headers: Options.headers, cookies: Options.cookies,
                       auth: Options.auth, followRedirects: true, timeout: Options.timeout)
        }
        try Self.expectOptionsForwarded(.get, sent, response)
    }

    @Test func head() async throws {
        let (sent, response) = try await Self.exchange {
            try $0.head("/redirect", params: Options.params, headers: Options.headers, cookies: Options.cookies,
                        auth: Options.auth, followRedirects: true, timeout: Options.timeout)
        }
        try Self.expectOptionsForwarded(.head, sent, response)
    }

    @Test func options() async throws {
        let (sent, response) = try await Self.exchange {
            try $0.options("/redirect", params: Options.params, headers: Options.headers, cookies: Options.cookies,
                           auth: Options.auth, followRedirects: true, timeout: Options.timeout)
        }
        try Self.expectOptionsForwarded(.options, sent, response)
    }

    @Test func delete() async throws {
        let (sent, response) = try await Self.exchange {
            try $0.delete("/redirect", params: Options.params, headers: Options.headers, cookies: Options.cookies,
                          auth: Options.auth, followRedirects: true, timeout: Options.timeout)
        }
        try Self.expectOptionsForwarded(.delete, sent, response)
    }

    typealias BodyCall = @Sendable (Client, RequestBody?, FormFields?, MultipartFiles?, JSONValue?) throws -> Response

    /// Expects `call` to send raw content, a form, a multipart upload and JSON, each with
    /// every option, through the 307 redirect (which keeps the body).
    static func expectBodiesSent(
        _ method: HTTPMethod, sourceLocation: SourceLocation = #_sourceLocation, _ call: @escaping BodyCall
    ) async throws {
        let content = try await exchange { try call($0, .text("raw"), nil, nil, nil) }
        try expectOptionsForwarded(method, content.sent, content.response, sourceLocation: sourceLocation)
        #expect(content.sent.map(\.contentText) == ["raw", "raw"], sourceLocation: sourceLocation)

        let form = try await exchange { try call($0, nil, ["a": "1", "b": "2"], nil, nil) }
        try expectOptionsForwarded(method, form.sent, form.response, sourceLocation: sourceLocation)
        #expect(form.sent.first?.contentText == "a=1&b=2", sourceLocation: sourceLocation)
        #expect(form.sent.first?.headers["Content-Type"] == "application/x-www-form-urlencoded", sourceLocation: sourceLocation)

        let upload = try await exchange {
            try call($0, nil, nil, ["f": MultipartFile(filename: "f.txt", content: "file body")], nil)
        }
        try expectOptionsForwarded(method, upload.sent, upload.response, sourceLocation: sourceLocation)
        #expect(upload.sent.first?.headers["Content-Type"]?.hasPrefix("multipart/form-data; boundary=") == true, sourceLocation: sourceLocation)
        #expect(upload.sent.first?.contentText.contains(#"name="f"; filename="f.txt""#) == true, sourceLocation: sourceLocation)
        #expect(upload.sent.first?.contentText.contains("file body") == true, sourceLocation: sourceLocation)

        let json = try await exchange { try call($0, nil, nil, nil, ["j": 1]) }
        try expectOptionsForwarded(method, json.sent, json.response, sourceLocation: sourceLocation)
        #expect(json.sent.first?.contentText == #"{"j":1}"#, sourceLocation: sourceLocation)
        #expect(json.sent.first?.headers["Content-Type"] == "application/json", sourceLocation: sourceLocation)
    }

    @Test func post() async throws {
        try await Self.expectBodiesSent(.post) {
            try $0.post("/redirect", content: $1, data: $2, files: $3, json: $4, params: Options.params,
                        headers: Options.headers, cookies: Options.cookies, auth: Options.auth, followRedirects: true,
                        timeout: Options.timeout)
        }
    }

    @Test func put() async throws {
        try await Self.expectBodiesSent(.put) {
            try $0.put("/redirect", content: $1, data: $2, files: $3, json: $4, params: Options.params,
                       headers: Options.headers, cookies: Options.cookies, auth: Options.auth, followRedirects: true,
                       timeout: Options.timeout)
        }
    }

    @Test func patch() async throws {
        try await Self.expectBodiesSent(.patch) {
            try $0.patch("/redirect", content: $1, data: $2, files: $3, json: $4, params: Options.params,
                         headers: Options.headers, cookies: Options.cookies, auth: Options.auth, followRedirects: true,
                         timeout: Options.timeout)
        }
    }

    static let extensions: RequestExtensions = {
        var extensions = RequestExtensions()
        extensions["trace-id"] = "abc123"
        return extensions
    }()

    @Test func request() async throws {
        let call: BodyCall = {
            try $0.request(.put, "/redirect", params: Options.params, headers: Options.headers, cookies: Options.cookies,
                           content: $1, data: $2, files: $3, json: $4, auth: Options.auth, followRedirects: true,
                           timeout: Options.timeout, extensions: Self.extensions)
        }
        try await Self.expectBodiesSent(.put, call)
        let (sent, _) = try await Self.exchange { try call($0, nil, nil, nil, nil) }
        #expect(sent.first?.extensions["trace-id"] as? String == "abc123")
    }

    @Test func send() async throws {
        let recorder = Recorder()
        let transport = Self.server(recorder)
        let (followed, unfollowed) = try await onPlainThread { () -> (Response, Response) in
            let client = Client(.init(transport: transport))
            defer { client.close() }
            let request = try Request(.post, "http://h/redirect", headers: ["X-Test": "1"], body: .text("sent"))
            return (try client.send(request, auth: Options.auth, followRedirects: true), try client.send(request, auth: Options.auth))
        }
        #expect(followed.statusCode == 200)
        #expect(followed.history.map(\.statusCode) == [307])
        #expect(try followed.isRead && followed.text == "POST /landing", "send reads the body")
        #expect(unfollowed.statusCode == 307, "the client's followRedirects (false) applies")
        #expect(unfollowed.nextRequest?.url.description == "http://h/landing")
        let sent = recorder.requests
        #expect(sent.map(\.url.path) == ["/redirect", "/landing", "/redirect"])
        #expect(sent.map(\.contentText) == ["sent", "sent", "sent"])
        #expect(sent.allSatisfy { $0.headers["X-Test"] == "1" } && sent.count == 3)
    }

    @Test func buildRequest() async throws {
        let recorder = Recorder()
        let transport = Self.server(recorder)
        let built = try await onPlainThread { () -> [Request] in
            let client = Client(.init(
                baseURL: "http://h/api/", params: ["base": "1"], headers: ["X-Client": "1"], cookies: ["jar": "1"],
                timeout: 3, transport: transport))
            defer { client.close() }
            return [
                try client.buildRequest(
                    .patch, "items", params: ["q": "1"], headers: ["X-Test": "1"], cookies: ["c": "1"],
                    json: ["j": 1] as JSONValue, timeout: 7, extensions: Self.extensions),
                try client.buildRequest(.post, "raw", content: .text("raw")),
                try client.buildRequest(.post, "form", data: ["a": "1"]),
                try client.buildRequest(.post, "upload", files: ["f": MultipartFile(filename: "f.txt", content: "x")]),
            ]
        }
        try #require(built.count == 4)
        let first = built[0]
        #expect(first.method == .patch)
        #expect(first.url.description == "http://h/api/items?base=1&q=1")
        #expect(first.headers["X-Client"] == "1" && first.headers["X-Test"] == "1")
        #expect(first.headers["Cookie"] == "jar=1; c=1")
        #expect(first.contentText == #"{"j":1}"#)
        #expect(first.extensions.timeout == 7)
        #expect(first.extensions["trace-id"] as? String == "abc123")
        #expect(built[1].contentText == "raw" && built[1].extensions.timeout == 3, "the client's timeout by default")
        #expect(built[2].contentText == "a=1")
        #expect(built[3].headers["Content-Type"]?.hasPrefix("multipart/form-data") == true)
        #expect(recorder.requests.isEmpty, "building sends nothing")
    }

    @Test func cookies() async throws {
        let transport = MockTransport { request in
            request.url.path == "/set"
                ? Response(200, headers: ["Set-Cookie": "from=server; Path=/"])
                : Response(200, text: request.headers["Cookie"] ?? "none")
        }
        let seen = try await onPlainThread { () -> [String] in
            let client = Client(.init(baseURL: "http://h", cookies: ["initial": "1"], transport: transport))
            defer { client.close() }
            let initial = client.cookies["initial"] ?? "-"
            _ = try client.get("/set")
            let fromServer = client.cookies["from"] ?? "-"
            client.cookies.set("mine", "2", domain: "h")
            let sentWithAll = try client.get("/echo").text
            client.cookies = Cookies()
            let sentAfterReset = try client.get("/echo").text
            return [initial, fromServer, sentWithAll, sentAfterReset]
        }
        try #require(seen.count == 4)
        #expect(seen[0] == "1", "the jar starts with the client's cookies")
        #expect(seen[1] == "server", "a Set-Cookie lands in the jar")
        #expect(Set(seen[2].split(separator: "; ")) == ["initial=1", "from=server", "mine=2"])
        #expect(seen[3] == "none", "setting the jar replaces it")
    }

    @Test func close() async throws {
        let transport = CountingTransport()
        let result = try await onPlainThread { () -> [String] in
            let client = Client(.init(transport: transport))
            _ = try client.get("http://h/")
            let openBefore = client.isClosed ? "closed" : "open"
            client.close()
            let closesAfterFirst = transport.closes.count
            client.close()
            let error = thrownHTTPXError { _ = try client.get("http://h/") }
            return [openBefore, client.isClosed ? "closed" : "open", String(closesAfterFirst),
                    String(transport.closes.count), error?.kind.name ?? "no error", error?.message ?? ""]
        }
        #expect(result == [
            "open", "closed", "1", "1", "ClientClosed",
            "Cannot send <Request(GET, 'http://h/')>: the client has been closed",
        ])

        // From a task it does not block, but refuses new requests at once.
        let inTask = Client(.init(transport: CountingTransport()))
        inTask.close()
        #expect(inTask.isClosed)
        await expectHTTPXError(.clientClosed) { _ = try await inTask.asyncClient.get("http://h/") }
    }

    // MARK: - The whole pipeline, and where the blocking client refuses to run

    @Test func sendsWithTheSamePipeline() async throws {
        let result = try await onPlainThread { () -> [String] in
            let client = Client(.init(baseURL: "http://h", headers: ["X-Test": "1"], followRedirects: true, transport: Self.transport))
            defer { client.close() }
            _ = try client.get("/cookie")
            let posted = try client.post("/echo", json: ["x": 1]).json()
            let redirected = try client.get("/redirect")
            let built = try client.buildRequest(.put, "/echo", content: .text("built"))
            let sent = try client.send(built).json()
            return [
                posted["method"]?.stringValue ?? "", posted["body"]?.stringValue ?? "",
                posted["cookie"]?.stringValue ?? "", String(redirected.history.count),
                sent["body"]?.stringValue ?? "",
            ]
        }
        #expect(result == ["POST", #"{"x":1}"#, "k=v", "1", "built"])
    }

    @Test func refusesToBlockInsideATask() async {
        let client = Client(.init(transport: Self.transport))
        let error = await expectHTTPXError(.blockingInAsyncContext) { _ = try client.get("http://h/") }
        #expect(error?.message.contains("AsyncClient") == true)
        client.close()
    }

    @Test func refusesToBlockAnEventLoop() async throws {
        let client = Client(.init(transport: Self.transport))
        let message = try await MultiThreadedEventLoopGroup.singleton.any().submit { () -> String in
            do {
                _ = try client.get("http://h/")
                return "no error"
            } catch let error as HTTPXError {
                return error.kind.name + ": " + error.message
            } catch {
                return "\(error)"
            }
        }.get()
        #expect(message.hasPrefix("BlockingInAsyncContext: "))
        #expect(message.contains("event loop"))
    }
}
