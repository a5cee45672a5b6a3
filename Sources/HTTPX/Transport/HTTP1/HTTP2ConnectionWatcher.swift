import NIOCore
import NIOHTTP2

/// What a connection tells its pool about itself.
struct ConnectionEvents: Sendable {
    /// The connection closed while no request used it.
    var onIdleClose: @Sendable () -> Void
    /// The server sent GOAWAY: no new requests on this connection.
    var onGoAway: @Sendable () -> Void
}

/// Watches an HTTP/2 connection's own frames and lifetime for the pool: GOAWAY makes it drain,
/// and its close is reported (the pool ignores that while streams still run on it).
final class HTTP2ConnectionWatcher: ChannelInboundHandler {
    typealias InboundIn = HTTP2Frame

    private let events: ConnectionEvents

    init(events: ConnectionEvents) {
        self.events = events
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if case .goAway = unwrapInboundIn(data).payload {
            events.onGoAway()
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        events.onIdleClose()
        context.fireChannelInactive()
    }
}
