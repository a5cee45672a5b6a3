import CoreMetrics
import Logging
import NIOSSL
import Synchronization
import Tracing

/// An HTTP client with connection pooling, cookie persistence and shared configuration:
/// httpx's `AsyncClient`.
///
/// ```swift
/// try await AsyncClient.withClient(
///     baseURL: "https://httpbin.org",
///     headers: ["User-Agent": "my-app/0.0.1"]
/// ) { client in
///     let r = try await client.get("/headers")
///     print(try r.json()["headers"]?["User-Agent"] ?? "")
/// }
/// ```
///
/// Headers, query params and cookies given to the client are merged into every request; any
/// other option given to a request replaces the client's. A client is safe to share between
/// tasks. Call ``close()`` when done, or use ``withClient(baseURL:auth:params:headers:cookies:timeout:limits:verify:cert:http2:followRedirects:maxRedirects:eventHooks:proxies:transport:mounts:defaultEncoding:trustEnv:logger:tracer:metrics:_:)``.
public final class AsyncClient: Sendable {
    /// The auth used when a request gives none.
    public let auth: (any Auth)?
    /// Query parameters merged into every request's URL.
    public let params: QueryParams
    /// Headers merged into every request (request headers of the same name win).
    public let headers: Headers
    /// The timeouts of requests that give none.
    public let timeout: Timeout
    /// Whether redirects are followed when a request does not say.
    public let followRedirects: Bool
    /// The most redirects followed before ``HTTPXError/Kind/tooManyRedirects``.
    public let maxRedirects: Int
    /// Hooks called for every request and response.
    public let eventHooks: EventHooks
    /// The URL that relative request URLs are appended to.
    public let baseURL: HTTPURL?
    /// Why the `baseURL` given to the initializer could not be used, reported by every request.
    let baseURLError: HTTPXError?
    /// Why the mounts or proxies given to the initializer cannot be used, reported by every request.
    let configurationError: HTTPXError?
    /// How text is decoded when a response names no charset.
    public let defaultEncoding: DefaultEncoding
    /// The pool limits given to the default transport, and the body limits every response
    /// of this client is read with.
    public let limits: Limits
    /// Whether the environment (proxies, `.netrc`, CA bundles) is consulted.
    public let trustEnv: Bool
    /// The logger of requests that give none in their extensions, and of the default
    /// transport's connections; `nil` logs nothing.
    public let logger: Logger?
    /// The tracer of the requests' spans; `nil` when tracing is off.
    let tracer: (any Tracer)?
    /// The requests' metrics; `nil` when metrics are off.
    let metrics: ClientMetrics?

    let transport: any Transport
    /// The `.netrc` file, read at the first request that needs it (with `trustEnv`).
    let netrcCache = NetrcCache()
    let mounts: [(pattern: URLPattern, transport: any Transport)]
    /// The transport mounted for proxied patterns beside a transport of the caller's.
    private let proxyTransport: HTTPTransport?
    /// Hosts that bypass `proxyTransport` for the caller's transport.
    private let noProxy: NoProxy
    private let state: Mutex<State>

    private struct State {
        var cookies: Cookies
        var isClosed = false
    }

    /// Creates a client.
    ///
    /// - Parameters:
    ///   - baseURL: a URL that relative request URLs are appended to; if it is invalid, every
    ///     request fails with ``HTTPXError/Kind/invalidURL``.
    ///   - auth: authentication for every request (`.basic(user, pass)`, a custom ``Auth``).
    ///   - params: query parameters merged into every URL.
    ///   - headers: headers merged into every request.
    ///   - cookies: cookies to start the jar with.
    ///   - timeout: connect/read/write/pool timeouts, 5 seconds each by default.
    ///   - limits: connection pool limits of the default network transport.
    ///   - verify: how HTTPS servers are verified: `.system` (default), `.caBundle(path)`,
    ///     `.disabled`, or a full `.configuration(TLSConfiguration)`.
    ///   - cert: a client certificate (and key) for mutual TLS.
    ///   - http2: whether to offer HTTP/2 to HTTPS servers (they choose, by ALPN).
    ///   - followRedirects: whether to follow redirects (off by default, as in httpx).
    ///   - maxRedirects: the most redirects to follow (20).
    ///   - eventHooks: functions called on every request and response.
    ///   - proxies: the proxies to send requests through, one for everything or by URL pattern
    ///     (``Proxies``). Without them (and without `transport`), `trustEnv` reads
    ///     `HTTP_PROXY`, `HTTPS_PROXY`, `ALL_PROXY` and `NO_PROXY`.
    ///   - transport: what sends requests; an ``HTTPTransport`` with `limits` by default.
    ///   - mounts: transports for URL patterns, most specific pattern first.
    ///   - defaultEncoding: how to decode text that names no charset (UTF-8).
    ///   - trustEnv: whether to read proxies, `.netrc` and CA settings from the environment.
    ///   - logger: where the client logs: one `info` line per request, `debug` for connections,
    ///     TLS, pool waits, redirects and auth steps, `trace` for each request's exchange;
    ///     nothing by default. Credentials, cookies and proxy passwords are never logged.
    ///   - tracer: the tracer of a client span per request (swift-distributed-tracing);
    ///     `InstrumentationSystem.tracer` as bootstrapped when the client is made by default.
    ///   - metrics: the swift-metrics factory of the request and connection metrics;
    ///     `MetricsSystem.factory` as bootstrapped when the client is made by default.
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
        self.logger = logger
        let tracer = tracer ?? InstrumentationSystem.tracer
        self.tracer = tracer is NoOpTracer ? nil : tracer
        let metrics = ClientMetrics(metrics)
        self.metrics = metrics
        self.auth = auth
        self.params = params
        self.headers = Self.defaultHeaders.merging(headers)
        self.timeout = timeout
        self.followRedirects = followRedirects
        self.maxRedirects = max(0, maxRedirects)
        self.eventHooks = eventHooks
        do {
            self.baseURL = try baseURL.map(HTTPURL.init)
            self.baseURLError = nil
        } catch let error as HTTPXError {
            self.baseURL = nil
            self.baseURLError = HTTPXError(.invalidURL, "Invalid base URL of the client: \(error.message)")
        } catch {
            self.baseURL = nil
            self.baseURLError = HTTPXError(.invalidURL, "Invalid base URL of the client: \(error)")
        }
        // The environment's proxies apply only when neither proxies nor a transport were given.
        let proxies = proxies ?? (transport == nil && trustEnv ? Proxies.environment() : nil)
        let network = { (proxies: Proxies?) in
            HTTPTransport(
                verify: verify, cert: cert, trustEnv: trustEnv, http2: http2, limits: limits, proxies: proxies,
                logger: logger, metrics: metrics?.factory)
        }
        let base = transport ?? network(proxies)
        self.transport = base
        // Proxy patterns compete with mounts by specificity, as httpx's do. The default
        // transport routes by its proxies itself; with a transport of the caller's, proxied
        // patterns go to a transport of their own and the rest (NO_PROXY hosts too) to the
        // caller's.
        var routes: [URLPattern: any Transport] = [:]
        var proxyTransport: HTTPTransport?
        if let proxies, !proxies.routes.isEmpty, transport != nil || !mounts.isEmpty {
            if transport != nil { proxyTransport = network(proxies) }
            let carrier = proxyTransport ?? base
            for route in proxies.routes { routes[route.pattern] = route.proxy == nil ? base : carrier }
        }
        self.proxyTransport = proxyTransport
        self.noProxy = proxies?.noProxy ?? NoProxy()
        routes.merge(mounts) { _, mounted in mounted }
        self.mounts = routes.map { (pattern: $0.key, transport: $0.value) }
            .sorted { URLPattern.moreSpecific($0.pattern, $1.pattern) }
        self.configurationError = URLPattern.validate(mounts.keys, role: "mounts") ?? proxies?.problem
        self.defaultEncoding = defaultEncoding
        self.limits = limits
        self.trustEnv = trustEnv
        self.state = Mutex(State(cookies: cookies))
    }

    /// The headers every client sends unless told otherwise, as httpx sends them.
    public static let defaultHeaders: Headers = [
        ("Accept", "*/*"),
        ("Accept-Encoding", "gzip, deflate"),
        ("Connection", "keep-alive"),
        ("User-Agent", "swift-httpx/\(HTTPXVersion.current)"),
    ]

    /// The cookie jar: updated from every response, sent with every matching request.
    ///
    /// ```swift
    /// client.cookies.set("session", "abc", domain: "example.org")
    /// ```
    public var cookies: Cookies {
        get { state.withLock { $0.cookies } }
        set { state.withLock { $0.cookies = newValue } }
    }

    /// Updates the jar in place, atomically with respect to other tasks using the client.
    public func withCookies<T>(_ body: (inout Cookies) throws -> T) rethrows -> T {
        try state.withLock { try body(&$0.cookies) }
    }

    /// Whether ``close()`` was called.
    public var isClosed: Bool { state.withLock { $0.isClosed } }

    /// Closes the client and its transports; later requests fail with
    /// ``HTTPXError/Kind/clientClosed``. Calling it again does nothing.
    public func close() async {
        guard markClosed() else { return }
        await closeTransports()
    }

    /// Refuses new requests from now on; returns whether this call closed the client.
    func markClosed() -> Bool {
        state.withLock { state in
            defer { state.isClosed = true }
            return !state.isClosed
        }
    }

    /// Closes the transports, once the client is marked closed.
    func closeTransports() async {
        // A transport mounted for several patterns (a proxy's, say) is closed once.
        var closed: Set<ObjectIdentifier> = []
        for transport in [transport] + mounts.map(\.transport) {
            if type(of: transport) is AnyClass, !closed.insert(ObjectIdentifier(transport as AnyObject)).inserted { continue }
            await transport.close()
        }
    }

    /// Runs `body` with a new client and closes the client afterwards, even when `body` throws.
    public static func withClient<T>(
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
        metrics: (any MetricsFactory)? = nil,
        _ body: (AsyncClient) async throws -> T
    ) async throws -> T {
        let client = AsyncClient(
            baseURL: baseURL, auth: auth, params: params, headers: headers, cookies: cookies, timeout: timeout,
            limits: limits, verify: verify, cert: cert, http2: http2, followRedirects: followRedirects, maxRedirects: maxRedirects, eventHooks: eventHooks,
            proxies: proxies, transport: transport, mounts: mounts, defaultEncoding: defaultEncoding,
            trustEnv: trustEnv, logger: logger, tracer: tracer, metrics: metrics)
        do {
            let result = try await body(client)
            await client.close()
            return result
        } catch {
            await client.close()
            throw error
        }
    }

    /// The transport for `url`: the most specific matching mount, else the client's.
    func transport(for url: HTTPURL) -> any Transport {
        guard let mounted = mounts.first(where: { $0.pattern.matches(url) })?.transport else { return transport }
        if let proxyTransport, mounted as AnyObject === proxyTransport, noProxy.matches(url) { return transport }
        return mounted
    }
}

/// The library's version, sent in the default `User-Agent`.
public enum HTTPXVersion {
    public static let current = "0.1.0"
}
