import NIOCore
import NIOHTTP1
import NIOHTTP2

/// Runs one exchange at a time on an HTTP/1.1 connection (or the one exchange of an HTTP/2
/// stream): it feeds the channel's events to an ``HTTP1ConnectionStateMachine`` and does what
/// it answers: writes the request, hands the response head and body to the waiting task, runs
/// the read and write timers, and holds back socket reads while the body's reader is behind.
final class HTTP1ClientHandler: ChannelDuplexHandler {
    typealias InboundIn = HTTPClientResponsePart
    typealias OutboundIn = HTTPClientRequestPart
    typealias OutboundOut = HTTPClientRequestPart

    private let eventLoop: any EventLoop
    private var context: ChannelHandlerContext?
    /// Reads the servers' reason phrases off the bytes (HTTP/1.1 connections only).
    var phraseRecorder: ReasonPhraseRecorder?
    private var state: HTTP1ConnectionStateMachine
    /// The running exchange's promises and callbacks (its state is in `state`).
    private var exchange: HTTP1Exchange?
    /// A response head received in the current socket read, handed to the waiting task when
    /// the read has been parsed to its end: a small response's body and end are then already
    /// in its stream, and the task reads it without waiting (and waking) again.
    private var receivedHead: (promise: EventLoopPromise<(HTTPResponseHead, BodyStreamSource)>, head: HTTPResponseHead, body: BodyStreamSource)?
    private let readTimer: ActivityTimer
    private let writeTimer: ActivityTimer
    var isActive: Bool { state.isActive }
    /// Called when the connection closes while no exchange runs (the server closed it idle).
    var onIdleClose: (() -> Void)?

    init(eventLoop: any EventLoop, isStream: Bool = false) {
        self.eventLoop = eventLoop
        self.state = HTTP1ConnectionStateMachine(isStream: isStream)
        self.readTimer = ActivityTimer(eventLoop: eventLoop)
        self.writeTimer = ActivityTimer(eventLoop: eventLoop)
        readTimer.onExpire = { [weak self] in self?.timedOut(.readTimeout) }
        writeTimer.onExpire = { [weak self] in self?.timedOut(.writeTimeout) }
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        if !context.channel.isActive { state = HTTP1ConnectionStateMachine(isStream: state.isStream, active: false) }
    }

    func channelActive(context: ChannelHandlerContext) {
        state.channelActive()
        context.fireChannelActive()
    }

    // MARK: - Starting and writing

    /// Starts an exchange by writing the request head, and the whole body when it is in memory.
    /// A body in memory goes out as one write for the write timer, with one promise on its
    /// last part (a channel completes its writes in order, and a failed write fails the ones
    /// after it).
    func start(_ exchange: HTTP1Exchange, head: HTTPRequestHead, body: ByteBuffer?) {
        guard let context, state.start(requestKeepAlive: exchange.requestKeepAlive) else {
            let error = HTTPXError(.remoteProtocol, "Server disconnected without sending a response to \(exchange.describe())")
            exchange.head.fail(ConnectionClosedBeforeResponse(underlying: error))
            exchange.onComplete(false)
            return
        }
        self.exchange = exchange
        guard let body else {
            write(.head(head), context: context, flush: true, sent: .head)
            return
        }
        if body.readableBytes > Self.separateHeadThreshold {
            context.writeAndFlush(wrapOutboundOut(.head(head)), promise: nil)
        } else {
            context.write(wrapOutboundOut(.head(head)), promise: nil)
        }
        if body.readableBytes > 0 { context.write(wrapOutboundOut(.body(.byteBuffer(body))), promise: nil) }
        writeEnd(context: context, completing: .whole)
    }

    /// Writes one chunk of a streamed body; the future completes when the socket took it.
    func writeBodyChunk(_ chunk: ByteBuffer) -> EventLoopFuture<Void> {
        guard let context, state.isRunning else { return failedWrite() }
        let promise = context.eventLoop.makePromise(of: Void.self)
        write(.body(.byteBuffer(chunk)), context: context, flush: true, promise: promise)
        return promise.futureResult
    }

    /// Ends a streamed body.
    func finishBody() -> EventLoopFuture<Void> {
        guard let context, state.isRunning else { return failedWrite() }
        let promise = context.eventLoop.makePromise(of: Void.self)
        writeEnd(context: context, completing: .body, promise: promise)
        return promise.futureResult
    }

    /// The request body could not be sent to its end (its producer threw, or a write failed):
    /// the exchange fails, unless the server already answered, in which case its response
    /// stands and the connection closes after it, as the request was cut short.
    func failBody(_ error: any Error) {
        guard state.bodyFailureEndsExchange else { return }
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

    /// Ends the request; once the end reached the socket, the read timer starts.
    /// - Parameter sent: what the end completes: the whole request (a body in memory, written
    ///   with its head, see `start`) or a streamed body.
    private func writeEnd(context: ChannelHandlerContext, completing sent: Sent, promise: EventLoopPromise<Void>? = nil) {
        write(.end(nil), context: context, flush: true, promise: promise, sent: sent)
    }

    /// What a completed write finished sending, for the trace.
    private enum Sent {
        case head, body, whole
    }

    private var httpVersion: String { state.isStream ? "HTTP/2" : "HTTP/1.1" }

    private func trace(_ sent: Sent, to observer: RequestObserver) {
        if sent != .body { observer(.requestHeadSent(httpVersion: httpVersion)) }
        if sent != .head { observer(.requestBodySent(httpVersion: httpVersion)) }
    }

    /// Writes `part`, watched by the write timer until the socket took it.
    private func write(
        _ part: HTTPClientRequestPart, context: ChannelHandlerContext, flush: Bool,
        promise: EventLoopPromise<Void>? = nil, sent: Sent? = nil
    ) {
        guard let id = state.exchangeID, let command = state.willWrite() else {
            promise?.fail(HTTPXError(.writeError, "The connection has no request in progress to write to"))
            return
        }
        let written = context.eventLoop.makePromise(of: Void.self)
        apply(command, to: writeTimer)
        let observer = exchange?.observer
        written.futureResult.assumeIsolated().whenComplete { [self] result in
            apply(state.writeCompleted(id: id), to: writeTimer)
            if let sent, case .success = result {
                if let observer { trace(sent, to: observer) }
                if sent != .head {
                    apply(state.requestSent(id: id, readerPaused: exchange?.body?.isPaused ?? false), to: readTimer)
                }
            }
            promise?.completeWith(result)
        }
        if flush {
            context.writeAndFlush(wrapOutboundOut(part), promise: written)
        } else {
            context.write(wrapOutboundOut(part), promise: written)
        }
    }

    // MARK: - Reading

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(var head):
            guard state.receivedHead(keepAlive: head.isKeepAlive), let exchange else { return }
            if let phrase = phraseRecorder?.takePhrase(forStatus: Int(head.status.code)), phrase != head.status.reasonPhrase {
                head.status = .custom(code: head.status.code, reasonPhrase: phrase)
            }
            let loop = context.eventLoop
            let bound = NIOLoopBound(self, eventLoop: loop)
            let streamID = state.isStream ? (try? context.channel.syncOptions?.getOption(HTTP2StreamChannelOptions.streamID)).map(Int.init) : nil
            let body = BodyStreamSource(streamID: streamID, resumeReading: {
                loop.execute { bound.value.resumeReading() }
            })
            exchange.body = body
            receivedHead = (exchange.head, head, body)
            exchange.observer?(.responseHeadReceived(statusCode: Int(head.status.code), httpVersion: httpVersion))
            readTimer.touch()
        case .body(let chunk):
            guard state.receivedBodyPart(), let exchange, let body = exchange.body else { return }
            exchange.receivedBytes += chunk.readableBytes
            apply(state.bodyPartForwarded(readerPaused: !body.yield(chunk)), to: readTimer)
        case .end:
            phraseRecorder?.responseEnded()
            guard let completion = state.receivedEnd() else { return }
            // Release the connection before waking the reader, so a request the reader sends
            // next finds it idle in the pool.
            let body = exchange?.body
            if let exchange, let observer = exchange.observer {
                observer(.responseBodyCompleted(bytes: exchange.receivedBytes, httpVersion: httpVersion))
            }
            finish(completion)
            body?.finish(.success(()))
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        deliverReceivedHead()
        exchange?.body?.flush()
        context.fireChannelReadComplete()
    }

    private func deliverReceivedHead() {
        guard let (promise, head, body) = receivedHead else { return }
        receivedHead = nil
        promise.succeed((head, body))
    }

    func read(context: ChannelHandlerContext) {
        if state.read(readerPaused: exchange?.body?.isPaused ?? false) { context.read() }
    }

    private func resumeReading() {
        guard let context, state.readerResumed() else { return }
        if state.isRunning, let exchange { readTimer.watch(timeout: exchange.readTimeout) }
        context.read()
    }

    func channelInactive(context: ChannelHandlerContext) {
        deliverReceivedHead()
        readTimer.stop()
        writeTimer.stop()
        let (failure, idleClose) = state.channelInactive()
        if let failure, let exchange {
            fail(failure, exchange: exchange, error: nil)
        } else if idleClose {
            onIdleClose?()
            onIdleClose = nil
        }
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        deliverReceivedHead()
        guard let failure = state.errorCaught(), let exchange else {
            context.close(promise: nil)
            return
        }
        fail(failure, exchange: exchange, error: error)
    }

    /// Words the error of a failure the channel reported, and fails the exchange with it.
    private func fail(_ failure: HTTP1ConnectionStateMachine.ChannelFailure, exchange: HTTP1Exchange, error: (any Error)?) {
        let description = exchange.describe()
        switch failure {
        case .closedBeforeResponse:
            let error = HTTPXError(.remoteProtocol, "Server disconnected without sending a response to \(description)")
            fail(ConnectionClosedBeforeResponse(underlying: error))
        case .closedMidResponse:
            fail(HTTPXError(.remoteProtocol, "Server disconnected without sending a complete response to \(description)"))
        case .error(let reading, let responseStarted):
            guard let error else { return }
            let mapped = TransportErrors.map(error, phase: reading ? .reading : .writing, request: description)
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
            if !responseStarted, let httpError = mapped as? HTTPXError, state.isStream || httpError.is(.network) {
                // Nothing of a response arrived: an HTTP/2 stream refused or cancelled (after
                // GOAWAY, say), or a kept-alive connection the server had already closed (a
                // reset on the first write). The transport decides whether to send it again.
                fail(ConnectionClosedBeforeResponse(underlying: httpError))
                return
            }
            fail(mapped)
        }
    }

    // MARK: - Ending

    /// The reader of the body gave up early, or the awaiting task was cancelled: the
    /// connection is closed, as its response can no longer be read to the end.
    func abandon(_ error: any Error) {
        guard state.isRunning else { return }
        exchange?.body?.abandon(error)
        fail(error)
    }

    /// Fails the running exchange with `error` and closes the connection.
    private func fail(_ error: any Error) {
        // After the channel went inactive the machine has no exchange left, but ours still
        // waits for its error.
        guard state.fail() || state.state == .closed, let exchange else { return }
        deliverReceivedHead()
        self.exchange = nil
        readTimer.stop()
        writeTimer.stop()
        exchange.deliver(error)
        context?.close(promise: nil)
        exchange.onComplete(false)
    }

    private func finish(_ completion: HTTP1ConnectionStateMachine.Completion) {
        guard let exchange else { return }
        self.exchange = nil
        readTimer.stop()
        writeTimer.stop()
        if completion.readAgain { context?.read() }
        if completion.close { context?.close(promise: nil) }
        exchange.onComplete(completion.reusable)
    }

    private func apply(_ command: HTTP1ConnectionStateMachine.TimerCommand, to timer: ActivityTimer) {
        switch command {
        case .none: break
        case .watch:
            let isRead = timer === readTimer
            timer.watch(timeout: isRead ? exchange?.readTimeout : exchange?.writeTimeout)
        case .touch: timer.touch()
        case .stop: timer.stop()
        }
    }

    // MARK: - Timers

    private func timedOut(_ kind: HTTPXError.Kind) {
        guard state.isRunning, let exchange else { return }
        let timeout = kind == .readTimeout ? exchange.readTimeout : exchange.writeTimeout
        let seconds = Self.format(Double(timeout?.nanoseconds ?? 0) / 1e9)
        let what = kind == .readTimeout ? "to read the response to" : "to send the request"
        fail(HTTPXError(kind, "Timed out after \(seconds) s waiting \(what) \(exchange.describe())"))
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        deliverReceivedHead()
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
