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
/// let client = Client(.init(baseURL: "https://httpbin.org", timeout: Timeout(10, connect: 60)))
/// defer { client.close() }
/// let r = try client.get("/get", params: ["q": "swift"])
/// print(r.statusCode, try r.text)
/// ```
public final class Client: Sendable {
    /// The async client that does the work; share it with async code if you like.
    public let asyncClient: AsyncClient

    /// Creates a client from a configuration (every option has httpx's default), the same as
    /// ``AsyncClient/init(_:)`` takes.
    public init(_ configuration: ClientConfiguration = ClientConfiguration()) {
        asyncClient = AsyncClient(configuration)
    }

    /// Runs `body` with a new client and closes it afterwards.
    ///
    /// ```swift
    /// let status = try Client.withClient(.init(followRedirects: true)) { client in
    ///     try client.get("https://example.org/").statusCode
    /// }
    /// ```
    public static func withClient<T>(
        _ configuration: ClientConfiguration = ClientConfiguration(), _ body: (Client) throws -> T
    ) throws -> T {
        let client = Client(configuration)
        defer { client.close() }
        return try body(client)
    }

    /// The cookie jar shared by every request of the client.
    public var cookies: Cookies {
        get { asyncClient.cookies }
        set { asyncClient.cookies = newValue }
    }

    /// Headers merged into every request; see ``AsyncClient/headers``.
    public var headers: Headers {
        get { asyncClient.headers }
        set { asyncClient.headers = newValue }
    }

    /// Query parameters merged into every request's URL.
    public var params: QueryParams {
        get { asyncClient.params }
        set { asyncClient.params = newValue }
    }

    /// The auth used when a request gives none.
    public var auth: (any Auth)? {
        get { asyncClient.auth }
        set { asyncClient.auth = newValue }
    }

    /// The URL that relative request URLs are appended to.
    public var baseURL: HTTPURL? {
        get { asyncClient.baseURL }
        set { asyncClient.baseURL = newValue }
    }

    /// The timeouts of requests that give none.
    public var timeout: Timeout {
        get { asyncClient.timeout }
        set { asyncClient.timeout = newValue }
    }

    /// Whether redirects are followed when a request does not say.
    public var followRedirects: Bool {
        get { asyncClient.followRedirects }
        set { asyncClient.followRedirects = newValue }
    }

    /// Hooks called for every request and response.
    public var eventHooks: EventHooks {
        get { asyncClient.eventHooks }
        set { asyncClient.eventHooks = newValue }
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
}
