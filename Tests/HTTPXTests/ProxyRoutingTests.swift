import Testing

@testable import HTTPX

@Suite("Proxy patterns and environment")
struct ProxyRoutingTests {
    private func proxy(_ proxies: Proxies, _ url: String) throws -> String? {
        try proxies.proxy(for: HTTPURL(url))?.url
    }

    @Test func patternsMatchAsHttpxDoes() throws {
        let cases: [(String, String, Bool)] = [
            ("all://", "http://example.com", true),
            ("all://*", "https://anything.org:8443/x", true),
            ("https://", "http://example.com", false),
            ("http://example.com", "http://example.com:8080/", true),
            ("http://example.com:8080", "http://example.com/", false),
            ("all://example.com", "https://example.com/", true),
            ("all://example.com", "https://www.example.com/", false),
            ("all://*.example.com", "https://www.example.com/", true),
            ("all://*.example.com", "https://example.com/", false),
            ("all://*example.com", "https://example.com/", true),
            ("all://*example.com", "https://www.example.com/", true),
            ("all://*example.com", "https://notexample.com/", false),
            ("all://[::1]", "http://[::1]:8080/", true),
            ("all://EXAMPLE.com", "http://example.COM/", true),
        ]
        for (pattern, url, expected) in cases {
            #expect(URLPattern(pattern).matches(try HTTPURL(url)) == expected, "\(pattern) ~ \(url)")
        }
    }

    @Test(arguments: ["http", "example.com", "://example.com", "http://h:port"])
    func refusesPatternsWithoutAScheme(_ pattern: String) async throws {
        #expect(URLPattern(pattern).problem != nil)
        #expect(URLPattern(pattern).matches(try HTTPURL("http://example.com/")) == false)
        let client = AsyncClient(.init(mounts: [URLPattern(pattern): MockTransport { _ in Response(200) }]))
        defer { Task { await client.close() } }
        let error = await expectHTTPXError(.invalidArgument) { _ = try await client.get("http://example.com/") }
        #expect(error?.message.contains(pattern) == true)
    }

    @Test func choosesTheMostSpecificProxy() throws {
        let proxies: Proxies = [
            "all": "http://all:1",
            "http": "http://scheme:1",
            "all://example.com": "http://host:1",
            "http://example.com": "http://schemehost:1",
            "all://example.com:8443": "http://port:1",
            "all://direct.example.com": nil,
        ]
        #expect(try proxy(proxies, "http://example.com/") == "http://schemehost:1")
        #expect(try proxy(proxies, "https://example.com/") == "http://host:1")
        #expect(try proxy(proxies, "https://example.com:8443/") == "http://port:1")
        #expect(try proxy(proxies, "http://other.org/") == "http://scheme:1")
        #expect(try proxy(proxies, "https://other.org/") == "http://all:1")
        #expect(try proxy(proxies, "https://direct.example.com/") == nil)
    }

    @Test func oneURLProxiesEverything() throws {
        let proxies: Proxies = "socks5h://user:pw@127.0.0.1:1080"
        let chosen = try #require(try proxies.proxy(for: HTTPURL("https://example.com/")))
        #expect(chosen.scheme == "socks5h")
        #expect(chosen.auth == Proxy.Credentials("user", "pw"))
        #expect(chosen.port == 1080)
        #expect("\(chosen)" == "socks5h://user:[secure]@127.0.0.1:1080")
        #expect(chosen.url == "socks5h://127.0.0.1:1080")
    }

    @Test func proxyValuesTakeCredentialsDefaultsAndProblems() {
        #expect(Proxy("http://proxy").port == 80)
        #expect(Proxy("https://proxy").port == 443)
        #expect(Proxy("http://u:p@proxy", auth: .init("other", "secret")).auth?.username == "other")
        #expect(Proxy("ftp://proxy").problem?.contains("Unsupported proxy scheme") == true)
        #expect(Proxy("http://u:hunter2@h:bad").problem?.contains("hunter2") == false)
        #expect(Proxy("http://[::1]:3128").url == "http://[::1]:3128")
    }

    @Test func credentialsArePrintedNowhere() {
        let proxy = Proxy("http://user:hunter2@proxy:3128", headers: ["X-Team": "a"])
        var dumped = ""
        dump(proxy, to: &dumped)
        for text in ["\(proxy)", String(reflecting: proxy), dumped, "\(Proxies(proxy).routes)"] {
            #expect(!text.contains("hunter2"), "\(text)")
        }
    }

    @Test func proxyHeadersAreValidated() async {
        let client = AsyncClient(.init(proxies: Proxies(Proxy("http://proxy:3128", headers: ["X-Bad": "a\r\nInjected: 1"]))))
        defer { Task { await client.close() } }
        let error = await expectHTTPXError(.proxy) { _ = try await client.get("http://example.com/") }
        #expect(error?.message.contains("Invalid header for proxy http://proxy:3128") == true)
    }

    @Test func invalidProxiesFailEveryRequestWithoutTheirPassword() async {
        let client = AsyncClient(.init(proxies: ["all": "gopher://u:hunter2@proxy:70"]))
        defer { Task { await client.close() } }
        let error = await expectHTTPXError(.proxy) { _ = try await client.get("http://example.com/") }
        #expect(error?.message.contains("hunter2") == false)
        #expect(error?.message.contains("gopher") == true)
    }

    @Test func routesByModeAndScheme() throws {
        let http = try HTTPURL("http://example.com/")
        let https = try HTTPURL("https://example.com/")
        #expect(ProxyRoute(proxy: "http://p", for: http).kind == .forward)
        #expect(ProxyRoute(proxy: "http://p", for: https).kind == .tunnel)
        #expect(ProxyRoute(proxy: Proxy("http://p", mode: .tunnelOnly), for: http).kind == .tunnel)
        #expect(ProxyRoute(proxy: Proxy("http://p", mode: .forwardOnly), for: https).kind == .forward)
        #expect(ProxyRoute(proxy: "socks5://p", for: http).kind == .socks)
        #expect(ProxyRoute(proxy: Proxy("socks5h://p", mode: .forwardOnly), for: https).kind == .socks)
    }

    @Test func equalProxiesShareAnIdAndPoolKeysCompareByIt() throws {
        let proxies: Proxies = [
            "all://a.example:1": "http://p:1", "all://bb.example": "http://q:1", "http": "http://p:1", "all://x": nil,
        ]
        #expect(proxies.routes.map(\.pattern.pattern) == ["all://a.example:1", "all://bb.example", "all://x", "http://"])
        #expect(proxies.endpoints.map { $0?.id } == [0, 1, nil, 0])
        let url = try HTTPURL("https://a.example:1/")
        let p = Proxy("http://p:1")
        #expect(ProxyRoute(proxy: p, id: 0, for: url) == ProxyRoute(proxy: p, id: 0, for: url))
        #expect(ProxyRoute(proxy: p, id: 0, for: url) != ProxyRoute(proxy: p, id: 1, for: url))
        #expect(ProxyRoute(proxy: p, id: 0, for: url) != ProxyRoute(proxy: Proxy("http://p:1", mode: .forwardOnly), id: 0, for: url))
    }

    // MARK: - Environment

    @Test func readsProxyVariablesLowerCaseFirst() throws {
        let proxies = Proxies.environment([
            "HTTP_PROXY": "http://upper:1", "http_proxy": "http://lower:1",
            "HTTPS_PROXY": "proxy.internal:3128", "ALL_PROXY": "socks5://all:1080",
        ])
        #expect(try proxy(proxies, "http://example.com/") == "http://lower:1")
        #expect(try proxy(proxies, "https://example.com/") == "http://proxy.internal:3128")
        #expect(try proxy(proxies, "ws://example.com/") == "socks5://all:1080")
    }

    @Test func emptyValuesAndCGIAreIgnored() throws {
        let empty = Proxies.environment(["http_proxy": "", "HTTPS_PROXY": ""])
        #expect(try proxy(empty, "http://example.com/") == nil)
        let cgi = Proxies.environment(["HTTP_PROXY": "http://from-a-header:1", "REQUEST_METHOD": "GET"])
        #expect(try proxy(cgi, "http://example.com/") == nil)
    }

    @Test func noProxyRules() throws {
        let env = Proxies.environment([
            "ALL_PROXY": "http://proxy:3128",
            "NO_PROXY": "example.com, .internal.org,localhost,127.0.0.1, [::1], api.test:8443,10.0.0.0/8,fd00::/8",
        ])
        let direct = [
            "http://example.com/", "http://www.example.com/", "https://a.b.internal.org/", "http://internal.org/",
            "http://localhost:8080/", "http://127.0.0.1/", "http://[::1]:9000/", "https://api.test:8443/",
            "http://10.1.2.3/", "http://[fd12::1]/", "http://EXAMPLE.com./",
        ]
        let proxied = [
            "http://notexample.com/", "http://127.0.0.2/", "https://api.test/", "http://11.0.0.1/",
            "http://[fe80::1]/", "http://sub.localhost/", "http://example.com.evil.org/",
        ]
        for url in direct { #expect(try proxy(env, url) == nil, "\(url) should bypass") }
        for url in proxied { #expect(try proxy(env, url) == "http://proxy:3128", "\(url) should be proxied") }
    }

    @Test func noProxyStarBypassesEverything() throws {
        let env = Proxies.environment(["https_proxy": "http://proxy:3128", "no_proxy": "*"])
        #expect(try proxy(env, "https://example.com/") == nil)
    }

    @Test func noProxyIgnoresMalformedEntries() throws {
        let rules = NoProxy("10.0.0.0/99, ::zz/8, host:notaport, , example.org")
        #expect(rules.matches(try HTTPURL("http://example.org/")))
        #expect(!rules.matches(try HTTPURL("http://10.0.0.1/")))
        #expect(!rules.matches(try HTTPURL("http://host/")))
    }

    @Test func clientsReadTheEnvironmentOnlyWithoutProxiesOrTransportAndWithTrustEnv() async {
        func proxies(of client: AsyncClient) -> Proxies? { (client.transport as? HTTPTransport)?.proxies }
        let trusting = AsyncClient()
        let distrusting = AsyncClient(.init(trustEnv: false))
        let given = AsyncClient(.init(proxies: "http://given:1"))
        #expect(proxies(of: trusting) != nil, "the environment's proxies (none, in tests)")
        #expect(proxies(of: distrusting) == nil)
        #expect(proxies(of: given)?.routes.map { $0.proxy?.url } == ["http://given:1"])
        for client in [trusting, distrusting, given] { await client.close() }
    }
}
