import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import Synchronization

/// An HTTP/1.1 connection of the pool: a channel whose pipeline encodes requests, decodes
/// responses and runs one ``HTTP1ClientHandler`` exchange at a time.
final class HTTP1Connection: PoolConnection {
    let id: Int
    let key: PoolKey
    let channel: any Channel
    private let handler: NIOLoopBound<HTTP1ClientHandler>
    private let uses = Atomic<Int>(0)

    private init(id: Int, key: PoolKey, channel: any Channel, handler: NIOLoopBound<HTTP1ClientHandler>) {
        self.id = id
        self.key = key
        self.channel = channel
        self.handler = handler
    }

    /// Whether the socket is still open.
    var isActive: Bool { channel.isActive }

    var eventLoop: any EventLoop { channel.eventLoop }

    /// How many requests this connection carried before the current one.
    var previousUses: Int { uses.load(ordering: .relaxed) }

    /// Closes the connection.
    func close() {
        channel.close(promise: nil)
    }

    /// Opens a connection for `key` on `eventLoop`.
    static func connect(
        id: Int,
        key: PoolKey,
        settings: ConnectionSettings,
        connectTimeout: Duration?,
        eventLoop: any EventLoop,
        onIdleClose: @escaping @Sendable () -> Void
    ) -> EventLoopFuture<HTTP1Connection> {
        let tlsContext: NIOSSLContext?
        do {
            tlsContext = key.scheme == "https" ? try TLSContextCache.context(for: settings.tls) : nil
        } catch {
            return eventLoop.makeFailedFuture(error)
        }
        var bootstrap = ClientBootstrap(group: eventLoop)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .connectTimeout(connectTimeout.map(TimeAmount.init) ?? .hours(24 * 365))
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    var encoderConfiguration = HTTPRequestEncoder.Configuration()
                    encoderConfiguration.automaticallySetFramingHeaders = false
                    let handler = HTTP1ClientHandler(eventLoop: channel.eventLoop)
                    handler.onIdleClose = onIdleClose
                    if let tlsContext {
                        let serverName = key.host.isIPAddress ? nil : key.host
                        try channel.pipeline.syncOperations.addHandlers([
                            try NIOSSLClientHandler(context: tlsContext, serverHostname: serverName),
                            TLSHandshakeHandler(),
                        ])
                    }
                    try channel.pipeline.syncOperations.addHandlers([
                        HTTPRequestEncoder(configuration: encoderConfiguration),
                        ByteToMessageHandler(
                            HTTPResponseDecoder(leftOverBytesStrategy: .forwardBytes, informationalResponseStrategy: .drop)),
                        handler,
                    ])
                }
            }
        if key.unixSocketPath == nil, let localAddress = settings.localAddress {
            bootstrap = bootstrap.bind(to: localAddress)
        }
        let connected: EventLoopFuture<any Channel>
        if let path = key.unixSocketPath {
            connected = bootstrap.connect(unixDomainSocketPath: path)
        } else {
            connected = bootstrap.connect(host: key.host, port: key.port)
        }
        return connected.flatMap { channel in
            guard tlsContext != nil else { return channel.eventLoop.makeSucceededFuture(channel) }
            return Self.awaitHandshake(on: channel, key: key, timeout: connectTimeout).map { _ in channel }
        }.flatMapThrowing { channel in
            let handler = try channel.pipeline.syncOperations.handler(type: HTTP1ClientHandler.self)
            return HTTP1Connection(id: id, key: key, channel: channel, handler: NIOLoopBound(handler, eventLoop: channel.eventLoop))
        }
    }

    /// The TLS handshake's outcome, failed with ``HTTPXError/Kind/connectTimeout`` when the
    /// connect timeout passes first (it covers the handshake too).
    private static func awaitHandshake(on channel: any Channel, key: PoolKey, timeout: Duration?) -> EventLoopFuture<String?> {
        do {
            let tls = try channel.pipeline.syncOperations.handler(type: TLSHandshakeHandler.self)
            guard let handshake = tls.future else {
                return channel.eventLoop.makeFailedFuture(HTTPXError(.connectError, "TLS was not set up for \(key)"))
            }
            guard let timeout else { return handshake }
            let bound = NIOLoopBound(tls, eventLoop: channel.eventLoop)
            let timer = channel.eventLoop.scheduleTask(in: TimeAmount(timeout)) {
                let seconds = HTTP1ClientHandler.format(Double(TimeAmount(timeout).nanoseconds) / 1e9)
                bound.value.fail(
                    HTTPXError(.connectTimeout, "Timed out after \(seconds) s in the TLS handshake with \(key)"),
                    context: channel)
            }
            handshake.whenComplete { _ in timer.cancel() }
            return handshake
        } catch {
            return channel.eventLoop.makeFailedFuture(error)
        }
    }

    /// Sends `request` and returns its response once the head arrives; the body streams.
    ///
    /// - Parameter onComplete: called once, on the event loop, when the exchange is over,
    ///   with whether the connection can carry another request.
    func execute(_ request: Request, onComplete: @escaping @Sendable (Bool) -> Void) async throws -> Response {
        uses.add(1, ordering: .relaxed)
        let eventLoop = channel.eventLoop
        let headPromise = eventLoop.makePromise(of: (HTTPResponseHead, BodyStreamSource).self)
        let head = HTTPRequestHead(
            version: .http1_1, method: NIOHTTP1.HTTPMethod(rawValue: request.method.rawValue), uri: request.target,
            headers: HTTPHeaders(request.headers.fields.map { ($0.name, $0.value) }))
        let requestKeepAlive = !(request.headers["Connection"]?.lowercased().contains("close") ?? false)
        let bufferedBody = request.body.memory
        let handler = self.handler
        eventLoop.execute {
            let exchange = HTTP1Exchange(
                head: headPromise, timeout: request.extensions.timeout, requestKeepAlive: requestKeepAlive,
                describe: { request.description }, onComplete: onComplete)
            handler.value.start(exchange, head: head, body: bufferedBody?.byteBuffer)
        }
        return try await withTaskCancellationHandler {
            if bufferedBody == nil {
                try await writeStreamedBody(request, headPromise: headPromise)
            }
            let (responseHead, source) = try await headPromise.futureResult.get()
            return makeResponse(responseHead, source: source, request: request)
        } onCancel: {
            eventLoop.execute { handler.value.abandon(CancellationError()) }
        }
    }

    private func writeStreamedBody(
        _ request: Request, headPromise: EventLoopPromise<(HTTPResponseHead, BodyStreamSource)>
    ) async throws {
        let eventLoop = channel.eventLoop
        let handler = self.handler
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
        let eventLoop = channel.eventLoop
        let handler = self.handler
        var headers = Headers()
        for (name, value) in head.headers { headers.add(name, value) }
        let body = ResponseBody(stream: BodyStreamSequence(source: source)) {
            if !source.isFinished {
                eventLoop.execute { handler.value.abandon(HTTPXError(.streamClosed, "The response body was closed before its end")) }
            }
        }
        return Response(
            Int(head.status.code), reasonPhrase: head.status.reasonPhrase,
            httpVersion: "HTTP/\(head.version.major).\(head.version.minor)", headers: headers, body: body,
            request: request)
    }
}

/// How connections are opened, shared by every connection of a transport.
struct ConnectionSettings: Sendable {
    var localAddress: SocketAddress?
    var tls = TLSOptions()
}

extension String {
    /// Whether the text is an IPv4 or IPv6 address (no SNI may be sent for those).
    var isIPAddress: Bool {
        (try? SocketAddress(ipAddress: self, port: 0)) != nil
    }
}
