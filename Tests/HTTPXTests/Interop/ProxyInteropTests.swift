import Foundation
import NIOCore
import Testing

@testable import HTTPX

/// Requests through squid (forwarding, CONNECT, basic auth, TLS to the proxy) to httpbin and
/// the nginx TLS/HTTP/2 server; the proxy's access log proves what went through it.
@Suite("Interop: HTTP proxies (squid)", Interop.enabled(Interop.squid), .timeLimit(.minutes(3)))
struct ProxyInteropTests {
    var httpbin: String { get throws { try Interop.url(Interop.httpbin, "httpbin") } }
    var tls: String { get throws { try Interop.url(Interop.tls, "nginx TLS") } }
    var squid: String { get throws { try Interop.url(Interop.squid, "squid") } }
    var caBundle: TLSVerification { get throws { try Interop.caBundle() } }

    /// `host:port` of a peer's URL.
    func authority(_ url: String) throws -> String {
        let parsed = try HTTPURL(url)
        return "\(parsed.host):\(parsed.effectivePort ?? 0)"
    }

    @Test func forwardsHTTPRequestsWithAbsoluteTargets() async throws {
        let token = Interop.token()
        try await AsyncClient.withClient(.init(baseURL: httpbin, proxies: Proxies(Proxy(squid)))) { client in
            let r = try await client.get("/get", params: ["token": token, "q": "swift nio"])
            #expect(r.statusCode == 200)
            #expect(try r.json()["args"]?["q"] == "swift nio")
            #expect(try r.json()["headers"]?["Proxy-Authorization"] == nil)

            let json = try await client.post("/post", json: ["token": .string(token)] as JSONValue).json()
            #expect(json["json"]?["token"]?.stringValue == token)
            let multipart = try await client.post("/post", data: ["field": "value"], files: [
                "upload": MultipartFile(filename: "report.csv", content: "a,b\n1,2\n")
            ]).json()
            #expect(multipart["files"]?["upload"] == "a,b\n1,2\n")
        }
        let log = try await Interop.log(Interop.squidLog, containing: token)
        #expect(log.contains("GET \(try httpbin)/get?token=\(token)"))
    }

    @Test func forwardingConnectionsAreSharedAcrossOrigins() async throws {
        let transport = HTTPTransport(proxies: Proxies(Proxy(try squid)))
        let nginx = try Interop.url(Interop.nginx, "nginx")
        let origin = try httpbin
        for url in [origin + "/get", nginx + "/hello", origin + "/get", nginx + "/hello"] {
            var r = try await transport.handle(Request(.get, url))
            try await r.read()
        }
        #expect(transport.connectionCount == 1)
        await transport.close()
    }

    @Test func tunnelsHTTPSWithHTTP2AndKeepsThePathFromTheProxy() async throws {
        let token = Interop.token()
        try await AsyncClient.withClient(.init(
            headers: ["Authorization": "Bearer \(token)-secret"], verify: caBundle, http2: true,
            proxies: Proxies(Proxy(squid))
        )) { client in
            let r = try await client.get(try tls + "/hello", params: ["token": token])
            #expect(r.httpVersion == "HTTP/2")
            #expect(try r.text.hasPrefix("hello over HTTP/2"))
            // Several requests share the one tunnelled connection.
            async let a = client.get(try tls + "/hello")
            async let b = client.get(try tls + "/hello")
            #expect(try await [a, b].allSatisfy { $0.statusCode == 200 })
        }
        let log = try await Interop.log(Interop.squidLog, containing: "CONNECT \(try authority(tls))")
        #expect(log.contains("CONNECT \(try authority(tls))"))
        #expect(!log.contains(token), "the tunnelled path and Authorization never reach the proxy")
    }

    @Test func streams64MiBThroughATunnelAndByForwarding() async throws {
        let path = Interop.wwwRoot + "/64m.bin"
        let nginx = try Interop.url(Interop.nginx, "nginx")
        try await AsyncClient.withClient(.init(timeout: Timeout(30), verify: caBundle, proxies: Proxies(Proxy(squid)))) { client in
            _ = try await Interop.streamMatchesFile(client, try tls + "/64m.bin", path: path)
            _ = try await Interop.streamMatchesFile(client, nginx + "/64m.bin", path: path)
        }
    }

    @Test func followsRedirectsThroughTheProxy() async throws {
        try await AsyncClient.withClient(.init(baseURL: httpbin, followRedirects: true, proxies: Proxies(Proxy(squid)))) { client in
            let r = try await client.get("/redirect/3")
            #expect(r.statusCode == 200)
            #expect(r.history.count == 3)
        }
    }

    @Test func digestAuthThroughATunnelToAPlainOrigin() async throws {
        let token = Interop.token()
        try await AsyncClient.withClient(.init(
            baseURL: httpbin, auth: .digest("user", "pass"), proxies: Proxies(Proxy(squid, mode: .tunnelOnly))
        )) { client in
            let r = try await client.get("/digest-auth/auth/user/pass/MD5", headers: ["X-Token": token])
            #expect(r.statusCode == 200)
            #expect(try r.json()["authenticated"] == true)
        }
        let log = try await Interop.log(Interop.squidLog, containing: "CONNECT \(try authority(httpbin))")
        #expect(log.contains("CONNECT \(try authority(httpbin))"))
        #expect(!log.contains("/digest-auth/auth/user/pass/MD5"))
    }

    @Test func forwardOnlySendsHTTPSURLsToTheProxy() async throws {
        let token = Interop.token()
        try await AsyncClient.withClient(.init(proxies: Proxies(Proxy(squid, mode: .forwardOnly)))) { client in
            let r = try await client.get(try tls + "/hello", params: ["token": token])
            #expect(r.statusCode == 200)
            #expect(try r.text.hasPrefix("hello over HTTP/1.1"), "squid made the TLS connection")
        }
        let log = try await Interop.log(Interop.squidLog, containing: token)
        #expect(log.contains("GET \(try tls)/hello?token=\(token)"))
    }

    @Test func tunnelledTLSChecksTheOriginsNameNotTheProxysAddress() async throws {
        // The certificate names only 127.0.0.1, which is also the proxy's address: asked for
        // `localhost` through the tunnel, it must be refused.
        let ipOnly = try HTTPURL(try Interop.url(Interop.tlsIPOnly, "nginx with an IP-only certificate"))
        let port = ipOnly.effectivePort ?? 0
        try await AsyncClient.withClient(.init(verify: caBundle, proxies: Proxies(Proxy(squid)))) { client in
            let error = await expectHTTPXError(.connectError) { _ = try await client.get("https://localhost:\(port)/") }
            #expect(error?.message.contains("not valid for this host name") == true)
            #expect(try await client.get("https://127.0.0.1:\(port)/").text == "ip only")
            let wrongHost = try Interop.url(Interop.tlsWrongHost, "nginx with a wrong-host certificate")
            await expectHTTPXError(.connectError) { _ = try await client.get(wrongHost) }
        }
    }

    // MARK: - Credentials

    @Test func proxyCredentialsFromTheURLOrAuth() async throws {
        let proxy = try Interop.url(Interop.squidAuth, "squid with auth")
        let withUserinfo = proxy.replacingOccurrences(
            of: "http://", with: "http://\(Interop.proxyUser):\(Interop.proxyPassword)@")
        for proxies in [
            Proxies(Proxy(withUserinfo)),
            Proxies(Proxy(proxy, auth: .init(Interop.proxyUser, Interop.proxyPassword))),
        ] {
            try await AsyncClient.withClient(.init(verify: caBundle, proxies: proxies)) { client in
                let forwarded = try await client.get(try httpbin + "/headers")
                #expect(forwarded.statusCode == 200)
                // squid takes the proxy's credentials; the origin never sees them.
                #expect(try forwarded.json()["headers"]?["Proxy-Authorization"] == nil)
                #expect(try await client.get(try tls + "/hello").statusCode == 200)
            }
        }
        let log = try await Interop.log(Interop.squidLog, containing: "CONNECT \(try authority(tls)) \(Interop.proxyUser)")
        #expect(log.contains("CONNECT \(try authority(tls)) \(Interop.proxyUser)"))
    }

    @Test func refusedTunnelsFailWithProxyErrorAndNoPassword() async throws {
        let proxy = try Interop.url(Interop.squidAuth, "squid with auth")
        let wrong = proxy.replacingOccurrences(of: "http://", with: "http://\(Interop.proxyUser):wrong-hunter2@")
        try await AsyncClient.withClient(.init(
            limits: Limits(maxConnections: 1), verify: caBundle, proxies: Proxies(Proxy(wrong))
        )) { client in
            // A forwarded request gets the proxy's 407 as its response, as httpx does.
            #expect(try await client.get(try httpbin + "/get").statusCode == 407)
            // A tunnel fails; its pool slot is freed each time.
            for _ in 0..<3 {
                let error = await expectHTTPXError(.proxy) { _ = try await client.get(try tls + "/hello") }
                let message = try #require(error?.message)
                #expect(message.contains("407"))
                #expect(message.contains(proxy))
                #expect(message.contains(try authority(tls)))
                #expect(!message.contains("hunter2"))
                #expect(!"\(error as Any)".contains("hunter2"))
            }
        }
    }

    @Test func unreachableProxiesFailWithProxyError() async throws {
        try await AsyncClient.withClient(.init(proxies: "http://user:hunter2@127.0.0.1:1")) { client in
            let error = await expectHTTPXError(.proxy) { _ = try await client.get(try httpbin + "/get") }
            #expect(error?.message.contains("127.0.0.1:1") == true)
            #expect(error?.message.contains("hunter2") == false)
        }
    }

    // MARK: - TLS to the proxy

    @Test func httpsProxyForwardsAndTunnelsTLSInsideTLS() async throws {
        let proxy = Proxy(try Interop.url(Interop.squidTLS, "squid TLS"), verify: try caBundle)
        let token = Interop.token()
        try await AsyncClient.withClient(.init(verify: caBundle, http2: true, proxies: Proxies(proxy))) { client in
            let forwarded = try await client.get(try httpbin + "/get", params: ["token": token])
            #expect(try forwarded.json()["args"]?["token"]?.stringValue == token)
            let tunnelled = try await client.get(try tls + "/hello")
            #expect(tunnelled.httpVersion == "HTTP/2")
            #expect(try tunnelled.text.hasPrefix("hello over HTTP/2"))
        }
        let log = try await Interop.log(Interop.squidLog, containing: token)
        #expect(log.contains(token))
    }

    @Test func httpsProxyIsVerifiedWithItsOwnTrust() async throws {
        // The origin's CA bundle would trust the proxy's certificate; the proxy's own setting
        // (the system store) does not, so the proxy is refused.
        let proxy = Proxy(try Interop.url(Interop.squidTLS, "squid TLS"))
        try await AsyncClient.withClient(.init(verify: caBundle, proxies: Proxies(proxy))) { client in
            let error = await expectHTTPXError(.proxy) { _ = try await client.get(try httpbin + "/get") }
            #expect(error?.message.contains("TLS with proxy") == true)
        }
    }
}
