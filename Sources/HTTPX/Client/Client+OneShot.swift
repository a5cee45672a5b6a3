// The blocking one-shot functions: httpx's `httpx.get(url, verify=False)` is
// `try Client.get(url, configuration: .init(verify: .disabled))`.
extension Client {
    /// Sends one request with a blocking client made for it, reading the whole body.
    ///
    /// ```swift
    /// let r = try Client.request(.get, "https://www.example.org/", params: ["q": "swift"])
    /// let insecure = try Client.get("https://localhost:8443/", configuration: .init(verify: .disabled))
    /// ```
    public static func request(
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
        configuration: ClientConfiguration = ClientConfiguration()
    ) throws -> Response {
        try oneShot(method, url, RequestOptions(
            params: params, headers: headers, cookies: cookies, content: content, data: data, files: files,
            json: json, auth: auth, followRedirects: followRedirects, timeout: timeout, extensions: extensions), configuration)
    }

    /// Streams one response with a blocking client made for it; see
    /// ``Client/stream(_:_:params:headers:cookies:content:data:files:json:auth:followRedirects:timeout:extensions:_:)``.
    public static func stream<T>(
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
        configuration: ClientConfiguration = ClientConfiguration(),
        _ body: (BlockingStream) throws -> T
    ) throws -> T {
        try Client.withClient(configuration) { client in
            try client.perform(streaming: method, url, RequestOptions(
                params: params, headers: headers, cookies: cookies, content: content, data: data, files: files,
                json: json, auth: auth, followRedirects: followRedirects, timeout: timeout, extensions: extensions), body)
        }
    }

    /// Sends one GET request with a client made for it, blocking: `try Client.get(url)`.
    public static func get(
        _ url: String, params: QueryParams? = nil, headers: Headers? = nil, cookies: Cookies? = nil,
        auth: (any Auth)? = nil, followRedirects: Bool? = nil, timeout: Timeout? = nil,
        extensions: RequestExtensions? = nil, configuration: ClientConfiguration = ClientConfiguration()
    ) throws -> Response {
        try oneShot(.get, url, RequestOptions(
            params: params, headers: headers, cookies: cookies, content: nil, data: nil, files: nil,
            json: nil, auth: auth, followRedirects: followRedirects, timeout: timeout, extensions: extensions), configuration)
    }

    /// Sends one HEAD request with a client made for it, blocking: `try Client.head(url)`.
    public static func head(
        _ url: String, params: QueryParams? = nil, headers: Headers? = nil, cookies: Cookies? = nil,
        auth: (any Auth)? = nil, followRedirects: Bool? = nil, timeout: Timeout? = nil,
        extensions: RequestExtensions? = nil, configuration: ClientConfiguration = ClientConfiguration()
    ) throws -> Response {
        try oneShot(.head, url, RequestOptions(
            params: params, headers: headers, cookies: cookies, content: nil, data: nil, files: nil,
            json: nil, auth: auth, followRedirects: followRedirects, timeout: timeout, extensions: extensions), configuration)
    }

    /// Sends one OPTIONS request with a client made for it, blocking: `try Client.options(url)`.
    public static func options(
        _ url: String, params: QueryParams? = nil, headers: Headers? = nil, cookies: Cookies? = nil,
        auth: (any Auth)? = nil, followRedirects: Bool? = nil, timeout: Timeout? = nil,
        extensions: RequestExtensions? = nil, configuration: ClientConfiguration = ClientConfiguration()
    ) throws -> Response {
        try oneShot(.options, url, RequestOptions(
            params: params, headers: headers, cookies: cookies, content: nil, data: nil, files: nil,
            json: nil, auth: auth, followRedirects: followRedirects, timeout: timeout, extensions: extensions), configuration)
    }

    /// Sends one DELETE request with a client made for it, blocking: `try Client.delete(url)`.
    public static func delete(
        _ url: String, params: QueryParams? = nil, headers: Headers? = nil, cookies: Cookies? = nil,
        auth: (any Auth)? = nil, followRedirects: Bool? = nil, timeout: Timeout? = nil,
        extensions: RequestExtensions? = nil, configuration: ClientConfiguration = ClientConfiguration()
    ) throws -> Response {
        try oneShot(.delete, url, RequestOptions(
            params: params, headers: headers, cookies: cookies, content: nil, data: nil, files: nil,
            json: nil, auth: auth, followRedirects: followRedirects, timeout: timeout, extensions: extensions), configuration)
    }

    /// Sends one POST request with a client made for it, blocking: `try Client.post(url)`.
    public static func post(
        _ url: String, content: RequestBody? = nil, data: FormFields? = nil, files: MultipartFiles? = nil,
        json: (any Encodable & Sendable)? = nil, params: QueryParams? = nil, headers: Headers? = nil,
        cookies: Cookies? = nil, auth: (any Auth)? = nil, followRedirects: Bool? = nil,
        timeout: Timeout? = nil, extensions: RequestExtensions? = nil,
        configuration: ClientConfiguration = ClientConfiguration()
    ) throws -> Response {
        try oneShot(.post, url, RequestOptions(
            params: params, headers: headers, cookies: cookies, content: content, data: data, files: files,
            json: json, auth: auth, followRedirects: followRedirects, timeout: timeout,
            extensions: extensions), configuration)
    }

    /// Sends one PUT request with a client made for it, blocking: `try Client.put(url)`.
    public static func put(
        _ url: String, content: RequestBody? = nil, data: FormFields? = nil, files: MultipartFiles? = nil,
        json: (any Encodable & Sendable)? = nil, params: QueryParams? = nil, headers: Headers? = nil,
        cookies: Cookies? = nil, auth: (any Auth)? = nil, followRedirects: Bool? = nil,
        timeout: Timeout? = nil, extensions: RequestExtensions? = nil,
        configuration: ClientConfiguration = ClientConfiguration()
    ) throws -> Response {
        try oneShot(.put, url, RequestOptions(
            params: params, headers: headers, cookies: cookies, content: content, data: data, files: files,
            json: json, auth: auth, followRedirects: followRedirects, timeout: timeout,
            extensions: extensions), configuration)
    }

    /// Sends one PATCH request with a client made for it, blocking: `try Client.patch(url)`.
    public static func patch(
        _ url: String, content: RequestBody? = nil, data: FormFields? = nil, files: MultipartFiles? = nil,
        json: (any Encodable & Sendable)? = nil, params: QueryParams? = nil, headers: Headers? = nil,
        cookies: Cookies? = nil, auth: (any Auth)? = nil, followRedirects: Bool? = nil,
        timeout: Timeout? = nil, extensions: RequestExtensions? = nil,
        configuration: ClientConfiguration = ClientConfiguration()
    ) throws -> Response {
        try oneShot(.patch, url, RequestOptions(
            params: params, headers: headers, cookies: cookies, content: content, data: data, files: files,
            json: json, auth: auth, followRedirects: followRedirects, timeout: timeout,
            extensions: extensions), configuration)
    }
}
