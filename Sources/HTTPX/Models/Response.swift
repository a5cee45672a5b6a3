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
/// is read as you go with ``bytes(chunkSize:)``, ``textChunks(chunkSize:)``, ``lines()`` or ``rawBytes(chunkSize:)``, or at once
/// with ``read()``.
public struct Response: Sendable, CustomStringConvertible {
    /// The status code, such as 200.
    public var statusCode: Int {
        get { storage.statusCode }
        _modify {
            makeUnique()
            yield &storage.statusCode
        }
    }
    /// The reason phrase; the standard one for the code when the server sent none.
    public var reasonPhrase: String {
        get { storage.reasonPhrase }
        _modify {
            makeUnique()
            yield &storage.reasonPhrase
        }
    }
    /// The protocol version, such as `HTTP/1.1` or `HTTP/2`.
    public var httpVersion: String {
        get { storage.httpVersion }
        _modify {
            makeUnique()
            yield &storage.httpVersion
        }
    }
    /// The header fields as received.
    public var headers: Headers {
        get { storage.headers }
        _modify {
            makeUnique()
            yield &storage.headers
        }
    }
    /// The body as the transport delivered it (still content-encoded).
    public var body: ResponseBody {
        get { storage.body }
        _modify {
            makeUnique()
            yield &storage.body
        }
    }
    /// The request this is the response to (set by the client).
    public var request: Request {
        get { storage.request }
        _modify {
            makeUnique()
            yield &storage.request
        }
    }
    /// The responses of the redirects that led here, oldest first.
    public var history: [Response] {
        get { storage.history }
        _modify {
            makeUnique()
            yield &storage.history
        }
    }
    /// The time from sending the request to the end of its body: read to its end or closed,
    /// as httpx measures it. Before that (a streamed response being read), the time until its
    /// headers arrived.
    public var elapsed: Duration {
        get {
            if let sentAt = storage.sentAt, let closedAt = body.closedAt { return closedAt - sentAt }
            return storage.elapsed
        }
        set {
            makeUnique()
            storage.elapsed = newValue
            storage.sentAt = nil
        }
    }
    /// When the request was handed to the transport (set by the client).
    var sentAt: ContinuousClock.Instant? {
        get { storage.sentAt }
        set {
            makeUnique()
            storage.sentAt = newValue
        }
    }
    /// How many times the client sent this request again before this response, by its
    /// ``RetryPolicy``.
    public var retries: Int {
        get { storage.retries }
        set {
            makeUnique()
            storage.retries = newValue
        }
    }
    /// The redirect request a client would send next, when it did not follow a redirect.
    public var nextRequest: Request? {
        get { storage.nextRequest }
        _modify {
            makeUnique()
            yield &storage.nextRequest
        }
    }
    /// Values a transport attaches, as httpx's `response.extensions`: the protocol version
    /// (`"http_version"`), the reason phrase (`"reason_phrase"`) and, over HTTP/2, the stream
    /// (`"stream_id"`) — see ``ExtensionKey`` — and anything a transport of yours adds.
    public var extensions: [String: any Sendable] {
        get {
            // The standard entries are made when asked for, so a response that nobody asks
            // costs no dictionary.
            guard storage.fromTransport else { return storage.extensions }
            var all: [String: any Sendable] = [
                ExtensionKey.httpVersion: httpVersion, ExtensionKey.reasonPhrase: reasonPhrase,
            ]
            if let streamID = storage.streamID { all[ExtensionKey.streamID] = streamID }
            all.merge(storage.extensions) { _, own in own }
            return all
        }
        set {
            makeUnique()
            storage.extensions = newValue
            storage.fromTransport = false
        }
    }
    /// Marks a response made by the network transport: its ``extensions`` have the standard
    /// entries.
    mutating func setTransportDetails(streamID: Int?) {
        makeUnique()
        storage.fromTransport = true
        storage.streamID = streamID
    }
    /// The encoding used by ``text``: set it to override the charset.
    public var encoding: TextEncoding? {
        get { storage.encoding }
        _modify {
            makeUnique()
            yield &storage.encoding
        }
    }
    /// How to pick an encoding when the response names none (set from the client).
    public var defaultEncoding: DefaultEncoding {
        get { storage.defaultEncoding }
        _modify {
            makeUnique()
            yield &storage.defaultEncoding
        }
    }
    /// The bounds on reading and decoding the body (set from the client's ``Limits``).
    public var limits: Limits {
        get { storage.limits }
        _modify {
            makeUnique()
            yield &storage.limits
        }
    }
    var decoded: ByteBuffer? {
        get { storage.decoded }
        _modify {
            makeUnique()
            yield &storage.decoded
        }
    }

    /// The fields, shared by copies until one of them changes (a response is returned
    /// through every layer of the client, and kept in the history of redirects).
    private var storage: Storage

    private final class Storage: @unchecked Sendable {
        // Sendable by copy-on-write: a storage is changed only while one response holds it.
        // Accesses are not checked at run time: only the one holder changes a field, through
        // its accessors, which never overlap.
        @exclusivity(unchecked) var statusCode: Int
        @exclusivity(unchecked) var reasonPhrase: String
        @exclusivity(unchecked) var httpVersion: String
        @exclusivity(unchecked) var headers: Headers
        @exclusivity(unchecked) var body: ResponseBody
        @exclusivity(unchecked) var request: Request
        @exclusivity(unchecked) var history: [Response] = []
        @exclusivity(unchecked) var elapsed: Duration = .zero
        @exclusivity(unchecked) var sentAt: ContinuousClock.Instant? = nil
        @exclusivity(unchecked) var retries = 0
        @exclusivity(unchecked) var nextRequest: Request? = nil
        @exclusivity(unchecked) var extensions: [String: any Sendable] = [:]
        @exclusivity(unchecked) var fromTransport = false
        @exclusivity(unchecked) var streamID: Int? = nil
        @exclusivity(unchecked) var encoding: TextEncoding? = nil
        @exclusivity(unchecked) var defaultEncoding: DefaultEncoding = .utf8
        @exclusivity(unchecked) var limits: Limits = .default
        @exclusivity(unchecked) var decoded: ByteBuffer? = nil

        init(statusCode: Int, reasonPhrase: String, httpVersion: String, headers: Headers, body: ResponseBody, request: Request) {
            self.statusCode = statusCode
            self.reasonPhrase = reasonPhrase
            self.httpVersion = httpVersion
            self.headers = headers
            self.body = body
            self.request = request
        }

        func copy() -> Storage {
            let copy = Storage(statusCode: statusCode, reasonPhrase: reasonPhrase, httpVersion: httpVersion, headers: headers, body: body, request: request)
            copy.history = history
            copy.elapsed = elapsed
            copy.sentAt = sentAt
            copy.retries = retries
            copy.nextRequest = nextRequest
            copy.extensions = extensions
            copy.fromTransport = fromTransport
            copy.streamID = streamID
            copy.encoding = encoding
            copy.defaultEncoding = defaultEncoding
            copy.limits = limits
            copy.decoded = decoded
            return copy
        }
    }

    private mutating func makeUnique() {
        if !isKnownUniquelyReferenced(&storage) { storage = storage.copy() }
    }

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
        self.storage = Storage(
            statusCode: statusCode, reasonPhrase: reasonPhrase ?? HTTPStatus.reasonPhrase(for: statusCode),
            httpVersion: httpVersion, headers: headers, body: body, request: request ?? Request(.get, HTTPURL.empty))
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
