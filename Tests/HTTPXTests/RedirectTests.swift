import Testing

@testable import HTTPX

@Suite("Redirects")
struct RedirectTests {
    /// A server whose paths `/redirect/<status>` redirect to `/target`.
    static func redirecting(_ request: Request) -> Response {
        let parts = request.url.path.split(separator: "/")
        if parts.first == "redirect", let status = parts.last.flatMap({ Int($0) }) {
            return Response(status, headers: ["Location": "/target"])
        }
        return Response(200, text: "arrived")
    }

    @Test(arguments: [
        (301, HTTPMethod.post, HTTPMethod.get), (301, .put, .put), (302, .post, .get), (302, .put, .get),
        (302, .head, .head), (303, .post, .get), (303, .delete, .get), (303, .head, .head),
        (307, .post, .post), (308, .put, .put),
    ])
    func methodRules(_ status: Int, _ method: HTTPMethod, _ expected: HTTPMethod) async throws {
        let recorder = Recorder()
        let client = mockClient(followRedirects: true, recorder: recorder, handler: Self.redirecting)
        let response = try await client.request(
            method, "http://h/redirect/\(status)", headers: ["Content-Type": "text/plain"], content: .text("payload"))
        let final = try #require(recorder.last)
        #expect(final.method == expected)
        #expect(response.history.map(\.statusCode) == [status])
        if expected == .get && method != .get {
            #expect(final.content == [] || final.content == nil)
            #expect(!final.headers.contains("Content-Length"))
            #expect(!final.headers.contains("Transfer-Encoding"))
            #expect(final.headers["Content-Type"] == "text/plain", "httpx keeps Content-Type")
        } else if method != .head {
            #expect(final.contentText == "payload")
        }
    }

    @Test func notFollowedByDefaultButNextRequestIsReady() async throws {
        let client = mockClient(handler: Self.redirecting)
        let response = try await client.get("http://h/redirect/302")
        #expect(response.statusCode == 302)
        #expect(response.isRedirect)
        let next = try #require(response.nextRequest)
        #expect(next.url.description == "http://h/target")
        #expect(try await client.send(next).text == "arrived")
        #expect(try await client.get("http://h/redirect/302", followRedirects: true).statusCode == 200)
    }

    @Test func authorizationDroppedAcrossOriginsButKeptOnHTTPSUpgrade() async throws {
        let recorder = Recorder()
        let client = mockClient(auth: .basic("u", "p"), followRedirects: true, recorder: recorder) { request in
            switch (request.url.host, request.url.path) {
            case ("a.com", "/other"): Response(302, headers: ["Location": "http://b.com/landing"])
            case ("a.com", "/upgrade"): Response(301, headers: ["Location": "https://a.com/secure"])
            case ("a.com", "/port"): Response(301, headers: ["Location": "https://a.com:8443/secure"])
            default: Response(200)
            }
        }
        _ = try await client.get("http://a.com/other")
        #expect(recorder.last?.url.host == "b.com")
        #expect(recorder.last?.headers.contains("Authorization") == false)
        #expect(recorder.last?.headers["Host"] == "b.com")
        _ = try await client.get("http://a.com/upgrade")
        #expect(recorder.last?.url.scheme == "https")
        #expect(recorder.last?.headers["Authorization"] == "Basic dTpw")
        _ = try await client.get("http://a.com/port")
        #expect(recorder.last?.headers.contains("Authorization") == false)
        #expect(recorder.last?.headers["Host"] == "a.com:8443")
    }

    @Test func cookiesAreRebuiltFromTheJarOnEveryHop() async throws {
        let recorder = Recorder()
        let client = mockClient(followRedirects: true, recorder: recorder) { request in
            switch request.url.path {
            case "/login": Response(302, headers: [("Location", "/home"), ("Set-Cookie", "session=s1")])
            case "/away": Response(302, headers: ["Location": "http://elsewhere.org/"])
            default: Response(200)
            }
        }
        let response = try await client.get("http://a.com/login")
        #expect(recorder.last?.headers["Cookie"] == "session=s1")
        #expect(try response.history.first?.cookies.get("session") == "s1")
        #expect(try client.cookies.get("session") == "s1")
        _ = try await client.get("http://a.com/away")
        #expect(recorder.last?.url.host == "elsewhere.org")
        #expect(recorder.last?.headers.contains("Cookie") == false)
    }

    @Test func resolvesLocationsAndKeepsTheFragment() async throws {
        let recorder = Recorder()
        let client = mockClient(followRedirects: true, recorder: recorder) { request in
            switch request.url.path {
            case "/a/b": Response(302, headers: ["Location": "../c?x=1"])
            case "/scheme-relative": Response(302, headers: ["Location": "//cdn.example.org/file"])
            case "/malformed": Response(302, headers: ["Location": "https:/fixed/path"])
            default: Response(200)
            }
        }
        _ = try await client.get("http://h.com/a/b#frag")
        #expect(recorder.last?.url.description == "http://h.com/c?x=1#frag")
        _ = try await client.get("https://h.com/scheme-relative")
        #expect(recorder.last?.url.description == "https://cdn.example.org/file")
        // As browsers (WHATWG): another scheme with one slash names a host.
        _ = try await client.get("http://h.com/malformed")
        #expect(recorder.last?.url.description == "https://fixed/path")
    }

    @Test func tooManyRedirects() async throws {
        let recorder = Recorder()
        let loop = mockClient(followRedirects: true, recorder: recorder) { _ in Response(302, headers: ["Location": "/again"]) }
        let error = await expectHTTPXError(.tooManyRedirects) { _ = try await loop.get("http://h/start") }
        #expect(error?.request != nil)
        #expect(recorder.requests.count == 21)

        let limited = mockClient(followRedirects: true, maxRedirects: 2, handler: Self.redirecting)
        #expect(try await limited.get("http://h/redirect/302").statusCode == 200)
        let strict = mockClient(followRedirects: true, maxRedirects: 0) { _ in Response(302, headers: ["Location": "/x"]) }
        await expectHTTPXError(.tooManyRedirects) { _ = try await strict.get("http://h/") }
    }

    @Test func invalidLocationIsARemoteProtocolError() async {
        let client = mockClient(followRedirects: true) { _ in Response(302, headers: ["Location": "http://bad host:99999/"]) }
        let error = await expectHTTPXError(.remoteProtocol) { _ = try await client.get("http://h/") }
        #expect(error?.message.contains("Location") == true)
        let notFollowing = mockClient { _ in Response(302, headers: ["Location": "http://[::1"]) }
        await expectHTTPXError(.remoteProtocol) { _ = try await notFollowing.get("http://h/") }
    }

    @Test func streamBodyCannotBeReplayed() async {
        let client = mockClient(followRedirects: true, handler: Self.redirecting)
        let error = await expectHTTPXError(.streamConsumed) {
            _ = try await client.post("http://h/redirect/307", content: .stream(Chunks(["once"])))
        }
        #expect(error?.message.contains("307") == true)
        // A 303 turns the request into a GET, so no body needs replaying.
        await #expect(throws: Never.self) {
            _ = try await client.post("http://h/redirect/303", content: .stream(Chunks(["once"])))
        }
    }
}
