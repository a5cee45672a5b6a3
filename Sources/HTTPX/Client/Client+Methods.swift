extension Client {
    /// Builds and sends a request, blocking until its body is read; the options are those of
    /// ``AsyncClient/request(_:_:params:headers:cookies:content:data:files:json:auth:followRedirects:timeout:extensions:)``.
    public func request(
        _ method: HTTPMethod, _ url: String, params: QueryParams? = nil, headers: Headers? = nil,
        cookies: Cookies? = nil, content: RequestBody? = nil, data: FormFields? = nil, files: MultipartFiles? = nil,
        json: (any Encodable & Sendable)? = nil, auth: (any Auth)? = nil, followRedirects: Bool? = nil,
        timeout: Timeout? = nil, extensions: RequestExtensions? = nil
    ) throws -> Response {
        let request = try buildRequest(
            method, url, params: params, headers: headers, cookies: cookies, content: content, data: data,
            files: files, json: json, timeout: timeout, extensions: extensions)
        return try send(request, auth: auth, followRedirects: followRedirects)
    }

    /// Sends a GET request.
    public func get(
        _ url: String, params: QueryParams? = nil, headers: Headers? = nil, cookies: Cookies? = nil,
        auth: (any Auth)? = nil, followRedirects: Bool? = nil, timeout: Timeout? = nil
    ) throws -> Response {
        try request(.get, url, params: params, headers: headers, cookies: cookies, auth: auth,
                    followRedirects: followRedirects, timeout: timeout)
    }

    /// Sends a HEAD request.
    public func head(
        _ url: String, params: QueryParams? = nil, headers: Headers? = nil, cookies: Cookies? = nil,
        auth: (any Auth)? = nil, followRedirects: Bool? = nil, timeout: Timeout? = nil
    ) throws -> Response {
        try request(.head, url, params: params, headers: headers, cookies: cookies, auth: auth,
                    followRedirects: followRedirects, timeout: timeout)
    }

    /// Sends an OPTIONS request.
    public func options(
        _ url: String, params: QueryParams? = nil, headers: Headers? = nil, cookies: Cookies? = nil,
        auth: (any Auth)? = nil, followRedirects: Bool? = nil, timeout: Timeout? = nil
    ) throws -> Response {
        try request(.options, url, params: params, headers: headers, cookies: cookies, auth: auth,
                    followRedirects: followRedirects, timeout: timeout)
    }

    /// Sends a DELETE request.
    public func delete(
        _ url: String, params: QueryParams? = nil, headers: Headers? = nil, cookies: Cookies? = nil,
        auth: (any Auth)? = nil, followRedirects: Bool? = nil, timeout: Timeout? = nil
    ) throws -> Response {
        try request(.delete, url, params: params, headers: headers, cookies: cookies, auth: auth,
                    followRedirects: followRedirects, timeout: timeout)
    }

    /// Sends a POST request.
    public func post(
        _ url: String, content: RequestBody? = nil, data: FormFields? = nil, files: MultipartFiles? = nil,
        json: (any Encodable & Sendable)? = nil, params: QueryParams? = nil, headers: Headers? = nil,
        cookies: Cookies? = nil, auth: (any Auth)? = nil, followRedirects: Bool? = nil, timeout: Timeout? = nil
    ) throws -> Response {
        try request(.post, url, params: params, headers: headers, cookies: cookies, content: content, data: data,
                    files: files, json: json, auth: auth, followRedirects: followRedirects, timeout: timeout)
    }

    /// Sends a PUT request.
    public func put(
        _ url: String, content: RequestBody? = nil, data: FormFields? = nil, files: MultipartFiles? = nil,
        json: (any Encodable & Sendable)? = nil, params: QueryParams? = nil, headers: Headers? = nil,
        cookies: Cookies? = nil, auth: (any Auth)? = nil, followRedirects: Bool? = nil, timeout: Timeout? = nil
    ) throws -> Response {
        try request(.put, url, params: params, headers: headers, cookies: cookies, content: content, data: data,
                    files: files, json: json, auth: auth, followRedirects: followRedirects, timeout: timeout)
    }

    /// Sends a PATCH request.
    public func patch(
        _ url: String, content: RequestBody? = nil, data: FormFields? = nil, files: MultipartFiles? = nil,
        json: (any Encodable & Sendable)? = nil, params: QueryParams? = nil, headers: Headers? = nil,
        cookies: Cookies? = nil, auth: (any Auth)? = nil, followRedirects: Bool? = nil, timeout: Timeout? = nil
    ) throws -> Response {
        try request(.patch, url, params: params, headers: headers, cookies: cookies, content: content, data: data,
                    files: files, json: json, auth: auth, followRedirects: followRedirects, timeout: timeout)
    }
}
