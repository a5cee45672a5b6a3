extension AsyncClient {
    /// Builds and sends a request, reading its whole body.
    ///
    /// ```swift
    /// let r = try await client.request(.put, "https://httpbin.org/put", json: ["id": 7])
    /// ```
    ///
    /// Every option left `nil` takes the client's value; params, headers and cookies are
    /// merged with the client's.
    public func request(
        _ method: HTTPMethod,
        _ url: String,
        params: QueryParams? = nil,
        headers: Headers? = nil,
        cookies: Cookies? = nil,
        content: RequestBody? = nil,
        data: FormFields? = nil,
        files: MultipartFiles? = nil,
        json: (any Encodable & Sendable)? = nil,
        auth: (any Auth)? = nil,
        followRedirects: Bool? = nil,
        timeout: Timeout? = nil,
        extensions: RequestExtensions? = nil
    ) async throws -> Response {
        try await perform(method, url, RequestOptions(
            params: params, headers: headers, cookies: cookies, content: content, data: data, files: files,
            json: json, auth: auth, followRedirects: followRedirects, timeout: timeout, extensions: extensions))
    }

    /// Sends a request and hands its response to `body` before the body is read, for
    /// streaming; the response is closed when `body` returns or throws.
    ///
    /// ```swift
    /// try await client.stream(.get, "https://example.org/large.bin") { response in
    ///     for try await chunk in response.bytes() { try file.write(chunk) }
    /// }
    /// ```
    public func stream<T>(
        _ method: HTTPMethod,
        _ url: String,
        params: QueryParams? = nil,
        headers: Headers? = nil,
        cookies: Cookies? = nil,
        content: RequestBody? = nil,
        data: FormFields? = nil,
        files: MultipartFiles? = nil,
        json: (any Encodable & Sendable)? = nil,
        auth: (any Auth)? = nil,
        followRedirects: Bool? = nil,
        timeout: Timeout? = nil,
        extensions: RequestExtensions? = nil,
        _ body: (Response) async throws -> T
    ) async throws -> T {
        try await perform(streaming: method, url, RequestOptions(
            params: params, headers: headers, cookies: cookies, content: content, data: data, files: files,
            json: json, auth: auth, followRedirects: followRedirects, timeout: timeout, extensions: extensions), body)
    }

    /// Sends a GET request.
    ///
    /// ```swift
    /// let r = try await client.get("https://httpbin.org/get", params: ["q": "swift"])
    /// ```
    public func get(
        _ url: String, params: QueryParams? = nil, headers: Headers? = nil, cookies: Cookies? = nil,
        auth: (any Auth)? = nil, followRedirects: Bool? = nil, timeout: Timeout? = nil,
        extensions: RequestExtensions? = nil
    ) async throws -> Response {
        try await perform(.get, url, RequestOptions(
            params: params, headers: headers, cookies: cookies, content: nil, data: nil, files: nil,
            json: nil, auth: auth, followRedirects: followRedirects, timeout: timeout, extensions: extensions))
    }

    /// Sends a HEAD request.
    public func head(
        _ url: String, params: QueryParams? = nil, headers: Headers? = nil, cookies: Cookies? = nil,
        auth: (any Auth)? = nil, followRedirects: Bool? = nil, timeout: Timeout? = nil,
        extensions: RequestExtensions? = nil
    ) async throws -> Response {
        try await perform(.head, url, RequestOptions(
            params: params, headers: headers, cookies: cookies, content: nil, data: nil, files: nil,
            json: nil, auth: auth, followRedirects: followRedirects, timeout: timeout, extensions: extensions))
    }

    /// Sends an OPTIONS request.
    public func options(
        _ url: String, params: QueryParams? = nil, headers: Headers? = nil, cookies: Cookies? = nil,
        auth: (any Auth)? = nil, followRedirects: Bool? = nil, timeout: Timeout? = nil,
        extensions: RequestExtensions? = nil
    ) async throws -> Response {
        try await perform(.options, url, RequestOptions(
            params: params, headers: headers, cookies: cookies, content: nil, data: nil, files: nil,
            json: nil, auth: auth, followRedirects: followRedirects, timeout: timeout, extensions: extensions))
    }

    /// Sends a DELETE request.
    public func delete(
        _ url: String, params: QueryParams? = nil, headers: Headers? = nil, cookies: Cookies? = nil,
        auth: (any Auth)? = nil, followRedirects: Bool? = nil, timeout: Timeout? = nil,
        extensions: RequestExtensions? = nil
    ) async throws -> Response {
        try await perform(.delete, url, RequestOptions(
            params: params, headers: headers, cookies: cookies, content: nil, data: nil, files: nil,
            json: nil, auth: auth, followRedirects: followRedirects, timeout: timeout, extensions: extensions))
    }

    /// Sends a POST request with a body from `content`, `data` and `files`, or `json`.
    ///
    /// ```swift
    /// let r = try await client.post("https://httpbin.org/post", data: ["name": "swift"])
    /// ```
    public func post(
        _ url: String, content: RequestBody? = nil, data: FormFields? = nil, files: MultipartFiles? = nil,
        json: (any Encodable & Sendable)? = nil, params: QueryParams? = nil, headers: Headers? = nil,
        cookies: Cookies? = nil, auth: (any Auth)? = nil, followRedirects: Bool? = nil,
        timeout: Timeout? = nil, extensions: RequestExtensions? = nil
    ) async throws -> Response {
        try await perform(.post, url, RequestOptions(
            params: params, headers: headers, cookies: cookies, content: content, data: data, files: files,
            json: json, auth: auth, followRedirects: followRedirects, timeout: timeout,
            extensions: extensions))
    }

    /// Sends a PUT request with a body from `content`, `data` and `files`, or `json`.
    public func put(
        _ url: String, content: RequestBody? = nil, data: FormFields? = nil, files: MultipartFiles? = nil,
        json: (any Encodable & Sendable)? = nil, params: QueryParams? = nil, headers: Headers? = nil,
        cookies: Cookies? = nil, auth: (any Auth)? = nil, followRedirects: Bool? = nil,
        timeout: Timeout? = nil, extensions: RequestExtensions? = nil
    ) async throws -> Response {
        try await perform(.put, url, RequestOptions(
            params: params, headers: headers, cookies: cookies, content: content, data: data, files: files,
            json: json, auth: auth, followRedirects: followRedirects, timeout: timeout,
            extensions: extensions))
    }

    /// Sends a PATCH request with a body from `content`, `data` and `files`, or `json`.
    public func patch(
        _ url: String, content: RequestBody? = nil, data: FormFields? = nil, files: MultipartFiles? = nil,
        json: (any Encodable & Sendable)? = nil, params: QueryParams? = nil, headers: Headers? = nil,
        cookies: Cookies? = nil, auth: (any Auth)? = nil, followRedirects: Bool? = nil,
        timeout: Timeout? = nil, extensions: RequestExtensions? = nil
    ) async throws -> Response {
        try await perform(.patch, url, RequestOptions(
            params: params, headers: headers, cookies: cookies, content: content, data: data, files: files,
            json: json, auth: auth, followRedirects: followRedirects, timeout: timeout,
            extensions: extensions))
    }
}
