// One-shot functions: httpx's `httpx.get(...)` and friends. Each makes a client for one
// request from `configuration` and closes it; use a client to reuse connections and cookies.
// The blocking ones are static methods of `Client`.

/// Sends one request with a client made for it, reading the whole body.
///
/// ```swift
/// import HTTPX
/// let r = try await HTTPX.request(.get, "https://www.example.org/", params: ["q": "swift"])
/// let insecure = try await HTTPX.get("https://localhost:8443/", configuration: .init(verify: .disabled))
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
    extensions: RequestExtensions? = nil,
    configuration: ClientConfiguration = ClientConfiguration()
) async throws -> Response {
    try await oneShot(method, url, RequestOptions(
        params: params, headers: headers, cookies: cookies, content: content, data: data, files: files,
        json: json, auth: auth, followRedirects: followRedirects, timeout: timeout, extensions: extensions), configuration)
}

/// Streams one response with a client made for it; see
/// ``AsyncClient/stream(_:_:params:headers:cookies:content:data:files:json:auth:followRedirects:timeout:extensions:_:)``.
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
    configuration: ClientConfiguration = ClientConfiguration(),
    _ body: (Response) async throws -> T
) async throws -> T {
    try await AsyncClient.withClient(configuration) { client in
        try await client.perform(streaming: method, url, RequestOptions(
            params: params, headers: headers, cookies: cookies, content: content, data: data, files: files,
            json: json, auth: auth, followRedirects: followRedirects, timeout: timeout, extensions: extensions), body)
    }
}

/// Sends one GET request with a client made for it: `try await HTTPX.get(url)`.
public func get(
    _ url: String, params: QueryParams? = nil, headers: Headers? = nil, cookies: Cookies? = nil,
    auth: (any Auth)? = nil, followRedirects: Bool? = nil, timeout: Timeout? = nil,
    extensions: RequestExtensions? = nil, configuration: ClientConfiguration = ClientConfiguration()
) async throws -> Response {
    try await oneShot(.get, url, RequestOptions(
        params: params, headers: headers, cookies: cookies, content: nil, data: nil, files: nil, json: nil,
        auth: auth, followRedirects: followRedirects, timeout: timeout, extensions: extensions), configuration)
}

/// Sends one HEAD request with a client made for it: `try await HTTPX.head(url)`.
public func head(
    _ url: String, params: QueryParams? = nil, headers: Headers? = nil, cookies: Cookies? = nil,
    auth: (any Auth)? = nil, followRedirects: Bool? = nil, timeout: Timeout? = nil,
    extensions: RequestExtensions? = nil, configuration: ClientConfiguration = ClientConfiguration()
) async throws -> Response {
    try await oneShot(.head, url, RequestOptions(
        params: params, headers: headers, cookies: cookies, content: nil, data: nil, files: nil, json: nil,
        auth: auth, followRedirects: followRedirects, timeout: timeout, extensions: extensions), configuration)
}

/// Sends one OPTIONS request with a client made for it: `try await HTTPX.options(url)`.
public func options(
    _ url: String, params: QueryParams? = nil, headers: Headers? = nil, cookies: Cookies? = nil,
    auth: (any Auth)? = nil, followRedirects: Bool? = nil, timeout: Timeout? = nil,
    extensions: RequestExtensions? = nil, configuration: ClientConfiguration = ClientConfiguration()
) async throws -> Response {
    try await oneShot(.options, url, RequestOptions(
        params: params, headers: headers, cookies: cookies, content: nil, data: nil, files: nil, json: nil,
        auth: auth, followRedirects: followRedirects, timeout: timeout, extensions: extensions), configuration)
}

/// Sends one DELETE request with a client made for it: `try await HTTPX.delete(url)`.
public func delete(
    _ url: String, params: QueryParams? = nil, headers: Headers? = nil, cookies: Cookies? = nil,
    auth: (any Auth)? = nil, followRedirects: Bool? = nil, timeout: Timeout? = nil,
    extensions: RequestExtensions? = nil, configuration: ClientConfiguration = ClientConfiguration()
) async throws -> Response {
    try await oneShot(.delete, url, RequestOptions(
        params: params, headers: headers, cookies: cookies, content: nil, data: nil, files: nil, json: nil,
        auth: auth, followRedirects: followRedirects, timeout: timeout, extensions: extensions), configuration)
}

/// Sends one POST request with a client made for it: `try await HTTPX.post(url)`.
public func post(
    _ url: String, content: RequestBody? = nil, data: FormFields? = nil, files: MultipartFiles? = nil,
    json: (any Encodable & Sendable)? = nil, params: QueryParams? = nil, headers: Headers? = nil,
    cookies: Cookies? = nil, auth: (any Auth)? = nil, followRedirects: Bool? = nil, timeout: Timeout? = nil,
    extensions: RequestExtensions? = nil, configuration: ClientConfiguration = ClientConfiguration()
) async throws -> Response {
    try await oneShot(.post, url, RequestOptions(
        params: params, headers: headers, cookies: cookies, content: content, data: data, files: files,
        json: json, auth: auth, followRedirects: followRedirects, timeout: timeout, extensions: extensions), configuration)
}

/// Sends one PUT request with a client made for it: `try await HTTPX.put(url)`.
public func put(
    _ url: String, content: RequestBody? = nil, data: FormFields? = nil, files: MultipartFiles? = nil,
    json: (any Encodable & Sendable)? = nil, params: QueryParams? = nil, headers: Headers? = nil,
    cookies: Cookies? = nil, auth: (any Auth)? = nil, followRedirects: Bool? = nil, timeout: Timeout? = nil,
    extensions: RequestExtensions? = nil, configuration: ClientConfiguration = ClientConfiguration()
) async throws -> Response {
    try await oneShot(.put, url, RequestOptions(
        params: params, headers: headers, cookies: cookies, content: content, data: data, files: files,
        json: json, auth: auth, followRedirects: followRedirects, timeout: timeout, extensions: extensions), configuration)
}

/// Sends one PATCH request with a client made for it: `try await HTTPX.patch(url)`.
public func patch(
    _ url: String, content: RequestBody? = nil, data: FormFields? = nil, files: MultipartFiles? = nil,
    json: (any Encodable & Sendable)? = nil, params: QueryParams? = nil, headers: Headers? = nil,
    cookies: Cookies? = nil, auth: (any Auth)? = nil, followRedirects: Bool? = nil, timeout: Timeout? = nil,
    extensions: RequestExtensions? = nil, configuration: ClientConfiguration = ClientConfiguration()
) async throws -> Response {
    try await oneShot(.patch, url, RequestOptions(
        params: params, headers: headers, cookies: cookies, content: content, data: data, files: files,
        json: json, auth: auth, followRedirects: followRedirects, timeout: timeout, extensions: extensions), configuration)
}
