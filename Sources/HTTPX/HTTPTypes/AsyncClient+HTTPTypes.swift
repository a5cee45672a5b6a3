import HTTPTypes

extension AsyncClient {
    /// Sends a swift-http-types `HTTPRequest` with a body, through the client's headers,
    /// cookies, auth, redirects and hooks like any other request. A path-only request (no
    /// scheme or authority) is resolved against the client's `baseURL`.
    ///
    /// ```swift
    /// let head = HTTPRequest(method: .get, scheme: nil, authority: nil, path: "/items")
    /// let response = try await client.send(head)          // relative to baseURL
    /// response.httpResponse.status                         // .ok
    /// ```
    public func send(
        _ request: HTTPRequest, body: RequestBody = .empty, auth: (any Auth)? = nil, followRedirects: Bool? = nil,
        stream: Bool = false
    ) async throws -> Response {
        let url: String
        if let scheme = request.scheme, let authority = request.authority {
            url = "\(scheme)://\(authority)\(request.path ?? "/")"
        } else {
            url = request.path ?? "/"
        }
        var headers = Headers(request.headerFields)
        headers.remove("Host")
        let built = try buildRequest(
            HTTPMethod(rawValue: request.method.rawValue), url, headers: headers, content: body)
        return try await send(built, auth: auth, followRedirects: followRedirects, stream: stream)
    }
}
