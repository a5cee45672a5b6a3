/// The options of one request, as every request method takes them. Its initializer has no
/// defaults, so each method of each entry point (``AsyncClient``, ``Client``, the one-shot
/// functions) must say what it passes for every option: a new option cannot be forgotten in one
/// of them without the compiler noticing.
struct RequestOptions: Sendable {
    var params: QueryParams?
    var headers: Headers?
    var cookies: Cookies?
    var content: RequestBody?
    var data: FormFields?
    var files: MultipartFiles?
    var json: (any Encodable & Sendable)?
    var auth: (any Auth)?
    var followRedirects: Bool?
    var timeout: Timeout?
    var extensions: RequestExtensions?
}

extension AsyncClient {
    /// Builds a request from `options` and sends it, reading its body.
    func perform(_ method: HTTPMethod, _ url: String, _ options: RequestOptions) async throws -> Response {
        let request = try buildRequest(method, url, options)
        return try await send(request, auth: options.auth, followRedirects: options.followRedirects)
    }

    /// Builds a request from `options`, sends it and hands `body` the unread response, closing
    /// it afterwards.
    func perform<T>(
        streaming method: HTTPMethod, _ url: String, _ options: RequestOptions, _ body: (Response) async throws -> T
    ) async throws -> T {
        let request = try buildRequest(method, url, options)
        let response = try await send(request, auth: options.auth, followRedirects: options.followRedirects, stream: true)
        do {
            let result = try await body(response)
            await response.close()
            return result
        } catch {
            await response.close()
            throw error
        }
    }

    func buildRequest(_ method: HTTPMethod, _ url: String, _ options: RequestOptions) throws -> Request {
        try buildRequest(
            method, url, params: options.params, headers: options.headers, cookies: options.cookies,
            content: options.content, data: options.data, files: options.files, json: options.json,
            timeout: options.timeout, extensions: options.extensions)
    }
}

/// Sends one request with a client made for it and closed afterwards.
func oneShot(
    _ method: HTTPMethod, _ url: String, _ options: RequestOptions, _ configuration: ClientConfiguration
) async throws -> Response {
    try await AsyncClient.withClient(configuration) { client in
        try await client.perform(method, url, options)
    }
}

extension Client {
    /// Sends one request with a blocking client made for it and closed afterwards.
    static func oneShot(
        _ method: HTTPMethod, _ url: String, _ options: RequestOptions, _ configuration: ClientConfiguration
    ) throws -> Response {
        try Client.withClient(configuration) { client in
            try client.perform(method, url, options)
        }
    }

    /// Builds and sends a request from `options`, blocking until its body is read.
    func perform(_ method: HTTPMethod, _ url: String, _ options: RequestOptions) throws -> Response {
        let inner = asyncClient
        return try Blocking.run { try await inner.perform(method, url, options) }
    }

    /// Builds and sends a request from `options` and passes the unread response to `body`,
    /// closing it afterwards.
    func perform<T>(
        streaming method: HTTPMethod, _ url: String, _ options: RequestOptions, _ body: (BlockingStream) throws -> T
    ) throws -> T {
        let inner = asyncClient
        let response = try Blocking.run {
            let request = try inner.buildRequest(method, url, options)
            return try await inner.send(request, auth: options.auth, followRedirects: options.followRedirects, stream: true)
        }
        let stream = BlockingStream(response: response)
        defer { stream.close() }
        return try body(stream)
    }
}
