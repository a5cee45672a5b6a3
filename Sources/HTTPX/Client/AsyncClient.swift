import CoreMetrics
import Logging
import NIOSSL
import Synchronization
import Tracing

/// An HTTP client with connection pooling, cookie persistence and shared configuration:
/// httpx's `AsyncClient`.
///
/// ```swift
/// try await AsyncClient.withClient(.init(
///     baseURL: "https://httpbin.org",
///     headers: ["User-Agent": "my-app/0.0.1"]
/// )) { client in
///     let r = try await client.get("/headers")
///     print(try r.json()["headers"]?["User-Agent"] ?? "")
/// }
/// ```
///
/// Headers, query params and cookies given to the client are merged into every request; any
/// other option given to a request replaces the client's. The settings httpx lets you change
/// after creation (``headers``, ``params``, ``cookies``, ``auth``, ``baseURL``, ``timeout``,
/// ``followRedirects``, ``eventHooks``) can be changed here too, and apply to requests built
/// afterwards. A client is safe to share between tasks. Call ``close()`` when done, or use
/// ``withClient(_:_:)``.
public final class AsyncClient: Sendable {
    /// Why the mounts or proxies given to the initializer cannot be used, reported by every request.
    let configurationError: HTTPXError?
    /// How text is decoded when a response names no charset.
    public let defaultEncoding: DefaultEncoding
    /// The pool limits given to the default transport, and the body limits every response
    /// of this client is read with.
    public let limits: Limits
    /// The most redirects followed before ``HTTPXError/Kind/tooManyRedirects``.
    public let maxRedirects: Int
    /// When requests that give no policy of their own are sent again.
    public let retry: RetryPolicy
    /// How long a request that gives no deadline of its own may take in all.
    public let deadline: Duration?
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
        var settings: Settings
        var cookies: Cookies
        var isClosed = false
    }

    /// The settings that can change after the client is made; a request takes them all at once.
    struct Settings: Sendable {
        var auth: (any Auth)?
        var params: QueryParams
        var headers: Headers
        var timeout: Timeout
        var followRedirects: Bool
        var eventHooks: EventHooks
        var baseURL: HTTPURL?
        /// Why the `baseURL` given could not be used, reported by every request.
        var baseURLError: HTTPXError?
    }

    /// Creates a client from a configuration (every option has httpx's default).
    ///
    /// ```swift
    /// let client = AsyncClient(.init(baseURL: "https://api.example.org", timeout: 10))
    /// defer { Task { await client.close() } }
    /// ```
    public init(_ configuration: ClientConfiguration = ClientConfiguration()) {
        let c = configuration
        self.logger = c.logger
        let tracer = c.tracer ?? InstrumentationSystem.tracer
        self.tracer = tracer is NoOpTracer ? nil : tracer
        let metrics = ClientMetrics(c.metrics)
        self.metrics = metrics
        self.maxRedirects = max(0, c.maxRedirects)
        self.retry = c.retry
        self.deadline = c.deadline
        var settings = Settings(
            auth: c.auth, params: c.params, headers: Self.defaultHeaders.merging(c.headers), timeout: c.timeout,
            followRedirects: c.followRedirects, eventHooks: c.eventHooks)
        do {
            settings.baseURL = try c.baseURL.map(HTTPURL.init)
        } catch let error as HTTPXError {
            settings.baseURLError = HTTPXError(.invalidURL, "Invalid base URL of the client: \(error.message)")
        } catch {
            settings.baseURLError = HTTPXError(.invalidURL, "Invalid base URL of the client: \(error)")
        }
        // The environment's proxies apply only when neither proxies nor a transport were given.
        let transport = c.transport
        let proxies = c.proxies ?? (transport == nil && c.trustEnv ? Proxies.environment() : nil)
        let network = { (proxies: Proxies?) in
            HTTPTransport(
                verify: c.verify, cert: c.cert, trustEnv: c.trustEnv, http2: c.http2, limits: c.limits,
                proxies: proxies, socketOptions: c.socketOptions, logger: c.logger, metrics: metrics?.factory)
        }
        let base = transport ?? network(proxies)
        self.transport = base
        // Proxy patterns compete with mounts by specificity, as httpx's do. The default
        // transport routes by its proxies itself; with a transport of the caller's, proxied
        // patterns go to a transport of their own and the rest (NO_PROXY hosts too) to the
        // caller's.
        var routes: [URLPattern: any Transport] = [:]
        var proxyTransport: HTTPTransport?
        if let proxies, !proxies.routes.isEmpty, transport != nil || !c.mounts.isEmpty {
            if transport != nil { proxyTransport = network(proxies) }
            let carrier = proxyTransport ?? base
            for route in proxies.routes { routes[route.pattern] = route.proxy == nil ? base : carrier }
        }
        self.proxyTransport = proxyTransport
        self.noProxy = proxies?.noProxy ?? NoProxy()
        routes.merge(c.mounts) { _, mounted in mounted }
        self.mounts = routes.map { (pattern: $0.key, transport: $0.value) }
            .sorted { URLPattern.moreSpecific($0.pattern, $1.pattern) }
        self.configurationError = URLPattern.validate(c.mounts.keys, role: "mounts") ?? proxies?.problem
        self.defaultEncoding = c.defaultEncoding
        self.limits = c.limits
        self.trustEnv = c.trustEnv
        self.state = Mutex(State(settings: settings, cookies: c.cookies))
    }

    /// The changeable settings, taken at once.
    var settings: Settings { state.withLock { $0.settings } }

    /// The changeable settings and the cookie jar, taken at once.
    var settingsAndCookies: (Settings, Cookies) { state.withLock { ($0.settings, $0.cookies) } }

    /// The auth used when a request gives none.
    public var auth: (any Auth)? {
        get { state.withLock { $0.settings.auth } }
        set { state.withLock { $0.settings.auth = newValue } }
    }

    /// Query parameters merged into every request's URL.
    public var params: QueryParams {
        get { state.withLock { $0.settings.params } }
        set { state.withLock { $0.settings.params = newValue } }
    }

    /// Headers merged into every request (request headers of the same name win). Setting
    /// them keeps the default headers the new ones do not replace, as httpx does.
    ///
    /// ```swift
    /// client.headers = ["Authorization": "Bearer \(token)"]   // Accept, User-Agent... stay
    /// client.headers["X-Trace"] = "on"
    /// ```
    public var headers: Headers {
        get { state.withLock { $0.settings.headers } }
        set {
            let merged = Self.defaultHeaders.merging(newValue)
            state.withLock { $0.settings.headers = merged }
        }
    }

    /// The timeouts of requests that give none.
    public var timeout: Timeout {
        get { state.withLock { $0.settings.timeout } }
        set { state.withLock { $0.settings.timeout = newValue } }
    }

    /// Whether redirects are followed when a request does not say.
    public var followRedirects: Bool {
        get { state.withLock { $0.settings.followRedirects } }
        set { state.withLock { $0.settings.followRedirects = newValue } }
    }

    /// Hooks called for every request and response.
    public var eventHooks: EventHooks {
        get { state.withLock { $0.settings.eventHooks } }
        set { state.withLock { $0.settings.eventHooks = newValue } }
    }

    /// The URL that relative request URLs are appended to.
    public var baseURL: HTTPURL? {
        get { state.withLock { $0.settings.baseURL } }
        set {
            state.withLock {
                $0.settings.baseURL = newValue
                $0.settings.baseURLError = nil
            }
        }
    }

    /// The headers every client sends unless told otherwise, as httpx sends them.
    public static let defaultHeaders: Headers = [
        ("Accept", "*/*"),
        ("Accept-Encoding", ContentDecoder.supportedEncodings),
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
    ///
    /// ```swift
    /// let status = try await AsyncClient.withClient(.init(http2: true)) { client in
    ///     try await client.get("https://example.org/").statusCode
    /// }
    /// ```
    public static func withClient<T>(
        _ configuration: ClientConfiguration = ClientConfiguration(),
        _ body: (AsyncClient) async throws -> T
    ) async throws -> T {
        let client = AsyncClient(configuration)
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
