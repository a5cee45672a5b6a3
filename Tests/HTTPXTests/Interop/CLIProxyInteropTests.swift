import Foundation
import Testing

@testable import HTTPX

/// The tool's `--proxy`, and the environment's proxies, through squid.
extension CLIInteropTests {
    @Test(.enabled(if: Interop.squid != nil || Interop.isRequired))
    func proxyFlagAndVerboseOutput() async throws {
        let squid = try Interop.url(Interop.squidAuth, "squid with auth")
        let withUserinfo = squid.replacingOccurrences(
            of: "http://", with: "http://\(Interop.proxyUser):\(Interop.proxyPassword)@")
        let token = Interop.token()
        let run = try await httpx([try base + "/get", "-p", "token", token, "--proxy", withUserinfo, "-v"])
        #expect(run.status == 0)
        #expect(run.stdout.hasPrefix("* Via proxy \(squid) (forwarded)\n* Connecting to '"), "\(run.stdout)")
        #expect(run.stdout.contains("\nGET /get?token=\(token) HTTP/1.1\n"))
        #expect(!run.stdout.contains(Interop.proxyPassword) && !run.stderr.contains(Interop.proxyPassword))
        let log = try await Interop.log(Interop.squidLog, containing: token)
        #expect(log.contains("/get?token=\(token) \(Interop.proxyUser)"))

        let refused = try await httpx([try Interop.url(Interop.tls, "nginx TLS") + "/hello", "--proxy", squid])
        #expect(refused.status == 1)
        #expect(refused.stderr.hasPrefix("ProxyError: "))
        #expect(refused.stderr.contains("407"))
    }

    @Test(.enabled(if: Interop.squid != nil || Interop.isRequired))
    func environmentProxiesAndNoProxy() async throws {
        let squid = try Interop.url(Interop.squid, "squid")
        let proxied = Interop.token()
        let bypassed = Interop.token()
        let environment = ["HTTP_PROXY": squid.replacingOccurrences(of: "http://", with: ""), "NO_PROXY": "localhost"]
        let through = try await httpx([try base + "/get", "-p", "token", proxied, "-v"], environment: environment)
        #expect(through.status == 0)
        #expect(through.stdout.hasPrefix("* Via proxy \(squid) (forwarded)"))
        // The same httpbin as `localhost` is on NO_PROXY, so it goes direct.
        let port = try HTTPURL(base).effectivePort ?? 0
        let direct = try await httpx(["http://localhost:\(port)/get", "-p", "token", bypassed], environment: environment)
        #expect(direct.status == 0)
        let log = try await Interop.log(Interop.squidLog, containing: proxied)
        #expect(log.contains(proxied))
        #expect(!log.contains(bypassed), "a NO_PROXY host bypasses the proxy")
    }

    @Test func helpListsTheProxyFlag() async throws {
        let help = try await httpx(["--help"])
        #expect(help.stdout.contains("--proxy <URL>"))
    }
}
