import Foundation
import Testing

@testable import HTTPX

/// The same workload through every kind of proxy the interop peers offer: squid forwarding,
/// squid tunnelling everything, squid over TLS with credentials, and SOCKS5 with and without
/// credentials.
@Suite("Interop: one workload through every proxy", Interop.enabled(Interop.squid), .timeLimit(.minutes(3)))
struct ProxyWorkloadInteropTests {
    enum Kind: String, CaseIterable, Sendable {
        case squidForward, squidTunnelOnly, squidTLSWithAuth, socks5, socks5hWithAuth
    }

    static func proxy(_ kind: Kind) throws -> Proxy {
        switch kind {
        case .squidForward:
            return Proxy(try Interop.url(Interop.squid, "squid"))
        case .squidTunnelOnly:
            return Proxy(try Interop.url(Interop.squidAuth, "squid with auth"),
                         auth: .init(Interop.proxyUser, Interop.proxyPassword), mode: .tunnelOnly)
        case .squidTLSWithAuth:
            // The TLS port takes no credentials; they must still go only to the proxy.
            return Proxy(try Interop.url(Interop.squidTLS, "squid TLS"),
                         auth: .init(Interop.proxyUser, Interop.proxyPassword), verify: try Interop.caBundle())
        case .socks5:
            return Proxy(try Interop.url(Interop.socks, "SOCKS5"))
        case .socks5hWithAuth:
            let url = try Interop.url(Interop.socksAuth, "SOCKS5 with auth").replacingOccurrences(of: "socks5://", with: "socks5h://")
            return Proxy(url, auth: .init(Interop.socksUser, Interop.socksPassword))
        }
    }

    @Test(arguments: Kind.allCases)
    func httpbinWorkload(_ kind: Kind) async throws {
        let httpbin = try Interop.url(Interop.httpbin, "httpbin")
        try await AsyncClient.withClient(.init(baseURL: httpbin, followRedirects: true, proxies: Proxies(try Self.proxy(kind)))) { client in
            let get = try await client.get("/get", params: ["q": "swift nio", "kind": kind.rawValue])
            #expect(try get.json()["args"]?["q"] == "swift nio")
            #expect(try get.json()["headers"]?["Proxy-Authorization"] == nil, "proxy credentials reached the origin")
            let json = try await client.post("/post", json: ["kind": .string(kind.rawValue)] as JSONValue)
            #expect(try json.json()["json"]?["kind"]?.stringValue == kind.rawValue)
            let multipart = try await client.post("/post", data: ["field": "value"], files: [
                "upload": MultipartFile(filename: "report.csv", content: "a,b\n1,2\n")
            ])
            #expect(try multipart.json()["files"]?["upload"] == "a,b\n1,2\n")
            let redirected = try await client.get("/redirect/2")
            #expect(redirected.statusCode == 200 && redirected.history.count == 2)
            let digest = try await client.get("/digest-auth/auth/user/pass/SHA-256", auth: .digest("user", "pass"))
            #expect(digest.statusCode == 200)
        }
    }

    @Test(arguments: Kind.allCases)
    func download64MiBOverHTTP2(_ kind: Kind) async throws {
        let tls = try Interop.url(Interop.tls, "nginx TLS")
        try await AsyncClient.withClient(.init(
            timeout: Timeout(30), verify: try Interop.caBundle(), http2: true, proxies: Proxies(try Self.proxy(kind))
        )) { client in
            let version = try await Interop.streamMatchesFile(client, tls + "/64m.bin", path: Interop.wwwRoot + "/64m.bin")
            #expect(version == "HTTP/2")
        }
    }
}
