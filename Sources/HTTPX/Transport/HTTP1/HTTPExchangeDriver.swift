import NIOCore
import NIOHTTP1

/// Runs one request through an ``HTTP1ClientHandler`` from outside its event loop: starts the
/// exchange, writes a streamed body chunk by chunk, and builds the ``Response`` from the head.
/// Used for HTTP/1.1 connections and for HTTP/2 streams alike.
struct HTTPExchangeDriver: Sendable {
    /// The handler that carries the exchange: at hand on HTTP/1.1, or the handler of a new
    /// HTTP/2 stream once the stream exists. The exchange starts on the event loop as soon as
    /// it is ready, so a request costs one hop to the event loop and one back.
    enum Handler: Sendable {
        case ready(NIOLoopBound<HTTP1ClientHandler>)
        case opening(EventLoopFuture<NIOLoopBound<HTTP1ClientHandler>>)

        /// Runs `body` on the event loop with the handler once it exists (no future is made
        /// for one at hand).
        func whenReady(
            on eventLoop: any EventLoop,
            _ body: @escaping @Sendable (Result<NIOLoopBound<HTTP1ClientHandler>, any Error>) -> Void
        ) {
            switch self {
            case .ready(let handler): eventLoop.execute { body(.success(handler)) }
            case .opening(let future): future.whenComplete(body)
            }
        }

        /// Runs `body` with the handler if it exists; nothing if the stream could not open.
        func whenSuccess(on eventLoop: any EventLoop, _ body: @escaping @Sendable (NIOLoopBound<HTTP1ClientHandler>) -> Void) {
            whenReady(on: eventLoop) { if case .success(let handler) = $0 { body(handler) } }
        }

        func get() async throws -> NIOLoopBound<HTTP1ClientHandler> {
            switch self {
            case .ready(let handler): handler
            case .opening(let future): try await future.get()
            }
        }
    }

    let handler: Handler
    let eventLoop: any EventLoop
    let isHTTP2: Bool

    /// Sends `request` through the handler and returns its response once the head arrives.
    /// Its headers already carry `framing` (see ``RequestFraming/decide(for:headers:)``).
    func run(
        _ request: Request, framing: RequestFraming, observer: RequestObserver? = nil,
        onComplete: @escaping @Sendable (Bool) -> Void
    ) async throws -> Response {
        let headPromise = eventLoop.makePromise(of: (HTTPResponseHead, BodyStreamSource).self)
        let head = HTTPRequestHead(
            version: .http1_1, method: NIOHTTP1.HTTPMethod(rawValue: request.method.rawValue), uri: request.target,
            headers: HTTPHeaders(request.headers.fields.map { ($0.name, $0.value) }))
        let requestKeepAlive = !request.headers.hasToken("close", in: "Connection")
        let bufferedBody = request.body.memory
        let handler = self.handler
        let eventLoop = self.eventLoop
        handler.whenReady(on: eventLoop) { result in
            switch result {
            case .success(let handler):
                let exchange = HTTP1Exchange(
                    head: headPromise, timeout: request.extensions.timeout, requestKeepAlive: requestKeepAlive,
                    describe: { request.description }, observer: observer, onComplete: onComplete)
                handler.value.start(exchange, head: head, body: bufferedBody?.byteBuffer)
            case .failure(let error):
                let failure = HTTPXError(
                    .remoteProtocol, "Could not open an HTTP/2 stream for \(request): \(error)", underlying: error)
                headPromise.fail(ConnectionClosedBeforeResponse(underlying: failure))
                onComplete(false)
            }
        }
        return try await withTaskCancellationHandler {
            if bufferedBody == nil {
                try await writeStreamedBody(request, framing: framing, headPromise: headPromise)
            }
            let (responseHead, source) = try await headPromise.futureResult.get()
            return makeResponse(responseHead, source: source, request: request)
        } onCancel: {
            handler.whenSuccess(on: eventLoop) { $0.value.abandon(CancellationError()) }
        }
    }

    /// Writes a streamed body chunk by chunk. If its producer throws or the connection fails,
    /// the exchange fails at once (nothing waits for a response that cannot come); a response
    /// the server sent before the failure still counts, unless the body broke its framing.
    private func writeStreamedBody(
        _ request: Request, framing: RequestFraming, headPromise: EventLoopPromise<(HTTPResponseHead, BodyStreamSource)>
    ) async throws {
        let handler = try await self.handler.get()
        var chunks = request.body.stream.makeAsyncIterator()
        // Counted here, before the handler, so a body that breaks its framing fails the same
        // way whether or not the server has already answered.
        var counted = BodyByteCounter(framing)
        while true {
            let chunk: ByteBuffer?
            do {
                chunk = try await chunks.next()
            } catch {
                let wrapped =
                    error is HTTPXError || error is CancellationError
                    ? error
                    : HTTPXError(
                        .writeError, "Could not produce the body of \(request): \(error)", request: request, underlying: error)
                try await failBody(wrapped, handler: handler, headPromise: headPromise)
                return
            }
            if let problem = chunk.map({ counted.add($0.readableBytes) }) ?? counted.finish() {
                let error = HTTPXError(
                    .localProtocol, "Stopped sending \(request): \(problem); the connection was closed", request: request)
                try? await eventLoop.submit { handler.value.failRequest(error) }.get()
                throw error
            }
            do {
                if let chunk {
                    try await eventLoop.flatSubmit { handler.value.writeBodyChunk(chunk) }.get()
                } else {
                    try await eventLoop.flatSubmit { handler.value.finishBody() }.get()
                    return
                }
            } catch {
                try await failBody(error, handler: handler, headPromise: headPromise)
                return
            }
        }
    }

    /// Fails the exchange with `error` unless its response head already arrived, then returns
    /// if it did (the response stands; the connection will not be reused) or throws `error`.
    private func failBody(
        _ error: any Error, handler: NIOLoopBound<HTTP1ClientHandler>,
        headPromise: EventLoopPromise<(HTTPResponseHead, BodyStreamSource)>
    ) async throws {
        try? await eventLoop.submit { handler.value.failBody(error) }.get()
        // The exchange has ended or has its head by now, so this does not wait for the server.
        if (try? await headPromise.futureResult.get()) != nil { return }
        throw error
    }

    private func makeResponse(_ head: HTTPResponseHead, source: BodyStreamSource, request: Request) -> Response {
        var headers = Headers(capacity: head.headers.count)
        for (name, value) in head.headers { headers.add(name, value) }
        let body = ResponseBody(connection: source) {
            if !source.isFinished {
                handler.whenSuccess(on: eventLoop) {
                    $0.value.abandon(HTTPXError(.streamClosed, "The response body was closed before its end"))
                }
            }
        }
        let version: String =
            switch (head.version.major, head.version.minor) {
            case (1, 1): "HTTP/1.1"
            case (1, 0): "HTTP/1.0"
            case (2, _): "HTTP/2"
            default: "HTTP/\(head.version.major).\(head.version.minor)"
            }
        var response = Response(
            Int(head.status.code), reasonPhrase: head.status.reasonPhrase, httpVersion: version, headers: headers,
            body: body, request: request)
        response.setTransportDetails(streamID: source.streamID)
        return response
    }
}
