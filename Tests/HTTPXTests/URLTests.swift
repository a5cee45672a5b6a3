import Testing

@testable import HTTPX

@Suite("URLs")
struct URLTests {
    @Test func normalisesSchemeHostAndDefaultPort() throws {
        let url = try HTTPURL("HTTP://Example.COM:80/a b?q=1 2#frag")
        #expect(url.scheme == "http")
        #expect(url.host == "example.com")
        #expect(url.port == nil)
        #expect(url.description == "http://example.com/a%20b?q=1%202#frag")
        #expect(url.rawPath == "/a%20b?q=1%202")
        #expect(try HTTPURL("https://example.org:443/").description == "https://example.org/")
        #expect(try HTTPURL("https://example.org:8443").description == "https://example.org:8443/")
    }

    @Test func percentEncodesButKeepsEscapes() throws {
        let url = try HTTPURL("http://h/p?x=a%20b&y=c d/é")
        #expect(url.description == "http://h/p?x=a%20b&y=c%20d/%C3%A9")
        #expect(try HTTPURL("http://h/ä/%zz").path == "/%C3%A4/%zz")
    }

    @Test func parsesIPv6AndUserinfo() throws {
        let v6 = try HTTPURL("http://[::1]:8080/p")
        #expect(v6.host == "::1")
        #expect(v6.port == 8080)
        #expect(v6.netloc == "[::1]:8080")
        let auth = try HTTPURL("http://us%40er:p%3Ass@h/")
        #expect(auth.username == "us@er")
        #expect(auth.password == "p:ss")
        #expect(auth.redacted == "http://us%40er:[secure]@h/")
    }

    @Test(arguments: [
        "http://exa mple.com/", "http://h:99999/", "http://h:12ab/", "http://[::1/", "http://a<b/",
        "http://[zz::1]/", "http://", "http://user@/", "http://1.2.3.256/", "http://xn--/",
    ])
    func rejectsMalformedURLs(_ text: String) async {
        await expectHTTPXError(.invalidURL) { _ = try HTTPURL(text) }
    }

    @Test func redactsPasswordsInErrors() async {
        let error = await expectHTTPXError(.invalidURL) { _ = try HTTPURL("http://user:hunter2@h:bad/") }
        #expect(error?.message.contains("hunter2") == false)
    }

    @Test func joinsAsRFC3986() throws {
        let base = try HTTPURL("http://a/b/c/d;p?q")
        let cases: [(String, String)] = [
            ("g", "http://a/b/c/g"), ("./g", "http://a/b/c/g"), ("g/", "http://a/b/c/g/"),
            ("/g", "http://a/g"), ("//g", "http://g/"), ("?y", "http://a/b/c/d;p?y"),
            ("g?y", "http://a/b/c/g?y"), ("#s", "http://a/b/c/d;p?q#s"), ("..", "http://a/b/"),
            ("../g", "http://a/b/g"), ("../..", "http://a/"), ("../../../g", "http://a/g"),
            ("g;x=1/../y", "http://a/b/c/y"), ("https://other/x", "https://other/x"),
        ]
        for (reference, expected) in cases {
            #expect(try base.join(reference).description == expected, "\(reference)")
        }
    }

    @Test func baseURLPathActsAsDirectory() throws {
        let base = try HTTPURL("http://x.org/api")
        #expect(base.appendingToBase(try HTTPURL("/users?x=1")).description == "http://x.org/api/users?x=1")
        #expect(base.appendingToBase(try HTTPURL("users")).description == "http://x.org/api/users")
        let slash = try HTTPURL("http://x.org/api/")
        #expect(slash.appendingToBase(try HTTPURL("/users")).description == "http://x.org/api/users")
    }

    @Test func mergesParamsReplacingKeys() throws {
        let url = try HTTPURL("http://h/p?a=2&b=3")
        #expect(url.mergingParams(["a": "1", "c": "4"]).description == "http://h/p?a=1&b=3&c=4")
        #expect(url.params["b"] == "3")
    }

    @Test func sameOriginAndHTTPSUpgrade() throws {
        let a = try HTTPURL("http://example.com/a")
        #expect(a.hasSameOrigin(as: try HTTPURL("http://example.com:80/b")))
        #expect(!a.hasSameOrigin(as: try HTTPURL("https://example.com/b")))
        #expect(AsyncClient.isHTTPSUpgrade(from: a, to: try HTTPURL("https://example.com/")))
        #expect(!AsyncClient.isHTTPSUpgrade(from: a, to: try HTTPURL("https://example.com:8443/")))
    }

    @Test func invalidBaseURLFailsEveryRequest() async {
        let client = mockClient(baseURL: "http://exa mple.com")
        let error = await expectHTTPXError(.invalidURL) { _ = try await client.get("/x") }
        #expect(error?.message.contains("base URL") == true)
    }
}
