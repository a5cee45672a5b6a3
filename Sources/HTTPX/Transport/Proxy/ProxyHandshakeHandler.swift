import NIOCore

/// Runs a ``ProxyHandshake`` (an HTTP `CONNECT`, a SOCKS5 handshake) on a new connection to a
/// proxy: sends its first bytes once the connection is up, answers the proxy until the tunnel
/// is open, then hands what followed the proxy's reply to the handlers after it and leaves the
/// pipeline.
///
/// Writes made before the tunnel is open wait, in order, and go out after it (or fail with
/// the handshake's error). ``established`` says how the handshake ended.
final class ProxyHandshakeHandler<Handshake: ProxyHandshake>: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private enum Phase {
        case handshaking
        case open
        case failed(any Error)
    }

    private var handshake: Handshake
    /// Names the proxy and the target in error messages; never holds a password.
    private let describe: String
    private var phase = Phase.handshaking
    private var promise: EventLoopPromise<Void>?
    private var greeted = false
    /// The proxy's bytes not yet taken by the handshake (an incomplete message).
    private var received: ByteBuffer?
    private var heldWrites: [(data: NIOAny, promise: EventLoopPromise<Void>?)] = []
    private var heldFlush = false

    /// Succeeds when the tunnel is open; fails with a ``HTTPXError/Kind/proxy`` error
    /// otherwise. Nil until the handler is in a pipeline.
    private(set) var established: EventLoopFuture<Void>?

    /// A handler running `handshake`; `describe` names the proxy and target, as in
    /// "Tunnel to example.com:443 through proxy socks5://127.0.0.1:1080".
    init(handshake: Handshake, describe: String) {
        self.handshake = handshake
        self.describe = describe
    }

    func handlerAdded(context: ChannelHandlerContext) {
        let promise = context.eventLoop.makePromise(of: Void.self)
        self.established = promise.futureResult
        self.promise = promise
        if context.channel.isActive {
            greet(context: context)
        }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        failHandshake(HTTPXError(.proxy, "\(describe): the proxy handshake did not complete"))
    }

    func channelActive(context: ChannelHandlerContext) {
        greet(context: context)
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        failHandshake(
            HTTPXError(.proxy, "\(describe): the proxy closed the connection during the handshake"))
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        guard case .handshaking = phase else {
            context.fireErrorCaught(error)
            return
        }
        let failure = HTTPXError(.proxy, "\(describe): the proxy handshake failed: \(error)", underlying: error)
        if failHandshake(failure) {
            context.close(promise: nil)
        }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch phase {
        case .handshaking:
            var bytes = unwrapInboundIn(data)
            if received == nil {
                received = bytes
            } else {
                received?.writeBuffer(&bytes)
            }
            drive(context: context)
        case .open:
            context.fireChannelRead(data)
        case .failed:
            break  // The channel is closing; nothing after the proxy's failure is meaningful.
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        // Reads during the handshake are the proxy's, not the next handler's.
        if case .open = phase {
            context.fireChannelReadComplete()
        }
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        switch phase {
        case .handshaking:
            heldWrites.append((data, promise))
        case .open:
            context.write(data, promise: promise)
        case .failed(let error):
            promise?.fail(error)
        }
    }

    func flush(context: ChannelHandlerContext) {
        switch phase {
        case .handshaking:
            heldFlush = true
        case .open:
            context.flush()
        case .failed:
            break
        }
    }

    /// Sends the greeting, once, when the handler is in a pipeline and the channel is up.
    private func greet(context: ChannelHandlerContext) {
        guard !greeted, promise != nil, case .handshaking = phase else { return }
        greeted = true
        context.writeAndFlush(wrapOutboundOut(handshake.start()), promise: nil)
    }

    /// Feeds what the proxy sent to the handshake until it needs more, is done, or fails.
    private func drive(context: ChannelHandlerContext) {
        guard var buffer = received else { return }
        received = nil
        while case .handshaking = phase {
            let action: ProxyHandshakeAction
            do throws(ProxyHandshakeFailure) {
                action = try handshake.receive(&buffer)
            } catch {
                if failHandshake(HTTPXError(.proxy, "\(describe): \(error.reason)")) {
                    context.close(promise: nil)
                }
                return
            }
            switch action {
            case .send(let bytes):
                context.writeAndFlush(wrapOutboundOut(bytes), promise: nil)
            case .needMoreData:
                if buffer.readableBytes > 0 {
                    received = buffer
                }
                return
            case .established:
                openTunnel(context: context, leftover: buffer)
                return
            }
        }
    }

    /// Lets the held writes out, hands on what followed the proxy's reply, leaves the
    /// pipeline, and only then reports the tunnel open.
    private func openTunnel(context: ChannelHandlerContext, leftover: ByteBuffer) {
        phase = .open
        let promise = self.promise
        self.promise = nil
        let writes = heldWrites
        heldWrites = []
        for write in writes {
            context.write(write.data, promise: write.promise)
        }
        if heldFlush {
            heldFlush = false
            context.flush()
        }
        if leftover.readableBytes > 0 {
            context.fireChannelRead(wrapInboundOut(leftover))
            context.fireChannelReadComplete()
        }
        context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
        promise?.succeed()
    }

    /// Fails the handshake and every held write; false when the handshake was already over.
    @discardableResult
    private func failHandshake(_ error: any Error) -> Bool {
        guard case .handshaking = phase else { return false }
        phase = .failed(error)
        received = nil
        let promise = self.promise
        self.promise = nil
        let writes = heldWrites
        heldWrites = []
        for write in writes {
            write.promise?.fail(error)
        }
        promise?.fail(error)
        return true
    }
}
