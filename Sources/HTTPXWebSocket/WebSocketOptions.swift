import HTTPX

/// How a WebSocket is opened and run: what is offered in the handshake, the bounds on what the
/// server may send, and keep-alive pings.
///
/// ```swift
/// var options = WebSocketOptions()
/// options.subprotocols = ["chat.v2"]
/// options.pingInterval = .seconds(20)
/// try await client.webSocket("wss://chat.example/ws", options: options) { ws in ... }
/// ```
public struct WebSocketOptions: Sendable {
    /// Subprotocols offered in `Sec-WebSocket-Protocol`, most preferred first; the server's
    /// choice is ``WebSocket/subprotocol``. A server that picks one not offered is refused.
    public var subprotocols: [String] = []
    /// Whether to offer permessage-deflate compression (RFC 7692); on by default.
    public var compression = true
    /// The largest message accepted, in bytes, after decompression: a larger one closes the
    /// connection with code 1009 (message too big). 1 MiB by default.
    public var maxMessageSize = 1 << 20
    /// The largest frame sent, in bytes: larger messages are sent in fragments. 64 KiB by
    /// default. (A frame received is bounded by ``maxMessageSize``.)
    public var maxFrameSize = 1 << 16
    /// How often to ping the server; when no pong came back before the next ping is due, the
    /// connection is closed. `nil` (the default) sends no pings. Pongs, like the server's
    /// pings, are handled while ``WebSocket/messages`` is being read (see ``WebSocket``).
    public var pingInterval: Duration?
    /// How long to wait for the server's close frame after sending one. 10 s by default.
    public var closeTimeout: Duration = .seconds(10)
    /// The largest body read from a server that refuses the upgrade (to put in the error).
    public var maxRefusalBodySize = 64 << 10

    /// The defaults: compression offered, no subprotocols, 1 MiB messages, no pings.
    public init() {}
}

extension HTTPXError.Kind {
    /// A WebSocket failed: the handshake was refused or broken, or the connection was closed
    /// with an error code.
    public static let webSocket = Self("WebSocketError", parent: .request)
    /// The server did not switch protocols: it answered the handshake with another status
    /// (the error's `response` has it) or with a broken `101`.
    public static let webSocketUpgrade = Self("WebSocketUpgradeError", parent: .webSocket)
}
