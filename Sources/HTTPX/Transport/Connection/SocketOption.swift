import NIOCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// An option set on every socket a transport opens: httpx's `socket_options`.
///
/// ```swift
/// let client = AsyncClient(.init(socketOptions: [.keepAlive(), .receiveBufferSize(1 << 20)]))
/// // Linux: probes after 60 s idle, every 10 s, 5 unanswered drop the connection.
/// let probing = AsyncClient(.init(
///     socketOptions: SocketOption.keepAlive(idle: .seconds(60), interval: .seconds(10), count: 5)))
/// // Any option by level and name, as `setsockopt` takes it:
/// let raw = SocketOption(level: IPPROTO_TCP, name: TCP_NODELAY, value: 1)
/// ```
///
/// `TCP_NODELAY` is on by default; an option given here is applied after it.
public struct SocketOption: Sendable, Hashable, CustomStringConvertible {
    /// The protocol level, such as `SOL_SOCKET` or `IPPROTO_TCP`.
    public var level: Int32
    /// The option's name at that level, such as `SO_KEEPALIVE`.
    public var name: Int32
    /// The integer value.
    public var value: Int32

    /// An option as `setsockopt(level, name, value)` sets it.
    public init(level: Int32, name: Int32, value: Int32) {
        self.level = level
        self.name = name
        self.value = value
    }

    /// `SO_KEEPALIVE` on or off.
    public static func keepAlive(_ on: Bool = true) -> SocketOption {
        SocketOption(level: Int32(SOL_SOCKET), name: Int32(SO_KEEPALIVE), value: on ? 1 : 0)
    }

    /// `SO_RCVBUF`: the kernel's receive buffer, in bytes.
    public static func receiveBufferSize(_ bytes: Int32) -> SocketOption {
        SocketOption(level: Int32(SOL_SOCKET), name: Int32(SO_RCVBUF), value: bytes)
    }

    /// `SO_SNDBUF`: the kernel's send buffer, in bytes.
    public static func sendBufferSize(_ bytes: Int32) -> SocketOption {
        SocketOption(level: Int32(SOL_SOCKET), name: Int32(SO_SNDBUF), value: bytes)
    }

    /// `TCP_NODELAY` (on by default): off lets the kernel coalesce small writes (Nagle).
    public static func noDelay(_ on: Bool) -> SocketOption {
        SocketOption(level: Int32(IPPROTO_TCP), name: Int32(TCP_NODELAY), value: on ? 1 : 0)
    }

    #if os(Linux)
    /// TCP keep-alive probes: `SO_KEEPALIVE` plus when the first probe goes (`TCP_KEEPIDLE`),
    /// how often the next ones do (`TCP_KEEPINTVL`) and how many go unanswered before the
    /// connection is dropped (`TCP_KEEPCNT`). Durations are rounded up to whole seconds.
    public static func keepAlive(idle: Duration, interval: Duration, count: Int32) -> [SocketOption] {
        [
            .keepAlive(true),
            SocketOption(level: Int32(IPPROTO_TCP), name: Int32(TCP_KEEPIDLE), value: wholeSeconds(idle)),
            SocketOption(level: Int32(IPPROTO_TCP), name: Int32(TCP_KEEPINTVL), value: wholeSeconds(interval)),
            SocketOption(level: Int32(IPPROTO_TCP), name: Int32(TCP_KEEPCNT), value: max(1, count)),
        ]
    }

    private static func wholeSeconds(_ duration: Duration) -> Int32 {
        let (seconds, attoseconds) = duration.components
        let whole = seconds + (attoseconds > 0 ? 1 : 0)
        return Int32(clamping: max(1, whole))
    }
    #endif

    /// `level/name=value`, as in `SOL_SOCKET(1)/9=1`.
    public var description: String { "SocketOption(level: \(level), name: \(name), value: \(value))" }

    /// The SwiftNIO channel option this sets.
    var channelOption: ChannelOptions.Types.SocketOption {
        ChannelOptions.Types.SocketOption(level: SocketOptionLevel(level), name: SocketOptionName(name))
    }
}
