import HTTPTypes
import Synchronization
import Testing

@testable import HTTPX

/// Conversions between swift-http-types and this library's requests, responses and headers.
@Suite("swift-http-types conversions")
struct HTTPTypesTests {
    @Test("Headers and HTTPFields convert both ways, keeping order, repeats and casing")
    func headersRoundTrip() throws {
        let headers: Headers = [("X-Trace", "1"), ("Accept", "text/html"), ("x-trace", "2")]
        let fields = try HTTPFields(validating: headers)
        #expect(fields.count == 3)
        #expect(fields[values: HTTPField.Name("X-Trace")!] == ["1", "2"])
        let back = Headers(fields)
        #expect(back.fields.map(\.name) == ["X-Trace", "Accept", "x-trace"])
        #expect(back.values(for: "x-trace") == ["1", "2"])
    }

    @Test("Fields HTTPFields would change silently are refused")
    func invalidFieldsAreRefused() {
        #expect(throws: HTTPXError.self) { try HTTPFields(validating: [("Bad Name", "x")]) }
        #expect(throws: HTTPXError.self) { try HTTPFields(validating: [("X-Ok", "line\r\nInjected: 1")]) }
    }

    @Test("An HTTPRequest and a body make a Request with an absolute URL and Host")
    func requestFromHTTPTypes() throws {
        let head = HTTPRequest(
            method: .post, scheme: "https", authority: "example.org:8443", path: "/items?page=2",
            headerFields: [.contentType: "application/json"])
        let request = try Request(head, body: .text("{}"))
        #expect(request.method == .post)
        #expect(request.url.description == "https://example.org:8443/items?page=2")
        #expect(request.headers["Host"] == "example.org:8443")
        #expect(request.headers["Content-Type"] == "application/json")
        #expect(request.headers["Content-Length"] == "2")
        let asterisk = try Request(HTTPRequest(method: .options, scheme: "https", authority: "example.org", path: "*"))
        #expect(asterisk.target == "*")
        #expect(asterisk.url.description == "https://example.org/")
        let pathOnly = HTTPRequest(method: .get, scheme: nil, authority: nil, path: "/items")
        #expect(throws: HTTPXError.self) { try Request(pathOnly) }
    }

    @Test("A Request becomes an HTTPRequest with the target as path and no userinfo")
    func requestToHTTPTypes() throws {
        var request = try Request(.get, "https://user:secret@example.org/a%20b?q=1", headers: ["Accept": "*/*"])
        let head = try HTTPRequest(validating: request)
        #expect(head.method == .get)
        #expect(head.scheme == "https")
        #expect(head.authority == "example.org")
        #expect(head.path == "/a%20b?q=1")
        #expect(head.headerFields[.accept] == "*/*")
        #expect(!head.headerFields.contains { $0.name.canonicalName == "host" }, "Host travels as :authority")
        request.method = HTTPMethod(rawValue: "BAD METHOD")
        #expect(throws: HTTPXError.self) { try HTTPRequest(validating: request) }
    }

    @Test("Responses convert both ways; a status beyond HTTPTypes' range does not trap")
    func responses() throws {
        let head = HTTPResponse(status: .created, headerFields: [.location: "/items/1"])
        let response = Response(head, body: ResponseBody(text: "made"))
        #expect(response.statusCode == 201)
        #expect(response.reasonPhrase == "Created")
        #expect(response.headers["Location"] == "/items/1")
        #expect(response.httpResponse.status == .created)
        #expect(response.httpResponse.headerFields[.location] == "/items/1")
        #expect(Response(1234).httpResponse.status.code == 999)
    }

    @Test("The client sends an HTTPRequest with its body through its own pipeline, relative to baseURL")
    func clientSendsHTTPRequest() async throws {
        let seen = Mutex<[Request]>([])
        let client = AsyncClient(.init(
            baseURL: "https://api.example.org/v1/", headers: ["X-Client": "yes"],
            transport: MockTransport { request in
                seen.withLock { $0.append(request) }
                return Response(200, text: "ok")
            }))
        var head = HTTPRequest(method: .put, scheme: nil, authority: nil, path: "items/7")
        head.headerFields[.contentType] = "text/plain"
        let response = try await client.send(head, body: .text("seven"))
        #expect(response.httpResponse.status == .ok)
        let sent = try #require(seen.withLock { $0.first })
        #expect(sent.method == .put)
        #expect(sent.url.description == "https://api.example.org/v1/items/7")
        #expect(sent.headers["X-Client"] == "yes")
        #expect(sent.headers["Content-Type"] == "text/plain")
        #expect(sent.body.bytes == Array("seven".utf8))
    }
}
