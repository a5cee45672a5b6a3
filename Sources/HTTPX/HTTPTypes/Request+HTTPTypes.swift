import HTTPTypes

extension Request {
    /// A request from swift-http-types' `HTTPRequest` and a body: its URL from the scheme,
    /// authority and path, its headers from the header fields.
    ///
    /// ```swift
    /// let head = HTTPRequest(method: .post, scheme: "https", authority: "example.org", path: "/items")
    /// let request = try Request(head, body: .text("{}"))
    /// ```
    ///
    /// - Throws: ``HTTPXError/Kind/invalidURL`` when the request has no scheme or authority
    ///   (a CONNECT or an origin-form request alone cannot make an absolute URL) or they do
    ///   not make a valid URL.
    public init(_ request: HTTPRequest, body: RequestBody = .empty) throws {
        guard let scheme = request.scheme, let authority = request.authority else {
            throw HTTPXError(
                .invalidURL, "Cannot make a URL of \(request.method) \(request.path ?? ""): the request has no scheme or authority")
        }
        let path = request.path ?? "/"
        // `OPTIONS *` has no path: its URL is the origin's, its target `*`.
        let url = try HTTPURL("\(scheme)://\(authority)\(path.isEmpty || path == "*" ? "/" : path)")
        self.init(HTTPMethod(rawValue: request.method.rawValue), url, headers: Headers(request.headerFields), body: body)
        if path == "*" { target = "*" }
    }
}

extension HTTPRequest {
    /// This library's request as swift-http-types' `HTTPRequest` (its body stays behind):
    /// `:authority` from the `Host` header or the URL (never its userinfo), `:path` the target.
    ///
    /// ```swift
    /// let request = try Request(.get, "https://example.org/items?page=2")
    /// let head = try HTTPRequest(validating: request)
    /// head.path                  // "/items?page=2"
    /// ```
    ///
    /// - Throws: ``HTTPXError/Kind/localProtocol`` for a method that is not a token or
    ///   headers that cannot be sent.
    public init(validating request: Request) throws {
        guard let method = HTTPRequest.Method(request.method.rawValue) else {
            throw HTTPXError(.localProtocol, "Invalid method '\(request.method)': a method must be a token", request: request)
        }
        var headers = request.headers
        let host = headers.first("Host")
        headers.remove("Host")
        let fields: HTTPFields
        do {
            fields = try HTTPFields(validating: headers)
        } catch let error as HTTPXError {
            throw error.attaching(request)
        }
        self.init(
            method: method, scheme: request.url.scheme, authority: host ?? request.url.netloc, path: request.target,
            headerFields: fields)
    }
}
