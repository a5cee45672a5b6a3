import NIOCore
import NIOHTTP1
import NIOHTTP2

/// Runs one exchange at a time on an HTTP/1.1 connection: writes the request, hands the
/// response head and body to the waiting task, applies the read and write timeouts, and holds
/// back socket reads while the body's reader is behind.
final class HTTP1ClientHandler: ChannelDuplexHandler {
    typealias InboundIn = HTTPClientResponsePart
    typealias OutboundIn = HTTPClientRequestPart
    typealias OutboundOut = HTTPClientRequestPart

    private let eventLoop: any EventLoop
    private var context: ChannelHandlerContext?
    private var exchange: HTTP1Exchange?
    private var readHeld = false
    private let readTimer: ActivityTimer
    private let writeTimer: ActivityTimer
    private(set) var isActive = true
    /// Called when the connection closes while no exchange runs (the server closed it idle).
    var onIdleClose: (() -> Void)?

    /// Whether this handler serves one HTTP/2 stream, whose channel closes after its exchange.
    private let isStream: Bool

    init(eventLoop: any EventLoop, isStream: Bool = false) {
        self.eventLoop = eventLoop
        self.isStream = isStream
        self.readTimer = ActivityTimer(eventLoop: eventLoop)
        self.writeTimer = ActivityTimer(eventLoop: eventLoop)
        readTimer.onExpire = { [weak self] in self?.timedOut(.readTimeout) }
        writeTimer.onExpire = { [weak self] in self?.timedOut(.writeTimeout) }
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        isActive = context.channel.isActive
    }

    func channelActive(context: ChannelHandlerContext) {
        isActive = true
        context.fireChannelActive()
    }

    // MARK: - Starting and writing

    /// Starts an exchange by writing the request head, and the whole body when it is in memory.
    func start(_ exchange: HTTP1Exchange, head: HTTPRequestHead, body: ByteBuffer?) {
        guard let context, isActive, self.exchange == nil else {
            let error = HTTPXError(.remoteProtocol, "Server disconnected without sending a response to \(exchange.describe())")
            exchange.isDone = true
            exchange.head.fail(ConnectionClosedBeforeResponse(underlying: error))
            exchange.onComplete(false)
            return
        }
        self.exchange = exchange
        write(.head(head), context: context, flush: body.map { $0.readableBytes > Self.separateHeadThreshold } ?? false)
        if let body {
            if body.readableBytes > 0 { write(.body(.byteBuffer(body)), context: context, flush: false) }
            writeEnd(context: context)
        } else {
            context.flush()
        }
    }

    /// Writes one chunk of a streamed body; the future completes when the socket took it.
    func writeBodyChunk(_ chunk: ByteBuffer) -> EventLoopFuture<Void> {
        guard let context, let exchange, !exchange.isDone else {
            return failedWrite()
        }
        let promise = context.eventLoop.makePromise(of: Void.self)
        write(.body(.byteBuffer(chunk)), context: context, flush: true, promise: promise)
        return promise.futureResult
    }

    /// Ends a streamed body.
    func finishBody() -> EventLoopFuture<Void> {
        guard let context, let exchange, !exchange.isDone else {
            return failedWrite()
        }
        let promise = context.eventLoop.makePromise(of: Void.self)
        writeEnd(context: context, promise: promise)
        return promise.futureResult
    }

    /// The request body could not be sent to its end (its producer threw, or a write failed):
    /// the exchange fails, unless the server already answered, in which case its response
    /// stands and the connection closes after it, as the request was cut short.
    func failBody(_ error: any Error) {
        guard let exchange, !exchange.isDone, exchange.body == nil else { return }
        fail(error)
    }

    /// The request broke the protocol (its body its framing): the exchange fails with `error`
    /// and the connection closes, so nothing more is read as part of this request.
    func failRequest(_ error: any Error) {
        fail(error)
    }

    private func failedWrite() -> EventLoopFuture<Void> {
        let error = HTTPXError(.writeError, "The connection closed while the request body was being sent")
        return eventLoop.makeFailedFuture(error)
    }

    private func writeEnd(context: ChannelHandlerContext, promise: EventLoopPromise<Void>? = nil) {
        let sent = context.eventLoop.makePromise(of: Void.self)
        write(.end(nil), context: context, flush: true, promise: sent)
        sent.futureResult.assumeIsolated().whenComplete { [self] result in
            if case .success = result, let exchange = self.exchange {
                exchange.requestFullySent = true
                if exchange.responseEnded {
                    self.complete(reusable: exchange.responseKeepAlive)
                } else if !(exchange.body?.isPaused ?? false) {
                    self.readTimer.watch(timeout: exchange.readTimeout)
                }
            }
            promise?.completeWith(result)
        }
    }

    private func write(
        _ part: HTTPClientRequestPart, context: ChannelHandlerContext, flush: Bool,
        promise: EventLoopPromise<Void>? = nil
    ) {
        guard let exchange else {
            promise?.fail(HTTPXError(.writeError, "The connection has no request in progress to write to"))
            return
        }
        let written = promise ?? context.eventLoop.makePromise(of: Void.self)
        if exchange.outstandingWrites == 0 { writeTimer.watch(timeout: exchange.writeTimeout) }
        exchange.outstandingWrites += 1
        written.futureResult.assumeIsolated().whenComplete { [self] _ in
            exchange.outstandingWrites -= 1
            if exchange.outstandingWrites == 0 {
                self.writeTimer.stop()
            } else {
                self.writeTimer.touch()
            }
        }
        if flush {
            context.writeAndFlush(wrapOutboundOut(part), promise: written)
        } else {
            context.write(wrapOutboundOut(part), promise: written)
        }
    }

    // MARK: - Reading

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard let exchange, !exchange.isDone else { return }
        exchange.receivedResponseBytes = true
        switch unwrapInboundIn(data) {
        case .head(let head):
            exchange.responseKeepAlive = head.isKeepAlive && exchange.requestKeepAlive
            let loop = context.eventLoop
            let bound = NIOLoopBound(self, eventLoop: loop)
            let body = BodyStreamSource(resumeReading: {
                loop.execute { bound.value.resumeReading() }
            })
            exchange.body = body
            exchange.head.succeed((head, body))
            readTimer.touch()
        case .body(let chunk):
            if exchange.body?.yield(chunk) ?? true {
                readTimer.touch()
            } else {
                readTimer.stop()
            }
        case .end:
            exchange.responseEnded = true
            readTimer.stop()
            // Release the connection before waking the reader, so a request the reader sends
            // next finds it idle in the pool.
            if exchange.requestFullySent {
                complete(reusable: exchange.responseKeepAlive)
            } else {
                // The server answered before the request body was sent: the connection
                // cannot carry another request.
                complete(reusable: false)
            }
            exchange.body?.finish(.success(()))
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        exchange?.body?.flush()
        context.fireChannelReadComplete()
    }

    func read(context: ChannelHandlerContext) {
        if let body = exchange?.body, body.isPaused {
            readHeld = true
        } else {
            context.read()
        }
    }

    private func resumeReading() {
        guard let context, readHeld else { return }
        readHeld = false
        if let exchange { readTimer.watch(timeout: exchange.readTimeout) }
        context.read()
    }

    func channelInactive(context: ChannelHandlerContext) {
        isActive = false
        readTimer.stop()
        writeTimer.stop()
        if let exchange, !exchange.isDone {
            let description = exchange.describe()
            if exchange.receivedResponseBytes {
                fail(HTTPXError(.remoteProtocol, "Server disconnected without sending a complete response to \(description)"))
            } else {
                let error = HTTPXError(.remoteProtocol, "Server disconnected without sending a response to \(description)")
                fail(ConnectionClosedBeforeResponse(underlying: error))
            }
        } else {
            onIdleClose?()
            onIdleClose = nil
        }
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if let exchange, !exchange.isDone {
            // Once the whole request is out, a failure is the response's, not the request's.
            let phase: TransportErrors.Phase =
                exchange.receivedResponseBytes || exchange.requestFullySent ? .reading : .writing
            let mapped = TransportErrors.map(error, phase: phase, request: exchange.describe())
            if let reset = error as? NIOHTTP2Errors.StreamClosed, reset.errorCode != .refusedStream,
                reset.errorCode != .cancel
            {
                // The server reset this stream with an error: only this request fails, and it
                // is not sent again, as the server may have acted on it. (REFUSED_STREAM means
                // unprocessed, and SwiftNIO closes the streams a GOAWAY left out with CANCEL:
                // those are for the transport to send again.)
                fail(mapped)
                return
            }
            if !exchange.receivedResponseBytes, let httpError = mapped as? HTTPXError,
                isStream || httpError.is(.network)
            {
                // Nothing of a response arrived: an HTTP/2 stream refused or cancelled (after
                // GOAWAY, say), or a kept-alive connection the server had already closed (a
                // reset on the first write). The transport decides whether to send it again.
                fail(ConnectionClosedBeforeResponse(underlying: httpError))
                return
            }
            fail(mapped)
        } else {
            context.close(promise: nil)
        }
    }

    // MARK: - Ending

    /// The reader of the body gave up early, or the awaiting task was cancelled: the
    /// connection is closed, as its response can no longer be read to the end.
    func abandon(_ error: any Error) {
        guard let exchange, !exchange.isDone else { return }
        exchange.body?.abandon(error)
        fail(error)
    }

    private func fail(_ error: any Error) {
        guard let exchange, !exchange.isDone else { return }
        exchange.isDone = true
        self.exchange = nil
        readTimer.stop()
        writeTimer.stop()
        exchange.deliver(error)
        context?.close(promise: nil)
        exchange.onComplete(false)
    }

    private func complete(reusable: Bool) {
        guard let exchange, !exchange.isDone else { return }
        exchange.isDone = true
        self.exchange = nil
        readTimer.stop()
        writeTimer.stop()
        let keep = reusable && isActive
        if readHeld {
            // A read held back while the body's reader was behind must not be lost: an idle
            // kept-alive connection still reads, to notice when the server closes it.
            readHeld = false
            if keep && !isStream { context?.read() }
        }
        if !keep || isStream { context?.close(promise: nil) }
        exchange.onComplete(keep)
    }

    // MARK: - Timers

    private func timedOut(_ kind: HTTPXError.Kind) {
        guard let exchange, !exchange.isDone else { return }
        let timeout = kind == .readTimeout ? exchange.readTimeout : exchange.writeTimeout
        let seconds = Self.format(Double(timeout?.nanoseconds ?? 0) / 1e9)
        let what = kind == .readTimeout ? "to read the response to" : "to send the request"
        fail(HTTPXError(kind, "Timed out after \(seconds) s waiting \(what) \(exchange.describe())"))
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
        readTimer.cancel()
        writeTimer.cancel()
    }

    /// Bodies larger than this are written after the head has been flushed on its own.
    static let separateHeadThreshold = 64 * 1024

    static func format(_ seconds: Double) -> String {
        seconds.rounded() == seconds ? String(Int(seconds)) : String(seconds)
    }
}
