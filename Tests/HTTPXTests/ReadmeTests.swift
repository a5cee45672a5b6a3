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
        try await AsyncClient.withClient(
            baseURL: "https://httpbin.org",
            params: ["api-version": "2"],
            headers: ["User-Agent": "my-app/0.0.1"],
            transport: transport
        ) { client in
            let r = try await client.get("/get", params: ["q": "swift"])
            #expect(r.statusCode == 200)
            #expect(r.url.description == "https://httpbin.org/get?api-version=2&q=swift")
            #expect(r.headers["content-type"] == "application/json")
            #expect(r.text.contains("\"path\":\"/get\""))
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
        let client = AsyncClient(baseURL: "http://testserver", transport: app)
        let r = try await client.get("/")
        #expect(r.text == "Hello World! (/)")

        let custom = AppTransport(raiseAppExceptions: false, rootPath: "/api", clientAddress: "1.2.3.4") { request, context in
            Response(200, text: "\(context.clientAddress) called \(context.path)")
        }
        let other = AsyncClient(transport: custom)
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
        let typeBlocks = blocks.filter { $0.contains("struct ") }
        #expect(typeBlocks.count == 3)
        for block in typeBlocks {
            #expect(sources.contains(block), "not in Examples/AuthExamples:\n\(block)")
        }
    }
}
