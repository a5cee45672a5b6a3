#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import HTTPTypes
import HTTPX
import NIOCore
import OpenAPIRuntime

/// A swift-openapi-runtime `ClientTransport` that sends an OpenAPI-generated client's
/// requests with an `AsyncClient`: its pool, HTTP/2, TLS settings, proxies, auth,
/// cookies, timeouts, hooks and telemetry all apply. Bodies stream both ways.
///
/// ```swift
/// let http = AsyncClient(.init(timeout: Timeout(30), http2: true))
/// let client = Client(serverURL: try Servers.Server1.url(), transport: HTTPXClientTransport(client: http))
/// let items = try await client.listItems(query: .init(limit: 10)).ok.body.json
/// ```
///
/// A response body is handed over unread, as a stream the generated code reads as it
/// needs; content codings (gzip, deflate, br, zstd) are decoded on the way, so the response carries
/// no `Content-Encoding` (or `Content-Length`, which counted the encoded bytes).
public struct HTTPXClientTransport: ClientTransport {
    /// The client that sends the requests; you close it.
    public let client: AsyncClient

    /// Creates a transport over `client`.
    public init(client: AsyncClient) {
        self.client = client
    }

    public func send(_ request: HTTPRequest, body: HTTPBody?, baseURL: URL, operationID: String) async throws -> (
        HTTPResponse, HTTPBody?
    ) {
        var headers = Headers(request.headerFields)
        headers.remove("Host")
        let sent = try client.buildRequest(
            HTTPMethod(rawValue: request.method.rawValue), Self.url(baseURL, path: request.path), headers: headers,
            content: body.map(Self.requestBody))
        let response = try await client.send(sent, stream: true)
        var head = response.httpResponse
        if request.method == .head {
            await response.close()
            return (head, nil)
        }
        let decoded = response.headers["Content-Encoding"].map { !$0.isEmpty && $0.lowercased() != "identity" } ?? false
        if decoded {
            head.headerFields[.contentEncoding] = nil
            head.headerFields[.contentLength] = nil
        }
        let length = head.headerFields[.contentLength].flatMap { Int64($0) }.map { HTTPBody.Length.known($0) } ?? .unknown
        let chunks = response.bytes().map { @Sendable buffer in ArraySlice(buffer.readableBytesView) }
        return (head, HTTPBody(chunks, length: length, iterationBehavior: .single))
    }

    /// The server URL joined with the operation's path and query, as the generated code gives them.
    static func url(_ baseURL: URL, path: String?) -> String {
        var base = baseURL.absoluteString
        while base.hasSuffix("/") { base.removeLast() }
        let path = path ?? ""
        return base + (path.isEmpty || path.hasPrefix("/") || path.hasPrefix("?") ? path : "/" + path)
    }

    /// The request body, streamed; one that can be iterated again stays replayable (for a
    /// redirect or an auth retry).
    static func requestBody(_ body: HTTPBody) -> RequestBody {
        let length: Int? = if case .known(let count) = body.length { Int(count) } else { nil }
        let chunks = body.map { @Sendable bytes in ByteBuffer(bytes: bytes) }
        if body.iterationBehavior == .multiple {
            return .stream(ByteStream(replayable: chunks), length: length)
        }
        return .stream(chunks, length: length)
    }
}
