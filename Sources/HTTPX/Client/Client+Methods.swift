extension Client {
    /// Builds and sends a request, blocking until its body is read; the options are those of
    /// ``AsyncClient/request(_:_:params:headers:cookies:content:data:files:json:auth:followRedirects:timeout:extensions:)``.
    ///
    /// ```swift
    /// let r = try client.request(.put, "https://httpbin.org/put", json: ["id": 7])
    /// ```
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
    ) throws -> Response {
        try perform(method, url, RequestOptions(
            params: params, headers: headers, cookies: cookies, content: content, data: data, files: files,
            json: json, auth: auth, followRedirects: followRedirects, timeout: timeout, extensions: extensions))
    }

    /// Sends a request and passes its response to `body` unread, for streaming with
    /// ``BlockingStream``; the response is closed when `body` returns or throws.
    ///
    /// ```swift
    /// try client.stream(.get, "https://example.org/large.bin") { stream in
    ///     while let chunk = try stream.nextChunk() { consume(chunk) }
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
        _ body: (BlockingStream) throws -> T
    ) throws -> T {
        try perform(streaming: method, url, RequestOptions(
            params: params, headers: headers, cookies: cookies, content: content, data: data, files: files,
            json: json, auth: auth, followRedirects: followRedirects, timeout: timeout, extensions: extensions), body)
    }

    /// Sends a GET request, blocking until its body is read.
    public func get(
        _ url: String, params: QueryParams? = nil, headers: Headers? = nil, cookies: Cookies? = nil,
        auth: (any Auth)? = nil, followRedirects: Bool? = nil, timeout: Timeout? = nil,
        extensions: RequestExtensions? = nil
    ) throws -> Response {
        try perform(.get, url, RequestOptions(
            params: params, headers: headers, cookies: cookies, content: nil, data: nil, files: nil,
            json: nil, auth: auth, followRedirects: followRedirects, timeout: timeout, extensions: extensions))
    }

    /// Sends a HEAD request, blocking until its body is read.
    public func head(
        _ url: String, params: QueryParams? = nil, headers: Headers? = nil, cookies: Cookies? = nil,
        auth: (any Auth)? = nil, followRedirects: Bool? = nil, timeout: Timeout? = nil,
        extensions: RequestExtensions? = nil
    ) throws -> Response {
        try perform(.head, url, RequestOptions(
            params: params, headers: headers, cookies: cookies, content: nil, data: nil, files: nil,
            json: nil, auth: auth, followRedirects: followRedirects, timeout: timeout, extensions: extensions))
    }

    /// Sends an OPTIONS request, blocking until its body is read.
    public func options(
        _ url: String, params: QueryParams? = nil, headers: Headers? = nil, cookies: Cookies? = nil,
        auth: (any Auth)? = nil, followRedirects: Bool? = nil, timeout: Timeout? = nil,
        extensions: RequestExtensions? = nil
    ) throws -> Response {
        try perform(.options, url, RequestOptions(
            params: params, headers: headers, cookies: cookies, content: nil, data: nil, files: nil,
            json: nil, auth: auth, followRedirects: followRedirects, timeout: timeout, extensions: extensions))
    }

    /// Sends a DELETE request, blocking until its body is read.
    public func delete(
        _ url: String, params: QueryParams? = nil, headers: Headers? = nil, cookies: Cookies? = nil,
        auth: (any Auth)? = nil, followRedirects: Bool? = nil, timeout: Timeout? = nil,
        extensions: RequestExtensions? = nil
    ) throws -> Response {
        try perform(.delete, url, RequestOptions(
            params: params, headers: headers, cookies: cookies, content: nil, data: nil, files: nil,
            json: nil, auth: auth, followRedirects: followRedirects, timeout: timeout, extensions: extensions))
    }

    /// Sends a POST request with a body from `content`, `data` and `files`, or `json`, blocking until its body is read.
    public func post(
        _ url: String, content: RequestBody? = nil, data: FormFields? = nil, files: MultipartFiles? = nil,
        json: (any Encodable & Sendable)? = nil, params: QueryParams? = nil, headers: Headers? = nil,
        cookies: Cookies? = nil, auth: (any Auth)? = nil, followRedirects: Bool? = nil,
        timeout: Timeout? = nil, extensions: RequestExtensions? = nil
    ) throws -> Response {
        try perform(.post, url, RequestOptions(
            params: params, headers: headers, cookies: cookies, content: content, data: data, files: files,
            json: json, auth: auth, followRedirects: followRedirects, timeout: timeout,
            extensions: extensions))
    }

    /// Sends a PUT request with a body from `content`, `data` and `files`, or `json`, blocking until its body is read.
    public func put(
        _ url: String, content: RequestBody? = nil, data: FormFields? = nil, files: MultipartFiles? = nil,
        json: (any Encodable & Sendable)? = nil, params: QueryParams? = nil, headers: Headers? = nil,
        cookies: Cookies? = nil, auth: (any Auth)? = nil, followRedirects: Bool? = nil,
        timeout: Timeout? = nil, extensions: RequestExtensions? = nil
    ) throws -> Response {
        try perform(.put, url, RequestOptions(
            params: params, headers: headers, cookies: cookies, content: content, data: data, files: files,
            json: json, auth: auth, followRedirects: followRedirects, timeout: timeout,
            extensions: extensions))
    }

    /// Sends a PATCH request with a body from `content`, `data` and `files`, or `json`, blocking until its body is read.
    public func patch(
        _ url: String, content: RequestBody? = nil, data: FormFields? = nil, files: MultipartFiles? = nil,
        json: (any Encodable & Sendable)? = nil, params: QueryParams? = nil, headers: Headers? = nil,
        cookies: Cookies? = nil, auth: (any Auth)? = nil, followRedirects: Bool? = nil,
        timeout: Timeout? = nil, extensions: RequestExtensions? = nil
    ) throws -> Response {
        try perform(.patch, url, RequestOptions(
            params: params, headers: headers, cookies: cookies, content: content, data: data, files: files,
            json: json, auth: auth, followRedirects: followRedirects, timeout: timeout,
            extensions: extensions))
    }
}
