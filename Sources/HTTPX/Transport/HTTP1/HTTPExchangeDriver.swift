import NIOCore
import NIOHTTP1

/// Runs one request through an ``HTTP1ClientHandler`` from outside its event loop: starts the
/// exchange, writes a streamed body chunk by chunk, and builds the ``Response`` from the head.
/// Used for HTTP/1.1 connections and for HTTP/2 streams alike.
struct HTTPExchangeDriver: Sendable {
    /// The handler that carries the exchange: at hand on HTTP/1.1, or the handler of a new
    /// HTTP/2 stream once the stream exists. The exchange starts on the event loop as soon as
    /// it is ready, so a request costs one hop to the event loop and one back.
    let handler: EventLoopFuture<NIOLoopBound<HTTP1ClientHandler>>
    let eventLoop: any EventLoop
    let isHTTP2: Bool

    /// Sends `request` through the handler and returns its response once the head arrives.
    func run(_ request: Request, onComplete: @escaping @Sendable (Bool) -> Void) async throws -> Response {
        let headPromise = eventLoop.makePromise(of: (HTTPResponseHead, BodyStreamSource).self)
        let head = HTTPRequestHead(
            version: .http1_1, method: NIOHTTP1.HTTPMethod(rawValue: request.method.rawValue), uri: request.target,
            headers: HTTPHeaders(request.headers.fields.map { ($0.name, $0.value) }))
        let requestKeepAlive = !(request.headers["Connection"]?.lowercased().contains("close") ?? false)
        let bufferedBody = request.body.memory
        let handler = self.handler
        handler.whenComplete { result in
            switch result {
            case .success(let handler):
                let exchange = HTTP1Exchange(
                    head: headPromise, timeout: request.extensions.timeout, requestKeepAlive: requestKeepAlive,
                    describe: { request.description }, onComplete: onComplete)
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
                try await writeStreamedBody(request, headPromise: headPromise)
            }
            let (responseHead, source) = try await headPromise.futureResult.get()
            return makeResponse(responseHead, source: source, request: request)
        } onCancel: {
            handler.whenSuccess { $0.value.abandon(CancellationError()) }
        }
    }

    private func writeStreamedBody(
        _ request: Request, headPromise: EventLoopPromise<(HTTPResponseHead, BodyStreamSource)>
    ) async throws {
        let handler = try await self.handler.get()
        do {
            for try await chunk in request.body.stream {
                try await eventLoop.flatSubmit { handler.value.writeBodyChunk(chunk) }.get()
            }
            try await eventLoop.flatSubmit { handler.value.finishBody() }.get()
        } catch {
            // A server may answer before it has read the body; its response still counts.
            if (try? await headPromise.futureResult.get()) != nil { return }
            if !(error is HTTPXError) && !(error is CancellationError) {
                let wrapped = HTTPXError(
                    .writeError, "Could not produce the body of \(request): \(error)", request: request, underlying: error)
                eventLoop.execute { handler.value.failBody(wrapped) }
                throw wrapped
            }
            eventLoop.execute { handler.value.failBody(error) }
            throw error
        }
    }

    private func makeResponse(_ head: HTTPResponseHead, source: BodyStreamSource, request: Request) -> Response {
        var headers = Headers()
        for (name, value) in head.headers { headers.add(name, value) }
        let body = ResponseBody(stream: BodyStreamSequence(source: source)) {
            if !source.isFinished {
                handler.whenSuccess { $0.value.abandon(HTTPXError(.streamClosed, "The response body was closed before its end")) }
            }
        }
        return Response(
            Int(head.status.code), reasonPhrase: head.status.reasonPhrase,
            httpVersion: head.version.major == 2 ? "HTTP/2" : "HTTP/\(head.version.major).\(head.version.minor)",
            headers: headers, body: body,
            request: request)
    }
}
