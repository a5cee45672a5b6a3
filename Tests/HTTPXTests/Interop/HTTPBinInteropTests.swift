import NIOCore
import Testing

@testable import HTTPX

@Suite("Interop: httpbin under gunicorn", Interop.enabled(Interop.httpbin), .timeLimit(.minutes(2)))
struct HTTPBinInteropTests {
    func client(followRedirects: Bool = false, timeout: Timeout = Timeout(10)) throws -> AsyncClient {
        AsyncClient(.init(baseURL: try Interop.url(Interop.httpbin, "httpbin"), timeout: timeout, followRedirects: followRedirects))
    }

    @Test func queryParamsAndHeaders() async throws {
        let client = try client()
        let r = try await client.get("/get", params: ["q": "swift nio", "tag": "ü&="], headers: ["X-Custom": "Value"])
        let body = try r.json()
        #expect(body["args"]?["q"] == "swift nio")
        #expect(body["args"]?["tag"] == "ü&=")
        #expect(body["headers"]?["X-Custom"] == "Value")
        #expect(body["headers"]?["User-Agent"]?.stringValue == "swift-httpx/\(HTTPXVersion.current)")
        #expect(body["headers"]?["Accept-Encoding"]?.stringValue == ContentDecoder.supportedEncodings)
    }

    @Test func jsonFormAndMultipartPosts() async throws {
        let client = try client()
        let json = try await client.post("/post", json: ["name": "swift", "stars": 5] as JSONValue).json()
        #expect(json["json"]?["name"] == "swift")
        #expect(json["json"]?["stars"]?.intValue == 5)

        var data: FormFields = ["a": "1", "b": "two words"]
        data.add("a", "2")
        let form = try await client.post("/post", data: data).json()
        #expect(form["form"]?["a"] == ["1", "2"])
        #expect(form["form"]?["b"] == "two words")

        let multipart = try await client.post("/post", data: ["field": "value"], files: [
            "upload": MultipartFile(filename: "report.csv", content: "a,b\n1,2\n"),
            "plain": MultipartFile(filename: nil, content: "text content"),
        ]).json()
        #expect(multipart["files"]?["upload"] == "a,b\n1,2\n")
        #expect(multipart["form"]?["field"] == "value")
        #expect(multipart["form"]?["plain"] == "text content")
        #expect(multipart["headers"]?["Content-Type"]?.stringValue?.hasPrefix("multipart/form-data; boundary=") == true)
    }

    @Test func streamedRequestBody() async throws {
        let r = try await client().put("/put", content: .stream(Chunks(["part one, ", "part two"])))
        #expect(try r.json()["data"] == "part one, part two")
    }

    @Test(arguments: ["gzip", "deflate"])
    func contentEncodings(_ coding: String) async throws {
        let r = try await client().get("/\(coding)")
        #expect(r.headers["Content-Encoding"] == coding)
        #expect(try r.json()[coding == "gzip" ? "gzipped" : "deflated"] == true)
    }

    @Test func streamedAndChunkedResponses() async throws {
        let client = try client()
        let lines = try await client.stream(.get, "/stream/20") { response in
            #expect(response.headers["Transfer-Encoding"] == "chunked")
            var lines = 0
            for try await line in response.lines() where !line.isEmpty { lines += 1 }
            return lines
        }
        #expect(lines == 20)
        let bytes = try await client.get("/stream-bytes/100000", params: ["chunk_size": "1000", "seed": "1"])
        #expect(try bytes.content.count == 100_000)
        let drip = try await client.get("/drip", params: ["numbytes": "5", "duration": "0.5", "delay": "0"])
        #expect(try drip.content == Array("*****".utf8))
    }

    @Test func redirectsWithCookies() async throws {
        let client = try client(followRedirects: true)
        let r = try await client.get("/cookies/set", params: ["flavour": "oat", "kind": "chip"])
        #expect(r.url.path == "/cookies")
        #expect(r.history.map(\.statusCode) == [302])
        #expect(try r.json()["cookies"]?["flavour"] == "oat")
        #expect(try client.cookies.get("kind") == "chip")
        let deleted = try await client.get("/cookies/delete", params: ["flavour": ""])
        #expect(try deleted.json()["cookies"]?["flavour"] == nil)

        #expect(try await client.get("/redirect/3").history.count == 3)
        #expect(try await client.get("/relative-redirect/2").url.path == "/get")
        #expect(try await client.get("/absolute-redirect/2").url.path == "/get")
        let post = try await client.post("/redirect-to", content: .text("x"), params: ["url": "/get", "status_code": "303"])
        #expect(post.request.method == .get)
        let tooMany = AsyncClient(.init(baseURL: try Interop.url(Interop.httpbin, "httpbin"), followRedirects: true, maxRedirects: 2))
        await expectHTTPXError(.tooManyRedirects) { _ = try await tooMany.get("/redirect/5") }
    }

    @Test(arguments: [200, 204, 304, 418, 500, 503])
    func statusCodes(_ code: Int) async throws {
        let r = try await client().get("/status/\(code)")
        #expect(r.statusCode == code)
        if code >= 400 {
            await expectHTTPXError(.httpStatus) { try r.raiseForStatus() }
        }
    }

    @Test func readTimeoutOnADelayedResponse() async throws {
        let start = ContinuousClock.now
        // Connect and pool get room for a loaded machine; only the read timeout is short.
        await expectHTTPXError(.readTimeout) { _ = try await client(timeout: Timeout(10, read: 0.5)).get("/delay/10") }
        #expect(ContinuousClock.now - start < .seconds(8), "before the server's 10 s delay ended")
        #expect(try await client().get("/delay/1").statusCode == 200)
    }

    @Test func methodsAndBasicAuth() async throws {
        let client = try client()
        for method: HTTPMethod in [.get, .post, .put, .patch, .delete] {
            let path = "/\(method.rawValue.lowercased())"
            #expect(try await client.request(method, path).statusCode == 200, "\(method)")
        }
        #expect(try await client.get("/basic-auth/user/pass", auth: .basic("user", "pass")).statusCode == 200)
        #expect(try await client.get("/basic-auth/user/pass", auth: .basic("user", "wrong")).statusCode == 401)
    }

    @Test func blockingClientAgainstARealServer() async throws {
        let base = try Interop.url(Interop.httpbin, "httpbin")
        let status = try await onPlainThread {
            try Client.withClient(.init(baseURL: base)) { client in try client.get("/get").statusCode }
        }
        #expect(status == 200)
    }
}
