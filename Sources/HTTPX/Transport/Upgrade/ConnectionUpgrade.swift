import NIOCore
import NIOHTTP1

/// An HTTP/1.1 upgrade (RFC 9110 §7.8) that ``HTTPTransport`` runs on a connection of its own,
/// opened as its requests' are (proxies, TLS, socket options) but never pooled: the opening
/// handshake of a WebSocket, say. HTTPXWebSocket provides one.
///
/// The client sends an upgrading request as any other, so auth, redirects, cookies, event hooks,
/// retries and the deadline apply to its handshake.
package protocol ConnectionUpgrade: Sendable {
    /// Adds to `channel` (connected, TLS done, reads held until this returns) the handlers that
    /// send `head` and read the answer, and gives the response: `101 Switching Protocols`
    /// with the switched connection in its ``Response/extensions``, or the server's refusal.
    ///
    /// - Parameter request: the request being sent, to name in errors.
    func start(on channel: any Channel, head: HTTPRequestHead, request: Request) throws -> EventLoopFuture<Response>
}

extension Response.ExtensionKey {
    /// The connection a `101 Switching Protocols` response switched (httpx's
    /// `network_stream`): set by an upgrade, for the code that speaks the new protocol.
    package static let networkStream = "network_stream"
}
