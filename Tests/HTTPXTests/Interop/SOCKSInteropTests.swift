import Testing

@testable import HTTPX

/// Requests through microsocks (RFC 1928, and RFC 1929 username/password) to httpbin and the
/// nginx TLS/HTTP/2 server; its log says which target each tunnel was opened to.
@Suite("Interop: SOCKS5 proxies (microsocks)", Interop.enabled(Interop.socks), .timeLimit(.minutes(2)))
struct SOCKSInteropTests {
    var httpbin: String { get throws { try Interop.url(Interop.httpbin, "httpbin") } }
    var tls: String { get throws { try Interop.url(Interop.tls, "nginx TLS") } }
    var socks: String { get throws { try Interop.url(Interop.socks, "SOCKS5") } }
    var socksAuth: String { get throws { try Interop.url(Interop.socksAuth, "SOCKS5 with auth") } }
    var caBundle: TLSVerification { get throws { try Interop.caBundle() } }

    @Test func socks5hLetsTheProxyResolveNames() async throws {
        let proxy = try socks.replacingOccurrences(of: "socks5://", with: "socks5h://")
        try await AsyncClient.withClient(.init(verify: caBundle, http2: true, proxies: Proxies(Proxy(proxy)))) { client in
            let r = try await client.get(try tls + "/hello")
            #expect(r.httpVersion == "HTTP/2")
            #expect(try r.text.hasPrefix("hello over HTTP/2"))
        }
        let port = try HTTPURL(tls).effectivePort ?? 0
        let log = try await Interop.log(Interop.socksLog, containing: "connected to localhost:\(port)")
        #expect(log.contains("connected to localhost:\(port)"))
    }

    @Test func socks5ResolvesNamesLocally() async throws {
        let url = try HTTPURL(tls)
        let localhostURL = "https://localhost:\(url.effectivePort ?? 0)/hello"
        try await AsyncClient.withClient(.init(verify: caBundle, proxies: Proxies(Proxy(socks)))) { client in
            let r = try await client.get(localhostURL)
            #expect(r.statusCode == 200)
        }
        let log = try await Interop.log(Interop.socksLog, containing: "connected to 127.0.0.1:\(url.effectivePort ?? 0)")
        #expect(log.contains("connected to 127.0.0.1:\(url.effectivePort ?? 0)"))
    }

    @Test func usernameAndPasswordAuthentication() async throws {
        let proxy = Proxy(try socksAuth, auth: .init(Interop.socksUser, Interop.socksPassword))
        try await AsyncClient.withClient(.init(baseURL: httpbin, proxies: Proxies(proxy))) { client in
            let r = try await client.get("/get", params: ["q": "socks"])
            #expect(try r.json()["args"]?["q"] == "socks")
            let post = try await client.post("/post", json: ["a": 1] as JSONValue)
            #expect(try post.json()["json"]?["a"]?.intValue == 1)
        }
    }

    @Test func rejectedCredentialsFailWithProxyErrorAndNoPassword() async throws {
        let withUserinfo = try socksAuth.replacingOccurrences(
            of: "socks5://", with: "socks5://\(Interop.socksUser):wrong-hunter2@")
        try await AsyncClient.withClient(.init(limits: Limits(maxConnections: 1), proxies: Proxies(Proxy(withUserinfo)))) { client in
            for _ in 0..<3 {
                let error = await expectHTTPXError(.proxy) { _ = try await client.get(try httpbin + "/get") }
                #expect(error?.message.contains("rejected the username or password") == true)
                #expect(error?.message.contains("hunter2") == false)
            }
        }
        try await AsyncClient.withClient(.init(proxies: Proxies(Proxy(try socksAuth)))) { client in
            let error = await expectHTTPXError(.proxy) { _ = try await client.get(try httpbin + "/get") }
            #expect(error?.message.contains("authentication") == true)
        }
    }

    @Test func aRefusedTargetFailsWithTheProxysReason() async throws {
        try await AsyncClient.withClient(.init(proxies: Proxies(Proxy(try socks)))) { client in
            let error = await expectHTTPXError(.proxy) { _ = try await client.get("http://127.0.0.1:1/") }
            #expect(error?.message.contains("127.0.0.1:1") == true)
        }
    }
}
