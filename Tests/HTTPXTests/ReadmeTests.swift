#if canImport(FoundationEssentials)
import FoundationEssentials
#endif
import Foundation
import Testing

@testable import HTTPX

/// The README's quickstart block, kept compiling and true.
@Suite("README")
struct ReadmeTests {
    @Test func quickstart() async throws {
        let transport = MockTransport { request in
            try Response(200, json: ["path": request.url.path, "query": request.url.query ?? ""])
        }
        try await AsyncClient.withClient(.init(
            baseURL: "https://httpbin.org",
            params: ["api-version": "2"],
            headers: ["User-Agent": "my-app/0.0.1"],
            transport: transport
        )) { client in
            let r = try await client.get("/get", params: ["q": "swift"])
            #expect(r.statusCode == 200)
            #expect(r.url.description == "https://httpbin.org/get?api-version=2&q=swift")
            #expect(r.headers["content-type"] == "application/json")
            #expect(try r.text.contains("\"path\":\"/get\""))
            #expect(try r.json()["path"] == "/get")
            #expect(r.request.headers["User-Agent"] == "my-app/0.0.1")
        }
    }
}

extension ReadmeTests {
    /// The README's in-process block.
    @Test func callingIntoSwiftWebApps() async throws {
        let app = AppTransport { request, context in
            Response(200, text: "Hello World! (\(context.path))")
        }
        let client = AsyncClient(.init(baseURL: "http://testserver", transport: app))
        let r = try await client.get("/")
        #expect(try r.text == "Hello World! (/)")

        let custom = AppTransport(raiseAppExceptions: false, rootPath: "/api", clientAddress: "1.2.3.4") { request, context in
            Response(200, text: "\(context.clientAddress) called \(context.path)")
        }
        let other = AsyncClient(.init(transport: custom))
        #expect(try await other.get("http://testserver/api/x").text == "1.2.3.4 called /x")
    }
}

/// The examples in docs/auth.md are the code of Examples/AuthExamples, which the test command
/// runs (`swift run httpx-auth-examples`): each Swift block that declares a type must appear
/// there word for word.
@Suite("docs/auth.md")
struct AuthDocsTests {
    @Test func examplesAreTheRunnableCode() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let doc = try String(contentsOf: root.appendingPathComponent("docs/auth.md"), encoding: .utf8)
        let folder = root.appendingPathComponent("Examples/AuthExamples")
        let sources = try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted().map {
            try String(contentsOf: folder.appendingPathComponent($0), encoding: .utf8)
        }.joined(separator: "\n")
        let blocks = doc.components(separatedBy: "```swift\n").dropFirst().map { $0.components(separatedBy: "\n```").first ?? "" }
        let typeBlocks = blocks.filter { $0.contains("struct ") || $0.contains("final class ") }
        #expect(typeBlocks.count == 4)
        for block in typeBlocks {
            #expect(sources.contains(block), "not in Examples/AuthExamples:\n\(block)")
        }
    }
}

extension ReadmeTests {
    /// The README's proxies block compiles and routes as it says.
    @Test func proxies() throws {
        let routed: Proxies = [
            "http://example.com": "http://127.0.0.1:3080",
            "all://example.com": "http://127.0.0.1:3081",
            "http": "http://127.0.0.1:3082",
            "all": "http://127.0.0.1:3083",
            "all://internal.example.com": nil,
        ]
        #expect(try routed.proxy(for: HTTPURL("http://example.com/"))?.port == 3080)
        #expect(try routed.proxy(for: HTTPURL("https://example.com/"))?.port == 3081)
        #expect(try routed.proxy(for: HTTPURL("http://other.org/"))?.port == 3082)
        #expect(try routed.proxy(for: HTTPURL("https://other.org/"))?.port == 3083)
        #expect(try routed.proxy(for: HTTPURL("https://internal.example.com/")) == nil)

        let proxy = Proxy(
            "https://127.0.0.1:3129", auth: .init("user", "pass"), headers: ["X-Team": "search"],
            mode: .tunnelOnly, verify: .caBundle("proxy-ca.pem"))
        #expect(proxy.route(for: try HTTPURL("http://example.com")) == .tunnel)
        #expect("\(proxy)" == "https://user:[secure]@127.0.0.1:3129")
        let rules = Proxies(["all": "http://proxy:3128"], noProxy: "localhost, 10.0.0.0/8")
        #expect(try rules.proxy(for: HTTPURL("http://10.2.3.4/")) == nil)
    }
}
