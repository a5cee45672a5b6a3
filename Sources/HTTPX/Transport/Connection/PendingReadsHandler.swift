import NIOCore

/// Holds what the server sends while a new connection's protocol handlers are not in place
/// yet, and hands it on when it is removed. Without it, bytes that arrive between the connect
/// (or the TLS handshake) and the moment the HTTP/1.1 or HTTP/2 handlers are added reach the
/// end of the pipeline and are dropped: an HTTP/2 server's first SETTINGS, sent at once, could
/// be lost that way and the connection fail on the SETTINGS ACK that follows.
final class PendingReadsHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = NIOAny

    private var pending: [NIOAny] = []

    /// Whether anything arrived and is held.
    var isHoldingReads: Bool { !pending.isEmpty }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        pending.append(data)
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        // Reported when the held reads are handed on.
    }

    func removeHandler(context: ChannelHandlerContext, removalToken: ChannelHandlerContext.RemovalToken) {
        let held = pending
        pending = []
        for data in held { context.fireChannelRead(data) }
        if !held.isEmpty { context.fireChannelReadComplete() }
        context.leavePipeline(removalToken: removalToken)
    }
}
