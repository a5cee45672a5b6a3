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
