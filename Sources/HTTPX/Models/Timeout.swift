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

    /// Sets every timeout to `seconds` (`nil` disables them), then the ones given, as httpx's
    /// `Timeout(5.0, pool=None)` does: a timeout given as `nil` is disabled, one left out takes
    /// `seconds`.
    ///
    /// ```swift
    /// Timeout(5, pool: nil)        // 5 s to connect, read and write; wait for the pool forever
    /// Timeout(10, connect: 60)     // 60 s to connect, 10 s for the rest
    /// ```
    public init(
        _ seconds: Double?,
        connect: Value = .unset,
        read: Value = .unset,
        write: Value = .unset,
        pool: Value = .unset
    ) {
        let all = seconds.map(Self.duration)
        self.connect = connect.resolved(default: all)
        self.read = read.resolved(default: all)
        self.write = write.resolved(default: all)
        self.pool = pool.resolved(default: all)
    }

    /// One timeout given to ``init(_:connect:read:write:pool:)``: seconds, `nil` to disable it,
    /// or left out (``unset``) to take the value of the other timeouts.
    public enum Value: Hashable, Sendable, ExpressibleByNilLiteral, ExpressibleByFloatLiteral,
        ExpressibleByIntegerLiteral
    {
        /// Not given: the timeout takes the shared value.
        case unset
        /// No timeout.
        case disabled
        /// A timeout of this many seconds.
        case seconds(Double)

        /// Seconds, or disabled for `nil`.
        public init(_ seconds: Double?) {
            self = seconds.map(Value.seconds) ?? .disabled
        }

        public init(nilLiteral: ()) { self = .disabled }
        public init(floatLiteral value: Double) { self = .seconds(value) }
        public init(integerLiteral value: Int) { self = .seconds(Double(value)) }

        func resolved(default shared: Duration?) -> Duration? {
            switch self {
            case .unset: shared
            case .disabled: nil
            case .seconds(let seconds): Timeout.duration(seconds)
            }
        }
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
    fileprivate static func duration(_ seconds: Double) -> Duration {
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

    /// Limits as httpx's `Limits(...)` takes them: a connection limit left out is no limit
    /// (only ``default`` has httpx's 100 connections, 20 kept alive), and idle connections
    /// expire after 5 seconds unless told otherwise.
    ///
    /// ```swift
    /// Limits(maxKeepaliveConnections: 5)     // any number of connections, 5 kept alive
    /// ```
    public init(
        maxConnections: Int? = nil,
        maxKeepaliveConnections: Int? = nil,
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
    public static let `default` = Limits(maxConnections: 100, maxKeepaliveConnections: 20)
}

extension Duration {
    /// The duration in seconds for messages: `5`, `0.25`.
    var secondsDescription: String {
        let seconds = Double(components.seconds) + Double(components.attoseconds) / 1e18
        return seconds.rounded() == seconds ? String(Int(seconds)) : String(seconds)
    }
}
