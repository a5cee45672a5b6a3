extension AsyncClient {
    /// Builds a request with the client's base URL, params, headers, cookies and timeout
    /// merged in, to change before ``send(_:auth:followRedirects:stream:)``.
    ///
    /// ```swift
    /// var request = try client.buildRequest(.options, "https://example.com")
    /// request.target = "*"
    /// let r = try await client.send(request)
    /// ```
    ///
    /// - Throws: ``HTTPXError/Kind/invalidURL`` for a URL that cannot be parsed,
    ///   ``HTTPXError/Kind/invalidArgument`` for a body that cannot be encoded.
    public func buildRequest(
        _ method: HTTPMethod,
        _ url: String,
        params: QueryParams? = nil,
        headers: Headers? = nil,
        cookies: Cookies? = nil,
        content: RequestBody? = nil,
        data: FormFields? = nil,
        files: MultipartFiles? = nil,
        json: (any Encodable & Sendable)? = nil,
        timeout: Timeout? = nil,
        extensions: RequestExtensions? = nil
    ) throws -> Request {
        let (settings, clientJar) = settingsAndCookies
        if let error = settings.baseURLError ?? configurationError { throw error }
        let parsed = try HTTPURL(url)
        var target = parsed
        if parsed.isRelative, let baseURL = settings.baseURL {
            target = baseURL.appendingToBase(parsed)
        }
        target = target.mergingParams(settings.params.merging(params ?? [:]))

        let mergedHeaders = settings.headers.merging(headers ?? [:])
        let body = try RequestBody.encode(
            content: content, data: data, files: files, json: json,
            boundary: MultipartEncoder.boundary(inContentType: mergedHeaders.first("Content-Type")))
        var request = Request(method, target, headers: mergedHeaders, body: body, extensions: extensions ?? RequestExtensions())
        request.extensions.timeout = timeout ?? settings.timeout

        var jar = clientJar
        if let cookies { jar.update(cookies) }
        if !request.headers.contains("Cookie"), let header = jar.header(for: target) {
            request.headers.add("Cookie", header)
        }
        return request
    }
}
