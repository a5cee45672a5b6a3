import NIOCore

/// The opening exchange of a tunnel through a proxy (an HTTP `CONNECT`, a SOCKS5 handshake),
/// as a state machine with no I/O: it says what to send and reads what the proxy answers.
/// ``ProxyHandshakeHandler`` runs one on a channel.
protocol ProxyHandshake: Sendable {
    /// The first bytes to send to the proxy.
    mutating func start() -> ByteBuffer
    /// Reads what the proxy sent from `buffer`, consuming exactly the bytes of the handshake and
    /// leaving any that follow it (they belong to the tunnelled protocol).
    mutating func receive(_ buffer: inout ByteBuffer) throws(ProxyHandshakeFailure) -> ProxyHandshakeAction
}

/// What a ``ProxyHandshake`` asks for after reading the proxy's bytes.
enum ProxyHandshakeAction: Equatable, Sendable {
    /// Send these bytes and wait for the answer.
    case send(ByteBuffer)
    /// The answer is not complete yet.
    case needMoreData
    /// The tunnel is open: what comes next is the origin's.
    case established
}

/// Why a proxy handshake failed, as a sentence fragment ("the proxy answered 407 …"), never
/// with a password in it.
struct ProxyHandshakeFailure: Error, Sendable, Equatable {
    let reason: String
    /// The proxy's HTTP status, for a `CONNECT` it refused.
    var status: Int?

    init(_ reason: String, status: Int? = nil) {
        self.reason = reason
        self.status = status
    }
}
