import CoreMetrics
import Logging
import Tracing

/// Every option of a client, in one place: ``AsyncClient``, the blocking ``Client``, both
/// `withClient` functions and the one-shot functions all take one.
///
/// ```swift
/// let client = AsyncClient(.init(baseURL: "https://api.example.org", timeout: 10))
///
/// var configuration = ClientConfiguration(http2: true)
/// configuration.headers["User-Agent"] = "my-app/1.0"
/// try await AsyncClient.withClient(configuration) { client in
///     _ = try await client.get("/status")
/// }
///
/// let r = try await get("https://self-signed.example", configuration: .init(verify: .disabled))
/// ```
///
/// The options are httpx's `Client(...)` arguments; a new option added here reaches every entry
/// point at once.
public struct ClientConfiguration: Sendable {
    /// A URL that relative request URLs are appended to; if it is invalid, every request fails
    /// with ``HTTPXError/Kind/invalidURL``.
    public var baseURL: String?
    /// Authentication for every request (`.basic(user, pass)`, a custom ``Auth``).
    public var auth: (any Auth)?
    /// Query parameters merged into every URL.
    public var params: QueryParams
    /// Headers merged into every request.
    public var headers: Headers
    /// Cookies to start the jar with.
    public var cookies: Cookies
    /// Connect, read, write and pool timeouts, 5 seconds each by default.
    public var timeout: Timeout
    /// Connection pool limits of the default network transport, and the body limits.
    public var limits: Limits
    /// How HTTPS servers are verified: `.system` (default), `.caBundle(path)`, `.disabled`, or
    /// a full `.configuration(TLSConfiguration)`.
    public var verify: TLSVerification
    /// A client certificate (and key) for mutual TLS.
    public var cert: ClientCertificate?
    /// Whether to offer HTTP/2 to HTTPS servers (they choose, by ALPN).
    public var http2: Bool
    /// Whether to follow redirects (off by default, as in httpx).
    public var followRedirects: Bool
    /// The most redirects to follow (20).
    public var maxRedirects: Int
    /// Functions called on every request and response.
    public var eventHooks: EventHooks
    /// The proxies to send requests through, one for everything or by URL pattern
    /// (``Proxies``). Without them (and without `transport`), `trustEnv` reads `HTTP_PROXY`,
    /// `HTTPS_PROXY`, `ALL_PROXY` and `NO_PROXY`.
    public var proxies: Proxies?
    /// What sends requests; an ``HTTPTransport`` with these limits, TLS and socket options by
    /// default.
    public var transport: (any Transport)?
    /// Transports for URL patterns, most specific pattern first.
    public var mounts: [URLPattern: any Transport]
    /// How to decode text that names no charset (UTF-8), or a detector.
    public var defaultEncoding: DefaultEncoding
    /// Whether to read proxies, `.netrc`, CA settings and `SSLKEYLOGFILE` from the environment.
    public var trustEnv: Bool
    /// Options set on every socket the default transport opens (TCP keep-alive and the like).
    public var socketOptions: [SocketOption]
    /// When requests are sent again (``RetryPolicy``); none by default, as in httpx.
    public var retry: RetryPolicy
    /// How long a request may take in all, retries and reading the body included; `nil` (the
    /// default) for no bound beyond the four timeouts.
    public var deadline: Duration?
    /// Where the client logs: one `info` line per request, `debug` for connections, TLS, pool
    /// waits, redirects and auth steps, `trace` for each exchange; nothing by default.
    /// Credentials, cookies and proxy passwords are never logged.
    public var logger: Logger?
    /// The tracer of a client span per request (swift-distributed-tracing);
    /// `InstrumentationSystem.tracer` as bootstrapped when the client is made, by default.
    public var tracer: (any Tracer)?
    /// The swift-metrics factory of the request and connection metrics;
    /// `MetricsSystem.factory` as bootstrapped when the client is made, by default.
    public var metrics: (any MetricsFactory)?

    /// A configuration; every option left out has httpx's default.
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
        socketOptions: [SocketOption] = [],
        retry: RetryPolicy = .none,
        deadline: Duration? = nil,
        logger: Logger? = nil,
        tracer: (any Tracer)? = nil,
        metrics: (any MetricsFactory)? = nil
    ) {
        self.baseURL = baseURL
        self.auth = auth
        self.params = params
        self.headers = headers
        self.cookies = cookies
        self.timeout = timeout
        self.limits = limits
        self.verify = verify
        self.cert = cert
        self.http2 = http2
        self.followRedirects = followRedirects
        self.maxRedirects = maxRedirects
        self.eventHooks = eventHooks
        self.proxies = proxies
        self.transport = transport
        self.mounts = mounts
        self.defaultEncoding = defaultEncoding
        self.trustEnv = trustEnv
        self.socketOptions = socketOptions
        self.retry = retry
        self.deadline = deadline
        self.logger = logger
        self.tracer = tracer
        self.metrics = metrics
    }
}
