import Logging

/// An HTTP request: method, URL, headers, body and extensions.
///
/// Build one with ``AsyncClient/buildRequest(_:_:params:headers:cookies:content:data:files:json:timeout:extensions:)``
/// to get the client's headers, params and cookies merged in, change it, then send it:
///
/// ```swift
/// var request = try client.buildRequest(.options, "https://example.com")
/// request.target = "*"                  // an `OPTIONS *` request
/// let response = try await client.send(request)
/// ```
///
/// Creating a request directly sets `Host` from the URL and the body's `Content-Length` or
/// `Transfer-Encoding` and `Content-Type`, unless the headers already have them.
public struct Request: Sendable, CustomStringConvertible {
    /// The method.
    public var method: HTTPMethod {
        get { storage.method }
        _modify {
            makeUnique()
            yield &storage.method
        }
    }
    /// The absolute URL.
    public var url: HTTPURL {
        get { storage.url }
        _modify {
            makeUnique()
            yield &storage.url
        }
    }
    /// The header fields, in the order they will be sent.
    public var headers: Headers {
        get { storage.headers }
        _modify {
            makeUnique()
            yield &storage.headers
        }
    }
    /// The body.
    public var body: RequestBody {
        get { storage.body }
        _modify {
            makeUnique()
            yield &storage.body
        }
    }
    /// Per-request settings that travel to the transport: timeouts, the request target, and
    /// values of your own for custom transports.
    public var extensions: RequestExtensions {
        get { storage.extensions }
        _modify {
            makeUnique()
            yield &storage.extensions
        }
    }

    /// The fields, shared by copies until one of them changes: a request is copied at every
    /// step of its way (hooks, auth, redirects, the transport, the response), and a copy costs
    /// one reference instead of every field's.
    private var storage: Storage

    private final class Storage: @unchecked Sendable {
        // Sendable by copy-on-write: a storage is changed only while one request holds it.
        // Accesses are not checked at run time: only the one holder changes a field, through
        // its accessors, which never overlap.
        @exclusivity(unchecked) var method: HTTPMethod
        @exclusivity(unchecked) var url: HTTPURL
        @exclusivity(unchecked) var headers: Headers
        @exclusivity(unchecked) var body: RequestBody
        @exclusivity(unchecked) var extensions: RequestExtensions

        init(method: HTTPMethod, url: HTTPURL, headers: Headers, body: RequestBody, extensions: RequestExtensions) {
            self.method = method
            self.url = url
            self.headers = headers
            self.body = body
            self.extensions = extensions
        }

        func copy() -> Storage {
            Storage(method: method, url: url, headers: headers, body: body, extensions: extensions)
        }
    }

    private mutating func makeUnique() {
        if !isKnownUniquelyReferenced(&storage) { storage = storage.copy() }
    }

    /// Creates a request, adding `Host` and the body's content headers when missing.
    public init(
        _ method: HTTPMethod,
        _ url: HTTPURL,
        headers: Headers = [:],
        body: RequestBody = .empty,
        extensions: RequestExtensions = RequestExtensions()
    ) {
        self.storage = Storage(method: method, url: url, headers: headers, body: body, extensions: extensions)
        if !url.rawHost.isEmpty, !headers.contains("Host") {
            self.headers.prepend("Host", url.netloc, spare: 2)
        }
        setContentHeaders()
    }

    /// Creates a request from a URL string.
    ///
    /// - Throws: ``HTTPXError/Kind/invalidURL`` when `url` cannot be parsed.
    public init(_ method: HTTPMethod, _ url: String, headers: Headers = [:], body: RequestBody = .empty) throws {
        self.init(method, try HTTPURL(url), headers: headers, body: body)
    }

    /// The request target of the request line: the URL's path and query by default; set it
    /// to `"*"` for `OPTIONS *`.
    public var target: String {
        get { extensions.target ?? url.rawPath }
        set { extensions.target = newValue }
    }

    /// The body's bytes when it is held in memory (`nil` for a stream that was not read).
    public var content: [UInt8]? { body.bytes }

    /// Reads a streamed body into memory so ``content`` can be used and the body replayed.
    public mutating func read() async throws {
        do {
            body = try await body.buffered()
        } catch let error as HTTPXError {
            throw error.attaching(self)
        }
    }

    /// `<Request(GET, 'https://example.org/')>`, as httpx prints it, with any password hidden.
    public var description: String {
        "<Request(\(method), '\(url.redacted)')>"
    }

    /// Sets `Content-Length` or `Transfer-Encoding`, and `Content-Type`, from the body.
    mutating func setContentHeaders() {
        if let type = body.contentType, !headers.contains("Content-Type") {
            headers.add("Content-Type", type)
        }
        if headers.contains("Content-Length") || headers.contains("Transfer-Encoding") { return }
        if let length = body.length {
            if length > 0 || Self.methodsExpectingBody.contains(method) {
                headers.add("Content-Length", String(length))
            }
        } else {
            headers.add("Transfer-Encoding", "chunked")
        }
    }

    static let methodsExpectingBody: Set<HTTPMethod> = [.post, .put, .patch]

    /// Throws ``HTTPXError/Kind/localProtocol`` or ``HTTPXError/Kind/unsupportedProtocol`` for a
    /// request that must not be sent as it is.
    func validate() throws {
        guard method.isValidToken else {
            throw HTTPXError(.localProtocol, "Invalid method '\(method)': a method must be a token", request: self)
        }
        guard !url.scheme.isEmpty else {
            throw HTTPXError(
                .unsupportedProtocol,
                "Request URL '\(url.redacted)' is missing an 'http://' or 'https://' protocol.", request: self)
        }
        guard !url.rawHost.isEmpty else {
            throw HTTPXError(.invalidURL, "Request URL '\(url.redacted)' has no host.", request: self)
        }
        if let target = extensions.target {
            guard !target.isEmpty, target.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value < 0x7F }) else {
                throw HTTPXError(.localProtocol, "Invalid request target '\(target)'", request: self)
            }
        }
        do {
            try headers.validate()
        } catch let error as HTTPXError {
            throw error.attaching(self)
        }
        if let problem = body.problem {
            throw HTTPXError(.localProtocol, "Cannot send \(self): \(problem)", request: self)
        }
    }
}

/// Settings of one request that travel with it to the transport.
///
/// ```swift
/// var request = try client.buildRequest(.get, "https://example.org/")
/// request.extensions.timeout = Timeout(30)
/// request.extensions["trace-id"] = "abc123"
/// ```
public struct RequestExtensions: Sendable {
    /// The timeouts the transport applies to this request.
    public var timeout: Timeout = .default
    /// A request target that replaces the URL's path and query (`*` for `OPTIONS *`).
    public var target: String?
    /// Called with each step of the request on its way (httpx's `trace` extension): see
    /// ``TraceEvent``. It runs where the event happens and must return quickly.
    public var trace: (@Sendable (TraceEvent) -> Void)?
    /// The logger of this request's own events; the client's logger when `nil`.
    public var logger: Logger?
    /// The host name sent in TLS's SNI and checked against the server's certificate, instead
    /// of the URL's host (httpx's `sni_hostname`): to reach a server by its IP address, or
    /// through a name that resolves elsewhere. Connections are pooled per name.
    ///
    /// ```swift
    /// var extensions = RequestExtensions()
    /// extensions.sniHostname = "example.org"
    /// let r = try await client.get("https://93.184.215.14/", extensions: extensions)
    /// ```
    public var sniHostname: String?
    /// The retry policy of this request; the client's when `nil` (see ``RetryPolicy``).
    public var retry: RetryPolicy?
    /// How long this request may take in all (connecting, sending, redirects, auth steps,
    /// retries and reading the body), past which it fails with
    /// ``HTTPXError/Kind/deadlineExceeded``; the client's when `nil`.
    public var deadline: Duration?
    /// When the deadline passes, set by the client when the request starts.
    var expiry: ContinuousClock.Instant?
    /// The protocol to switch to after the response (WebSocket's opening handshake): the
    /// network transport then sends the request on a connection of its own.
    package var upgrade: (any ConnectionUpgrade)?
    private var values: [String: any Sendable] = [:]

    public init() {}

    /// A value of your own, for a custom transport or event hook.
    public subscript(key: String) -> (any Sendable)? {
        get { values[key] }
        set { values[key] = newValue }
    }
}
