/// The four timeouts of a request, as httpx has them. `nil` disables one.
///
/// - connect: establishing a connection;
/// - read: waiting for the next bytes of the response;
/// - write: waiting to send the next bytes of the request;
/// - pool: waiting for a free connection in the pool.
///
/// ```swift
/// let client = AsyncClient(.init(timeout: 10))                          // 10 s everywhere
/// let patient = AsyncClient(.init(timeout: Timeout(10, connect: 60)))   // 60 s to connect
/// let r = try await client.get(url, timeout: .disabled)          // no timeouts at all
/// ```
///
/// The default is 5 seconds for each.
public struct Timeout: Hashable, Sendable, ExpressibleByFloatLiteral, ExpressibleByIntegerLiteral {
    /// The connect timeout.
    public var connect: Duration?
    /// The read timeout.
    public var read: Duration?
    /// The write timeout.
    public var write: Duration?
    /// The pool timeout.
    public var pool: Duration?

    /// Sets every timeout to `seconds` (nil disables them), then overrides the ones given.
    ///
    /// To disable a single timeout, set its property to `nil` afterwards:
    /// `var t = Timeout(10); t.read = nil`.
    public init(
        _ seconds: Double?,
        connect: Double? = nil,
        read: Double? = nil,
        write: Double? = nil,
        pool: Double? = nil
    ) {
        let all = seconds.map(Self.duration)
        self.connect = connect.map(Self.duration) ?? all
        self.read = read.map(Self.duration) ?? all
        self.write = write.map(Self.duration) ?? all
        self.pool = pool.map(Self.duration) ?? all
    }

    /// Sets each timeout as a `Duration`.
    public init(connect: Duration?, read: Duration?, write: Duration?, pool: Duration?) {
        self.connect = connect
        self.read = read
        self.write = write
        self.pool = pool
    }

    public init(floatLiteral value: Double) {
        self.init(value)
    }

    public init(integerLiteral value: Int) {
        self.init(Double(value))
    }

    /// Five seconds for each timeout, httpx's default.
    public static let `default` = Timeout(5)

    /// No timeouts: a request may wait forever.
    public static let disabled = Timeout(nil)

    /// Seconds as a `Duration`: negative and NaN become zero, and anything past a century is
    /// capped there (so no value can overflow).
    private static func duration(_ seconds: Double) -> Duration {
        guard !seconds.isNaN, seconds > 0 else { return .zero }
        return .nanoseconds(Int64((min(seconds, 3_153_600_000) * 1e9).rounded()))
    }
}

/// Limits on the connection pool, as httpx has them, and on what a response may make the
/// client hold in memory.
///
/// ```swift
/// let client = AsyncClient(.init(limits: Limits(maxConnections: 100, maxKeepaliveConnections: 20)))
/// let downloads = AsyncClient(.init(limits: Limits(maxBodySize: 8 << 30, decompression: .none)))
/// ```
public struct Limits: Hashable, Sendable {
    /// The most connections open at once across the pool; `nil` for no limit.
    public var maxConnections: Int?
    /// The most idle connections kept open for reuse; `nil` for no limit.
    public var maxKeepaliveConnections: Int?
    /// How long an idle connection is kept before it is closed; `nil` keeps it until the
    /// server closes it.
    public var keepaliveExpiry: Duration?
    /// The largest decoded body ``Response/read()`` (and so every non-streamed request) reads
    /// into memory, in bytes; `nil` for no limit. Larger bodies fail with
    /// ``HTTPXError/Kind/decoding`` naming this limit: stream them with `stream(...)` instead.
    public var maxBodySize: Int?
    /// How far a compressed body may expand as it is decoded.
    public var decompression: DecompressionLimit

    public init(
        maxConnections: Int? = 100,
        maxKeepaliveConnections: Int? = 20,
        keepaliveExpiry: Duration? = .seconds(5),
        maxBodySize: Int? = Limits.defaultMaxBodySize,
        decompression: DecompressionLimit = .default
    ) {
        self.maxConnections = maxConnections.map { max(1, $0) }
        self.maxKeepaliveConnections = maxKeepaliveConnections.map { max(0, $0) }
        self.keepaliveExpiry = keepaliveExpiry
        self.maxBodySize = maxBodySize.map { max(0, $0) }
        self.decompression = decompression
    }

    /// 1 GiB: larger bodies are better streamed than held whole.
    public static let defaultMaxBodySize = 1 << 30

    /// httpx's pool defaults (100 connections, 20 of them kept alive for 5 seconds), bodies
    /// read whole up to 1 GiB, and ``DecompressionLimit/default``.
    public static let `default` = Limits()
}

extension Duration {
    /// The duration in seconds for messages: `5`, `0.25`.
    var secondsDescription: String {
        let seconds = Double(components.seconds) + Double(components.attoseconds) / 1e18
        return seconds.rounded() == seconds ? String(Int(seconds)) : String(seconds)
    }
}
