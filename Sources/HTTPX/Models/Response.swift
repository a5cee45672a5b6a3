import NIOCore

/// An HTTP response: status, headers, body, and where it came from.
///
/// Responses returned by ``AsyncClient/get(_:params:headers:cookies:auth:followRedirects:timeout:extensions:)``
/// and the other request methods have their body read, so ``text``, ``content`` and
/// ``json(as:decoder:)`` are ready:
///
/// ```swift
/// let r = try await client.get("https://httpbin.org/get")
/// r.statusCode          // 200
/// r.headers["content-type"]
/// r.text                // decoded with the response's charset
/// let data = try r.json(as: [String: JSONValue].self)
/// ```
///
/// A response from ``AsyncClient/stream(_:_:params:headers:cookies:content:data:files:json:auth:followRedirects:timeout:extensions:_:)``
/// is read as you go with ``bytes()``, ``textChunks()``, ``lines()`` or ``rawBytes()``, or at once
/// with ``read()``.
public struct Response: Sendable, CustomStringConvertible {
    /// The status code, such as 200.
    public var statusCode: Int
    /// The reason phrase; the standard one for the code when the server sent none.
    public var reasonPhrase: String
    /// The protocol version, such as `HTTP/1.1` or `HTTP/2`.
    public var httpVersion: String
    /// The header fields as received.
    public var headers: Headers
    /// The body as the transport delivered it (still content-encoded).
    public var body: ResponseBody
    /// The request this is the response to (set by the client).
    public var request: Request
    /// The responses of the redirects that led here, oldest first.
    public var history: [Response] = []
    /// The time from sending the request to receiving the whole response (or its headers, for
    /// a streamed response until it is read).
    public var elapsed: Duration = .zero
    /// The redirect request a client would send next, when it did not follow a redirect.
    public var nextRequest: Request?
    /// Values a transport attaches, such as the connection it used.
    public var extensions: [String: any Sendable] = [:]
    /// The encoding used by ``text``: set it to override the charset.
    public var encoding: TextEncoding?
    /// How to pick an encoding when the response names none (set from the client).
    public var defaultEncoding: DefaultEncoding = .utf8
    /// The bounds on reading and decoding the body (set from the client's ``Limits``).
    public var limits: Limits = .default

    var decoded: ByteBuffer?

    /// Creates a response, as a transport or a mock handler does.
    ///
    /// ```swift
    /// Response(200, headers: ["Content-Type": "application/json"], json: ["ok": true])
    /// ```
    public init(
        _ statusCode: Int,
        reasonPhrase: String? = nil,
        httpVersion: String = "HTTP/1.1",
        headers: Headers = [:],
        body: ResponseBody = ResponseBody(),
        request: Request? = nil
    ) {
        self.statusCode = statusCode
        self.reasonPhrase = reasonPhrase ?? HTTPStatus.reasonPhrase(for: statusCode)
        self.httpVersion = httpVersion
        self.headers = headers
        self.body = body
        self.request = request ?? Request(.get, HTTPURL.empty)
    }

    /// A response with a text body.
    public init(_ statusCode: Int, headers: Headers = [:], text: String) {
        self.init(statusCode, headers: headers, body: ResponseBody(text: text))
        if !self.headers.contains("Content-Type") { self.headers.add("Content-Type", "text/plain; charset=utf-8") }
        self.headers.set("Content-Length", String(text.utf8.count))
    }

    /// A response with a JSON body.
    public init(_ statusCode: Int, headers: Headers = [:], json: some Encodable) throws {
        let body = try RequestBody.json(json)
        self.init(statusCode, headers: headers, body: ResponseBody(body.buffer ?? ByteBuffer()))
        if !self.headers.contains("Content-Type") { self.headers.add("Content-Type", "application/json") }
        self.headers.set("Content-Length", String(body.length ?? 0))
    }

    /// The URL of the request this answers.
    public var url: HTTPURL { request.url }

    /// Whether the body has been read into memory.
    public var isRead: Bool { decoded != nil || body.isBuffered }

    /// `<Response [200 OK]>`, as httpx prints it.
    public var description: String {
        "<Response [\(statusCode) \(reasonPhrase)]>"
    }
}
