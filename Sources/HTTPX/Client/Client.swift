import CoreMetrics
import Logging
import NIOCore
import NIOSSL
import Tracing

/// The blocking HTTP client: httpx's `Client`, for scripts, tools and code that is not async.
///
/// It has the same options and behaviour as ``AsyncClient``, which it runs underneath (one
/// pipeline, not a copy). It refuses to run inside a Swift concurrency task, where blocking
/// could deadlock, with ``HTTPXError/Kind/blockingInAsyncContext``.
///
/// Blocking the main thread is allowed, but then no transport handler or event hook may be
/// isolated to the main actor (a closure written in top-level code of `main.swift` is):
/// it would wait for the very thread that is waiting for it.
///
/// ```swift
/// let client = Client(baseURL: "https://httpbin.org", timeout: Timeout(10, connect: 60))
/// defer { client.close() }
/// let r = try client.get("/get", params: ["q": "swift"])
/// print(r.statusCode, r.text)
/// ```
public final class Client: Sendable {
    /// The async client that does the work; share it with async code if you like.
    public let asyncClient: AsyncClient

    /// Creates a client; the options are those of ``AsyncClient/init(baseURL:auth:params:headers:cookies:timeout:limits:verify:cert:http2:followRedirects:maxRedirects:eventHooks:proxies:transport:mounts:defaultEncoding:trustEnv:logger:tracer:metrics:)``.
    public init(
        baseURL: String? = nil,
        auth: (any Auth)? = nil,
        params: QueryParams = [:],
        headers: Headers = [:],
        cookies: Cookies = [:],
        timeout: Timeout = .default,
        limits: Limits = .default,
        verify: TLSVerification = .system,
        cert: ClientCertificate? = nil,
        http2: Bool = false,
        followRedirects: Bool = false,
        maxRedirects: Int = 20,
        eventHooks: EventHooks = EventHooks(),
        proxies: Proxies? = nil,
        transport: (any Transport)? = nil,
        mounts: [URLPattern: any Transport] = [:],
        defaultEncoding: DefaultEncoding = .utf8,
        trustEnv: Bool = true,
        logger: Logger? = nil,
        tracer: (any Tracer)? = nil,
        metrics: (any MetricsFactory)? = nil
    ) {
        asyncClient = AsyncClient(
            baseURL: baseURL, auth: auth, params: params, headers: headers, cookies: cookies, timeout: timeout,
            limits: limits, verify: verify, cert: cert, http2: http2, followRedirects: followRedirects, maxRedirects: maxRedirects, eventHooks: eventHooks,
            proxies: proxies, transport: transport, mounts: mounts, defaultEncoding: defaultEncoding,
            trustEnv: trustEnv, logger: logger, tracer: tracer, metrics: metrics)
    }

    /// Runs `body` with a new client and closes it afterwards.
    public static func withClient<T>(
        baseURL: String? = nil, auth: (any Auth)? = nil, headers: Headers = [:], timeout: Timeout = .default,
        followRedirects: Bool = false, proxies: Proxies? = nil, transport: (any Transport)? = nil,
        _ body: (Client) throws -> T
    ) throws -> T {
        let client = Client(
            baseURL: baseURL, auth: auth, headers: headers, timeout: timeout, followRedirects: followRedirects,
            proxies: proxies, transport: transport)
        defer { client.close() }
        return try body(client)
    }

    /// The cookie jar shared by every request of the client.
    public var cookies: Cookies {
        get { asyncClient.cookies }
        set { asyncClient.cookies = newValue }
    }

    /// Whether ``close()`` was called.
    public var isClosed: Bool { asyncClient.isClosed }

    /// Closes the client and its transports. Safe to call more than once, and from any
    /// thread. The client refuses new requests at once; inside a Swift task or on a SwiftNIO
    /// event loop thread (where waiting could deadlock), its transports close in the background.
    public func close() {
        let inner = asyncClient
        guard inner.markClosed() else { return }
        if Blocking.canWait {
            _ = try? Blocking.run { await inner.closeTransports() }
        } else {
            Task { await inner.closeTransports() }
        }
    }

    /// Builds a request with the client's configuration merged in; see
    /// ``AsyncClient/buildRequest(_:_:params:headers:cookies:content:data:files:json:timeout:extensions:)``.
    public func buildRequest(
        _ method: HTTPMethod, _ url: String, params: QueryParams? = nil, headers: Headers? = nil,
        cookies: Cookies? = nil, content: RequestBody? = nil, data: FormFields? = nil, files: MultipartFiles? = nil,
        json: (any Encodable & Sendable)? = nil, timeout: Timeout? = nil, extensions: RequestExtensions? = nil
    ) throws -> Request {
        try asyncClient.buildRequest(
            method, url, params: params, headers: headers, cookies: cookies, content: content, data: data,
            files: files, json: json, timeout: timeout, extensions: extensions)
    }

    /// Sends a built request and reads its body.
    public func send(_ request: Request, auth: (any Auth)? = nil, followRedirects: Bool? = nil) throws -> Response {
        let inner = asyncClient
        return try Blocking.run { try await inner.send(request, auth: auth, followRedirects: followRedirects) }
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
        _ method: HTTPMethod, _ url: String, params: QueryParams? = nil, headers: Headers? = nil,
        content: RequestBody? = nil, json: (any Encodable & Sendable)? = nil, auth: (any Auth)? = nil,
        followRedirects: Bool? = nil, timeout: Timeout? = nil, _ body: (BlockingStream) throws -> T
    ) throws -> T {
        let request = try buildRequest(
            method, url, params: params, headers: headers, content: content, json: json, timeout: timeout)
        let inner = asyncClient
        let response = try Blocking.run {
            try await inner.send(request, auth: auth, followRedirects: followRedirects, stream: true)
        }
        let stream = BlockingStream(response: response)
        defer { stream.close() }
        return try body(stream)
    }
}

/// A streamed response read from blocking code, chunk by chunk.
public final class BlockingStream: @unchecked Sendable {
    // Safety: the iterator is only touched by one blocking call at a time, each of which waits
    // for its task to finish before returning.

    /// The response, with its body not yet read.
    public let response: Response
    private var iterator: ByteStream.AsyncIterator?

    init(response: Response) {
        self.response = response
    }

    /// The next decoded chunk of the body, or `nil` at its end.
    public func nextChunk() throws -> ByteBuffer? {
        if iterator == nil { iterator = response.bytes().makeAsyncIterator() }
        return try Blocking.run { [self] in
            try await self.advance()
        }
    }

    private func advance() async throws -> ByteBuffer? {
        try await iterator?.next()
    }

    /// Reads the rest of the body and returns the response with it.
    public func read() throws -> Response {
        let response = self.response
        return try Blocking.run {
            var copy = response
            try await copy.read()
            return copy
        }
    }

    /// Closes the body without reading the rest.
    public func close() {
        let response = self.response
        if Blocking.canWait {
            _ = try? Blocking.run { await response.close() }
        } else {
            Task { await response.close() }
        }
    }
}
