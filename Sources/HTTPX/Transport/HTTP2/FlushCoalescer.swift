import NIOCore

/// Sits below the HTTP/2 handler and merges the flushes of many streams into one: a flush is
/// passed on at the end of the event loop's current batch of tasks, so requests started
/// together leave in one write to the socket instead of one each.
final class FlushCoalescer: ChannelOutboundHandler {
    typealias OutboundIn = Any

    private var flushPending = false

    func flush(context: ChannelHandlerContext) {
        guard !flushPending else { return }
        flushPending = true
        let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        context.eventLoop.execute {
            let (handler, context) = bound.value
            handler.flushPending = false
            context.flush()
        }
    }
}
