import NIOCore
import NIOSSL
import NIOTLS

/// Completes a promise when the TLS handshake of its channel finishes, with the protocol ALPN
/// chose, or fails it with the handshake's error; a connection is handed out only after that.
/// It leaves the pipeline once the handshake is done.
final class TLSHandshakeHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = NIOAny

    private var promise: EventLoopPromise<String?>?
    /// Completes with the ALPN protocol when the handshake is done.
    private(set) var future: EventLoopFuture<String?>?

    init() {}

    func handlerAdded(context: ChannelHandlerContext) {
        let promise = context.eventLoop.makePromise(of: String?.self)
        self.promise = promise
        self.future = promise.futureResult
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        promise?.fail(HTTPXError(.connectError, "The TLS handshake did not complete"))
        promise = nil
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        guard let event = event as? TLSUserEvent, case .handshakeCompleted(let negotiated) = event else {
            return context.fireUserInboundEventTriggered(event)
        }
        promise?.succeed(negotiated)
        promise = nil
        context.fireUserInboundEventTriggered(event)
        // Its work is done: reads no longer pass through it.
        context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if let promise {
            self.promise = nil
            promise.fail(error)
            context.close(promise: nil)
            return
        }
        context.fireErrorCaught(error)
    }

    func channelInactive(context: ChannelHandlerContext) {
        if let promise {
            self.promise = nil
            promise.fail(HTTPXError(.connectError, "The server closed the connection during the TLS handshake"))
        }
        context.fireChannelInactive()
    }
}
