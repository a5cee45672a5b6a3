import Testing

@testable import HTTPX

/// The transport's proxy hops against a scripted proxy on loopback: what a forwarding proxy
/// and a `CONNECT` proxy receive, and the timeouts that cover the hop.
@Suite("Proxy hops", .timeLimit(.minutes(1)))
struct ProxyTransportTests {
    static let credentials = Proxy.Credentials("user", "hunter2")
    static let basic = "Basic dXNlcjpodW50ZXIy"

    @Test func forwardedRequestsCarryAnAbsoluteTargetAndTheProxysHeaders() async throws {
        let proxy = try await ScriptedServer.start { connection in
            try await connection.serve { request in
                let seen = [request.target, request.header("Host") ?? "-", request.header("Proxy-Authorization") ?? "-",
                            request.header("X-Team") ?? "-"]
                try await connection.respond(body: seen.joined(separator: "|"))
            }
        }
        defer { Task { await proxy.stop() } }
        let configured = Proxy(proxy.baseURL, auth: Self.credentials, headers: ["X-Team": "search"])
        try await AsyncClient.withClient(.init(proxies: Proxies(configured))) { client in
            let r = try await client.get("http://example.com:8080/a?b=1")
            #expect(try r.text == "http://example.com:8080/a?b=1|example.com:8080|\(Self.basic)|search")
            // The response's request is the caller's, without the proxy's credentials.
            #expect(r.request.headers["Proxy-Authorization"] == nil)
            #expect(r.request.target == "/a?b=1")
            let other = try await client.get("http://other.org/")
            #expect(try other.text.hasPrefix("http://other.org/|other.org|"))
        }
        #expect(proxy.connections == 1, "one connection to the proxy carries every origin")
    }

    @Test func tunnelsSendCredentialsOnTheConnectOnly() async throws {
        let proxy = try await ScriptedServer.start { connection in
            guard let connect = try await connection.readRequest(readBody: false) else { return }
            try await connection.write("HTTP/1.1 200 Connection established\r\n\r\n")
            // Now the tunnel: this end plays the origin.
            try await connection.serve { request in
                let seen = [connect.requestLine, connect.header("Host") ?? "-",
                            connect.header("Proxy-Authorization") ?? "-", connect.header("X-Team") ?? "-",
                            request.target, request.header("Proxy-Authorization") ?? "none",
                            request.header("X-Team") ?? "none"]
                try await connection.respond(body: seen.joined(separator: "|"))
            }
        }
        defer { Task { await proxy.stop() } }
        let configured = Proxy(proxy.baseURL, auth: Self.credentials, headers: ["X-Team": "search"], mode: .tunnelOnly)
        try await AsyncClient.withClient(.init(proxies: Proxies(configured))) { client in
            let r = try await client.get("http://example.com/path?q=1")
            #expect(try r.text == "CONNECT example.com:80 HTTP/1.1|example.com:80|\(Self.basic)|search|/path?q=1|none|none")
            _ = try await client.get("http://example.com/again")
        }
        #expect(proxy.connections == 1, "the tunnel is pooled per proxy and origin")
    }

    @Test func theConnectTimeoutCoversAProxyThatNeverAnswersConnect() async throws {
        let proxy = try await ScriptedServer.start { connection in
            _ = try await connection.readRequest(readBody: false)
            await connection.hang()
        }
        defer { Task { await proxy.stop() } }
        try await AsyncClient.withClient(.init(
            timeout: Timeout(60, connect: 0.3), proxies: Proxies(Proxy("http://u:hunter2@127.0.0.1:\(proxy.port)"))
        )) { client in
            let started = ContinuousClock.now
            let error = await expectHTTPXError(.connectTimeout) { _ = try await client.get("https://example.com/") }
            #expect(ContinuousClock.now - started < .seconds(20), "not the 60 s of the other timeouts")
            #expect(error?.message.contains("through proxy http://127.0.0.1:\(proxy.port)") == true)
            #expect(error?.message.contains("hunter2") == false)
        }
    }

    @Test func theReadTimeoutCoversAForwardingProxy() async throws {
        let proxy = try await ScriptedServer.start { connection in
            _ = try await connection.readRequest()
            await connection.hang()
        }
        defer { Task { await proxy.stop() } }
        try await AsyncClient.withClient(.init(
            timeout: Timeout(5, read: 0.3), proxies: Proxies(Proxy(proxy.baseURL, auth: Self.credentials))
        )) { client in
            let error = await expectHTTPXError(.readTimeout) { _ = try await client.get("http://example.com/a") }
            // The error names the caller's request, not the copy that carried the credentials.
            #expect(error?.request?.headers["Proxy-Authorization"] == nil)
            #expect(error?.request?.target == "/a")
        }
    }

    @Test func aGarbledConnectAnswerFailsAsAProxyError() async throws {
        let proxy = try await ScriptedServer.start { connection in
            _ = try await connection.readRequest(readBody: false)
            try await connection.write("SSH-2.0-OpenSSH_9.2\r\n\r\n")
            await connection.hang()
        }
        defer { Task { await proxy.stop() } }
        try await AsyncClient.withClient(.init(proxies: Proxies(Proxy(proxy.baseURL)))) { client in
            let error = await expectHTTPXError(.proxy) { _ = try await client.get("https://example.com/") }
            #expect(error?.message.contains("malformed status line") == true)
        }
    }

    @Test func redirectsToAnotherOriginDropACallersProxyAuthorization() async throws {
        let transport = MockTransport { request in
            if request.url.host == "a.example" {
                return Response(302, headers: ["Location": "http://b.example/"], text: "")
            }
            return Response(200, text: request.headers["Proxy-Authorization"] ?? "none")
        }
        try await AsyncClient.withClient(.init(followRedirects: true, transport: transport)) { client in
            let r = try await client.get("http://a.example/", headers: ["Proxy-Authorization": Self.basic])
            #expect(try r.text == "none")
        }
    }

    @Test func givenProxiesWithATransportAreMountedBesideIt() async throws {
        let proxy = try await ScriptedServer.start { connection in
            try await connection.serve { request in try await connection.respond(body: "via proxy \(request.target)") }
        }
        defer { Task { await proxy.stop() } }
        let transport = MockTransport { _ in Response(200, text: "direct") }
        try await AsyncClient.withClient(.init(
            proxies: ["http://proxied.example": Proxy(proxy.baseURL), "all://direct.example": nil], transport: transport
        )) { (client: AsyncClient) async throws in
            #expect(try await client.get("http://proxied.example/x").text == "via proxy http://proxied.example/x")
            #expect(try await client.get("http://direct.example/").text == "direct")
            #expect(try await client.get("http://elsewhere.example/").text == "direct")
        }
        // NO_PROXY hosts fall back to the caller's transport, never to the network.
        try await AsyncClient.withClient(.init(
            proxies: Proxies(["all": Proxy(proxy.baseURL)], noProxy: "bypassed.example"), transport: transport
        )) { (client: AsyncClient) async throws in
            #expect(try await client.get("http://bypassed.example/").text == "direct")
            #expect(try await client.get("http://other.example/y").text == "via proxy http://other.example/y")
        }
    }

    @Test func proxyPatternsCompeteWithMountsBySpecificity() async throws {
        let proxy = try await ScriptedServer.start { connection in
            try await connection.serve { request in try await connection.respond(body: "via proxy") }
        }
        defer { Task { await proxy.stop() } }
        let mounted = MockTransport { _ in Response(200, text: "mounted") }
        try await AsyncClient.withClient(.init(
            proxies: ["http://proxied.example": Proxy(proxy.baseURL)], mounts: ["all://": mounted]
        )) { (client: AsyncClient) async throws in
            #expect(try await client.get("http://proxied.example/").text == "via proxy")
            #expect(try await client.get("http://other.example/").text == "mounted")
        }
    }

    @Test func proxyURLsWrittenWithoutASchemeKeepTheirPasswordOutOfErrors() {
        #expect(Proxy("user:s3cret@proxy.corp:3128").problem?.contains("s3cret") == false)
        #expect(Proxy("gopher://user:s3cret@proxy.corp:70").problem?.contains("s3cret") == false)
        #expect(Proxy.redacted("http://u:p@h:1") == "http://[secure]@h:1")
    }
}
