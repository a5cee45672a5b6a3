// One-shot functions: httpx's `httpx.get(...)` and friends. Each makes a client for one
// request and closes it; use a client to reuse connections and cookies.

/// Sends one request with a client made for it, reading the whole body.
///
/// ```swift
/// import HTTPX
/// let r = try await HTTPX.request(.get, "https://www.example.org/", params: ["q": "swift"])
/// ```
public func request(
    _ method: HTTPMethod, _ url: String, params: QueryParams? = nil, headers: Headers? = nil,
    cookies: Cookies? = nil, content: RequestBody? = nil, data: FormFields? = nil, files: MultipartFiles? = nil,
    json: (any Encodable & Sendable)? = nil, auth: (any Auth)? = nil, followRedirects: Bool = false,
    timeout: Timeout = .default, proxies: Proxies? = nil, trustEnv: Bool = true, transport: (any Transport)? = nil
) async throws -> Response {
    try await AsyncClient.withClient(
        timeout: timeout, followRedirects: followRedirects, proxies: proxies, transport: transport, trustEnv: trustEnv
    ) { client in
        try await client.request(
            method, url, params: params, headers: headers, cookies: cookies, content: content, data: data,
            files: files, json: json, auth: auth)
    }
}

/// Streams one response with a client made for it; see ``AsyncClient/stream(_:_:params:headers:cookies:content:data:files:json:auth:followRedirects:timeout:extensions:_:)``.
public func stream<T>(
    _ method: HTTPMethod, _ url: String, params: QueryParams? = nil, headers: Headers? = nil,
    content: RequestBody? = nil, json: (any Encodable & Sendable)? = nil, auth: (any Auth)? = nil,
    followRedirects: Bool = false, timeout: Timeout = .default, proxies: Proxies? = nil, trustEnv: Bool = true,
    transport: (any Transport)? = nil, _ body: (Response) async throws -> T
) async throws -> T {
    try await AsyncClient.withClient(
        timeout: timeout, followRedirects: followRedirects, proxies: proxies, transport: transport, trustEnv: trustEnv
    ) { client in
        try await client.stream(method, url, params: params, headers: headers, content: content, json: json,
                                auth: auth, body)
    }
}

/// Sends one GET request: `try await HTTPX.get("https://example.org/")`.
public func get(
    _ url: String, params: QueryParams? = nil, headers: Headers? = nil, cookies: Cookies? = nil,
    auth: (any Auth)? = nil, followRedirects: Bool = false, timeout: Timeout = .default, proxies: Proxies? = nil, trustEnv: Bool = true,
    transport: (any Transport)? = nil
) async throws -> Response {
    try await request(.get, url, params: params, headers: headers, cookies: cookies, auth: auth,
                      followRedirects: followRedirects, timeout: timeout, proxies: proxies, trustEnv: trustEnv, transport: transport)
}

/// Sends one HEAD request.
public func head(
    _ url: String, params: QueryParams? = nil, headers: Headers? = nil, cookies: Cookies? = nil,
    auth: (any Auth)? = nil, followRedirects: Bool = false, timeout: Timeout = .default, proxies: Proxies? = nil, trustEnv: Bool = true,
    transport: (any Transport)? = nil
) async throws -> Response {
    try await request(.head, url, params: params, headers: headers, cookies: cookies, auth: auth,
                      followRedirects: followRedirects, timeout: timeout, proxies: proxies, trustEnv: trustEnv, transport: transport)
}

/// Sends one OPTIONS request.
public func options(
    _ url: String, params: QueryParams? = nil, headers: Headers? = nil, cookies: Cookies? = nil,
    auth: (any Auth)? = nil, followRedirects: Bool = false, timeout: Timeout = .default, proxies: Proxies? = nil, trustEnv: Bool = true,
    transport: (any Transport)? = nil
) async throws -> Response {
    try await request(.options, url, params: params, headers: headers, cookies: cookies, auth: auth,
                      followRedirects: followRedirects, timeout: timeout, proxies: proxies, trustEnv: trustEnv, transport: transport)
}

/// Sends one DELETE request.
public func delete(
    _ url: String, params: QueryParams? = nil, headers: Headers? = nil, cookies: Cookies? = nil,
    auth: (any Auth)? = nil, followRedirects: Bool = false, timeout: Timeout = .default, proxies: Proxies? = nil, trustEnv: Bool = true,
    transport: (any Transport)? = nil
) async throws -> Response {
    try await request(.delete, url, params: params, headers: headers, cookies: cookies, auth: auth,
                      followRedirects: followRedirects, timeout: timeout, proxies: proxies, trustEnv: trustEnv, transport: transport)
}

/// Sends one POST request: `try await HTTPX.post(url, json: payload)`.
public func post(
    _ url: String, content: RequestBody? = nil, data: FormFields? = nil, files: MultipartFiles? = nil,
    json: (any Encodable & Sendable)? = nil, params: QueryParams? = nil, headers: Headers? = nil,
    cookies: Cookies? = nil, auth: (any Auth)? = nil, followRedirects: Bool = false, timeout: Timeout = .default,
    proxies: Proxies? = nil, trustEnv: Bool = true, transport: (any Transport)? = nil
) async throws -> Response {
    try await request(.post, url, params: params, headers: headers, cookies: cookies, content: content, data: data,
                      files: files, json: json, auth: auth, followRedirects: followRedirects, timeout: timeout,
                      proxies: proxies, trustEnv: trustEnv, transport: transport)
}

/// Sends one PUT request.
public func put(
    _ url: String, content: RequestBody? = nil, data: FormFields? = nil, files: MultipartFiles? = nil,
    json: (any Encodable & Sendable)? = nil, params: QueryParams? = nil, headers: Headers? = nil,
    cookies: Cookies? = nil, auth: (any Auth)? = nil, followRedirects: Bool = false, timeout: Timeout = .default,
    proxies: Proxies? = nil, trustEnv: Bool = true, transport: (any Transport)? = nil
) async throws -> Response {
    try await request(.put, url, params: params, headers: headers, cookies: cookies, content: content, data: data,
                      files: files, json: json, auth: auth, followRedirects: followRedirects, timeout: timeout,
                      proxies: proxies, trustEnv: trustEnv, transport: transport)
}

/// Sends one PATCH request.
public func patch(
    _ url: String, content: RequestBody? = nil, data: FormFields? = nil, files: MultipartFiles? = nil,
    json: (any Encodable & Sendable)? = nil, params: QueryParams? = nil, headers: Headers? = nil,
    cookies: Cookies? = nil, auth: (any Auth)? = nil, followRedirects: Bool = false, timeout: Timeout = .default,
    proxies: Proxies? = nil, trustEnv: Bool = true, transport: (any Transport)? = nil
) async throws -> Response {
    try await request(.patch, url, params: params, headers: headers, cookies: cookies, content: content, data: data,
                      files: files, json: json, auth: auth, followRedirects: followRedirects, timeout: timeout,
                      proxies: proxies, trustEnv: trustEnv, transport: transport)
}
