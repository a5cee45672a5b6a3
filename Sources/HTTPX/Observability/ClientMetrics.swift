import CoreMetrics

/// The client's metrics, after OpenTelemetry's HTTP client conventions, made through a
/// swift-metrics factory. `nil` when the factory is swift-metrics' no-op one, so metrics cost
/// nothing when nobody collects them.
///
/// - `http.client.request.duration` (timer): each request until its response head arrives;
///   dimensions `http.request.method`, `server.address`, `server.port`, `url.scheme`, and
///   `http.response.status_code` and `network.protocol.version`, or `error.type`.
/// - `http.client.active_requests` (meter): requests in flight, by method and origin.
/// - `http.client.open_connections` (gauge): connections per origin and `http.connection.state`
///   (`active` or `idle`).
/// - `httpx.client.connect.duration` (timer): setting up a connection, TLS and proxy included.
/// - `httpx.client.pool.wait.duration` (timer): how long a request waited for a connection.
final class ClientMetrics: Sendable {
    let factory: any MetricsFactory

    init?(_ factory: (any MetricsFactory)?) {
        let factory = factory ?? MetricsSystem.factory
        if factory is NOOPMetricsHandler { return nil }
        self.factory = factory
    }

    static func origin(scheme: String, host: String, port: Int) -> [(String, String)] {
        [("server.address", host), ("server.port", String(port)), ("url.scheme", scheme)]
    }

    static func origin(of url: HTTPURL) -> [(String, String)] {
        origin(scheme: url.scheme, host: url.rawHost, port: url.effectivePort ?? (url.scheme == "https" ? 443 : 80))
    }

    /// Counts `request` as active; call the returned function when it is over.
    func requestStarted(_ request: Request) -> Meter {
        let meter = Meter(
            label: "http.client.active_requests",
            dimensions: [("http.request.method", request.method.rawValue)] + Self.origin(of: request.url), factory: factory)
        meter.increment()
        return meter
    }

    /// Records one request's duration with its outcome.
    func recordRequest(_ request: Request, outcome: Result<Response, any Error>, duration: Duration) {
        var dimensions = [("http.request.method", request.method.rawValue)] + Self.origin(of: request.url)
        switch outcome {
        case .success(let response):
            dimensions.append(("http.response.status_code", String(response.statusCode)))
            dimensions.append(("network.protocol.version", Self.protocolVersion(response.httpVersion)))
            if response.statusCode >= 400 { dimensions.append(("error.type", String(response.statusCode))) }
        case .failure(let error):
            dimensions.append(("error.type", Self.errorType(error)))
        }
        Timer(label: "http.client.request.duration", dimensions: dimensions, preferredDisplayUnit: .seconds, factory: factory)
            .recordNanoseconds(duration.nanoseconds)
    }

    /// Records how long setting up a connection to `origin` took, and whether it worked.
    func recordConnect(origin: [(String, String)], duration: Duration, error: (any Error)?) {
        var dimensions = origin
        if let error { dimensions.append(("error.type", Self.errorType(error))) }
        Timer(label: "httpx.client.connect.duration", dimensions: dimensions, preferredDisplayUnit: .seconds, factory: factory)
            .recordNanoseconds(duration.nanoseconds)
    }

    /// Records how long a request waited for a connection from the pool.
    func recordPoolWait(origin: [(String, String)], duration: Duration) {
        Timer(label: "httpx.client.pool.wait.duration", dimensions: origin, preferredDisplayUnit: .seconds, factory: factory)
            .recordNanoseconds(duration.nanoseconds)
    }

    /// Records how many connections to `origin` are active and idle.
    func recordConnections(origin: [(String, String)], active: Int, idle: Int) {
        Gauge(label: "http.client.open_connections", dimensions: origin + [("http.connection.state", "active")], factory: factory)
            .record(active)
        Gauge(label: "http.client.open_connections", dimensions: origin + [("http.connection.state", "idle")], factory: factory)
            .record(idle)
    }

    /// `1.1` or `2`, as OpenTelemetry's `network.protocol.version` has it.
    static func protocolVersion(_ httpVersion: String) -> String {
        httpVersion.hasPrefix("HTTP/") ? String(httpVersion.dropFirst(5)) : httpVersion
    }

    /// The error's kind (`ConnectTimeout`, `RemoteProtocolError`), or its type's name.
    static func errorType(_ error: any Error) -> String {
        if let error = error as? HTTPXError { return error.kind.name }
        if error is CancellationError { return "Cancelled" }
        return String(describing: type(of: error))
    }
}

extension Duration {
    /// The duration in whole nanoseconds, saturating.
    var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        let (whole, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        if overflow { return seconds < 0 ? .min : .max }
        return whole.addingReportingOverflow(attoseconds / 1_000_000_000).partialValue
    }
}
