import CoreMetrics
import Logging
import NIOCore
import NIOPosix
import NIOSSL

/// The network transport: HTTP/1.1 and HTTP/2 over SwiftNIO, plain or TLS, directly or through
/// proxies, with a connection pool.
/// Clients use one by default; make your own to set its options.
///
/// ```swift
/// let transport = HTTPTransport(
///     limits: Limits(maxConnections: 10, maxKeepaliveConnections: 5),
///     retries: 2,                        // connect attempts after the first
///     localAddress: "127.0.0.1")         // the address to connect from
/// let client = AsyncClient(.init(transport: transport))
///
/// // All requests through a Unix domain socket (the URL still gives Host and path):
/// let docker = AsyncClient(.init(transport: HTTPTransport(unixSocketPath: "/var/run/docker.sock")))
/// let r = try await docker.get("http://localhost/version")
///
/// // Through a proxy (clients given no transport take `proxies:` themselves):
/// let proxied = AsyncClient(.init(transport: HTTPTransport(proxies: "http://proxy.internal:3128")))
/// ```
///
/// Connections are reused per origin and kept alive for `Limits.keepaliveExpiry`. A request
/// that finds the pool full waits for a connection, in order, up to its pool timeout. An
/// idempotent request whose reused connection turns out to have been closed by the server
/// is retried once on a new connection; a request whose HTTP/2 stream the server refused
/// (after GOAWAY) is sent again on another connection.
public final class HTTPTransport: Transport {
    private let pool: ConnectionPool<HTTPConnection>
    private let unixSocketPath: String?
    /// The proxies requests go through (none for a Unix socket).
    let proxies: Proxies?
    /// The proxy of each of `proxies`' routes, made once (see ``ProxyRoute``).
    private let proxyEndpoints: [ProxyEndpoint?]
    private let setupError: HTTPXError?
    private let metrics: ClientMetrics?
    /// How connections are opened; an upgrade's connection too (with HTTP/1.1 only).
    let connectionSettings: ConnectionSettings
    let eventLoopGroup: any EventLoopGroup

    /// Creates a transport.
    ///
    /// - Parameters:
    ///   - limits: connection limits and keep-alive expiry.
    ///   - retries: how many times a failed connection attempt is retried, with exponential
    ///     backoff from half a second.
    ///   - localAddress: the local IP address to connect from.
    ///   - unixSocketPath: a Unix domain socket that every request is sent through.
    ///   - verify: how servers are verified over HTTPS (``TLSVerification``).
    ///   - cert: a client certificate for mutual TLS.
    ///   - minimumTLSVersion: the oldest TLS version accepted (TLS 1.2 by default).
    ///   - trustEnv: whether `SSL_CERT_FILE` and `SSL_CERT_DIR` replace the system trust store.
    ///   - http1: whether HTTP/1.1 may be used; with `http2` and without `http1`, plain
    ///     `http://` URLs use HTTP/2 with prior knowledge.
    ///   - http2: whether to offer HTTP/2 (by ALPN over TLS); the server picks.
    ///   - proxies: the proxies to send requests through (``Proxies``); none by default. The
    ///     transport does not read the environment: clients do, when given no transport.
    ///   - socketOptions: options set on every socket (``SocketOption``), such as TCP keep-alive.
    ///   - eventLoopGroup: the SwiftNIO event loops to run on; the shared singleton by default.
    ///   - logger: where the pool logs its connections' lives (opened, failed, closed, GOAWAY)
    ///     at `debug` level; nothing by default.
    ///   - metrics: the swift-metrics factory of the connection metrics (see ``AsyncClient``);
    ///     `MetricsSystem.factory` by default.
    public init(
        verify: TLSVerification = .system,
        cert: ClientCertificate? = nil,
        minimumTLSVersion: TLSVersion = .tlsv12,
        trustEnv: Bool = true,
        http1: Bool = true,
        http2: Bool = false,
        limits: Limits = .default,
        retries: Int = 0,
        localAddress: String? = nil,
        unixSocketPath: String? = nil,
        proxies: Proxies? = nil,
        socketOptions: [SocketOption] = [],
        eventLoopGroup: (any EventLoopGroup)? = nil,
        logger: Logger? = nil,
        metrics: (any MetricsFactory)? = nil
    ) {
        let metrics = ClientMetrics(metrics)
        self.metrics = metrics
        var settings = ConnectionSettings(localAddress: nil)
        settings.http1 = http1 || !http2
        settings.http2 = http2
        settings.socketOptions = socketOptions
        settings.tls = TLSOptions(
            verification: verify, clientCertificate: cert, minimumVersion: minimumTLSVersion, trustEnv: trustEnv,
            applicationProtocols: http2 ? (settings.http1 ? ["h2", "http/1.1"] : ["h2"]) : ["http/1.1"])
        var setupError: HTTPXError?
        if let localAddress {
            do {
                settings.localAddress = try SocketAddress(ipAddress: localAddress, port: 0)
            } catch {
                setupError = HTTPXError(.connectError, "Invalid local address '\(localAddress)': it must be an IP address")
            }
        }
        self.setupError = setupError ?? proxies?.problem
        self.unixSocketPath = unixSocketPath
        self.proxies = unixSocketPath == nil ? proxies : nil
        self.proxyEndpoints = self.proxies?.endpoints ?? []
        let connectionSettings = settings
        self.connectionSettings = settings
        let group = eventLoopGroup ?? MultiThreadedEventLoopGroup.singleton
        self.eventLoopGroup = group
        self.pool = ConnectionPool(
            limits: limits, assumedCapacity: Self.assumedCapacity(http1: settings.http1, http2: settings.http2),
            retries: max(0, retries), group: group,
            logger: logger, metrics: metrics
        ) { id, key, connectTimeout, eventLoop, events in
            HTTPConnection.connect(
                id: id, key: key, settings: connectionSettings, connectTimeout: connectTimeout, eventLoop: eventLoop,
                events: events)
        }
    }

    public func handle(_ request: Request) async throws -> Response {
        if let setupError { throw setupError.attaching(request) }
        let url = request.url
        guard url.scheme == "http" || url.scheme == "https" else {
            throw HTTPXError(
                .unsupportedProtocol, "Request URL '\(url.redacted)' has an unsupported protocol '\(url.scheme)://'",
                request: request)
        }
        if let upgrade = request.extensions.upgrade { return try await handleUpgrade(request, upgrade) }
        var (key, sent) = route(request)
        let framing: RequestFraming
        do {
            framing = try RequestFraming.decide(for: request, headers: &sent.headers)
        } catch {
            throw Self.callers(error, request)
        }
        let timeout = request.extensions.timeout
        let pool = self.pool
        let observer = RequestObserver(request)
        var retries = 0
        while true {
            let connection: HTTPConnection
            let asked = observer == nil && metrics == nil ? nil : ContinuousClock.now
            do {
                connection = try await pool.acquire(key, timeout: timeout, connectTimeout: timeout.connect, for: request)
            } catch let error as HTTPXError {
                throw error.attaching(request)
            }
            let reused = connection.previousUses > 0
            if let asked {
                let waited = ContinuousClock.now - asked
                metrics?.recordPoolWait(origin: key.metricsOrigin, duration: waited)
                observer?(.connectionAcquired(
                    reused: reused, httpVersion: connection.isHTTP2 ? "HTTP/2" : "HTTP/1.1", waited: waited))
            }
            do {
                var response = try await connection.execute(sent, framing: framing, observer: observer) { reusable in
                    pool.release(connection, reusable: reusable)
                }
                response.request = request
                return response
            } catch let closed as ConnectionClosedBeforeResponse {
                // Nothing of a response arrived. On HTTP/1.1 the kept-alive connection was closed
                // by the server while idle; on HTTP/2 the stream was refused, usually because
                // the connection is going away (its GOAWAY may still be on its way to us).
                let unanswered = PoolStateMachine.UnansweredRequest(
                    replayable: request.body.isReplayable, idempotent: request.method.isIdempotent,
                    reusedConnection: reused, http2: connection.isHTTP2,
                    goAwayReceived: connection.isHTTP2 && connection.isDraining)
                if connection.isHTTP2 { pool.drain(connection.id) }
                if PoolStateMachine.shouldSendAgain(unanswered, after: retries) {
                    retries += 1
                    observer?(.sentAgain(reason: closed.underlying.message))
                    continue
                }
                throw Self.callers(closed.underlying, request)
            } catch let error as HTTPXError {
                throw Self.callers(error, request)
            }
        }
    }

    /// `error` naming the caller's `request`, not the copy sent to a forwarding proxy (which
    /// carries the proxy's credentials).
    static func callers(_ error: HTTPXError, _ request: Request) -> HTTPXError {
        var error = error
        error.request = request
        return error
    }

    /// The pool key of `request`, and the request as it is sent: to a forwarding proxy with an
    /// absolute target, the proxy's credentials and its headers.
    ///
    /// - Parameter tunnel: whether a forwarding proxy is to be asked for a tunnel instead (an
    ///   upgraded connection outlives its request, so it cannot be forwarded).
    func route(_ request: Request, tunnel: Bool = false) -> (PoolKey, Request) {
        let url = request.url
        let port = url.effectivePort ?? (url.scheme == "https" ? 443 : 80)
        guard let index = proxies?.routeIndex(for: url), index < proxyEndpoints.count,
            let endpoint = proxyEndpoints[index]
        else {
            return (
                PoolKey(
                    scheme: url.scheme, host: url.rawHost, port: port, unixSocketPath: unixSocketPath,
                    serverName: request.extensions.sniHostname),
                request
            )
        }
        var route = ProxyRoute(endpoint, for: url)
        if tunnel, route.kind == .forward { route = ProxyRoute(kind: .tunnel, endpoint: endpoint) }
        guard route.kind == .forward else {
            return (
                PoolKey(scheme: url.scheme, host: url.rawHost, port: port, proxy: route, serverName: request.extensions.sniHostname),
                request
            )
        }
        let proxy = endpoint.proxy
        var sent = request
        if request.extensions.target == nil {
            sent.target = "\(url.scheme)://\(url.netloc)\(url.rawPath)"
        }
        if let authorization = endpoint.authorization, sent.headers["Proxy-Authorization"] == nil {
            sent.headers.add("Proxy-Authorization", authorization)
        }
        for (name, value) in proxy.headers.fields where sent.headers[name] == nil {
            sent.headers.add(name, value)
        }
        return (PoolKey.forwarding(through: route), sent)
    }

    /// How many connections the pool holds now.
    var connectionCount: Int { pool.connectionCount }

    /// The pool's connections and their states, for diagnostics.
    var poolSummary: String { pool.summary }

    /// How many connections the pool has started in all.
    var connectionsStarted: Int { pool.connectionsStarted }

    public func close() async {
        pool.shutDown()
    }
}

extension HTTPTransport {
    /// How many requests a first connection to `key` is expected to carry: the HTTP/2 stream
    /// limit when it may turn out HTTP/2 (`https` with ALPN offering h2, or any origin when
    /// HTTP/1.1 is off), so a burst waits for one connection instead of opening one each.
    static func assumedCapacity(http1: Bool, http2: Bool) -> @Sendable (PoolKey) -> Int {
        { key in
            guard http2 else { return 1 }
            return !http1 || key.scheme == "https" ? HTTP2ConnectionWatcher.maxCapacity : 1
        }
    }
}
