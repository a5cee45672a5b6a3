import NIOCore
import NIOHTTP1
import NIOHTTP2
import NIOPosix
import NIOSSL

extension HTTPConnection {
    /// Opens a connection for `key` on `eventLoop`: TCP (or a Unix socket), then TLS for
    /// `https` with ALPN choosing HTTP/2 or HTTP/1.1, or HTTP/2 with prior knowledge.
    static func connect(
        id: Int,
        key: PoolKey,
        settings: ConnectionSettings,
        connectTimeout: Duration?,
        eventLoop: any EventLoop,
        events: ConnectionEvents
    ) -> EventLoopFuture<HTTPConnection> {
        let tlsContext: NIOSSLContext?
        do {
            tlsContext = key.scheme == "https" ? try TLSContextCache.context(for: settings.tls) : nil
        } catch {
            return eventLoop.makeFailedFuture(error)
        }
        let priorKnowledge = tlsContext == nil && settings.http2 && !settings.http1
        var bootstrap = ClientBootstrap(group: eventLoop)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .connectTimeout(connectTimeout.map(TimeAmount.init) ?? .hours(24 * 365))
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let tlsContext {
                        let serverName = key.host.isIPAddress ? nil : key.host
                        try channel.pipeline.syncOperations.addHandlers([
                            try NIOSSLClientHandler(context: tlsContext, serverHostname: serverName),
                            TLSHandshakeHandler(),
                        ])
                    }
                    try channel.pipeline.syncOperations.addHandler(PendingReadsHandler())
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
        return connected.flatMap { channel -> EventLoopFuture<(any Channel, Bool)> in
            guard tlsContext != nil else { return channel.eventLoop.makeSucceededFuture((channel, priorKnowledge)) }
            return Self.awaitHandshake(on: channel, key: key, timeout: connectTimeout).map { (channel, $0 == "h2") }
        }.flatMap { channel, useHTTP2 in
            do {
                guard useHTTP2 else {
                    let kind = try Self.addHTTP1Handlers(to: channel, events: events)
                    try Self.releasePendingReads(of: channel)
                    return channel.eventLoop.makeSucceededFuture(HTTPConnection(id: id, key: key, channel: channel, kind: kind))
                }
                // An HTTP/2 connection is ready once the server's SETTINGS say how many
                // streams it takes.
                let settings = channel.eventLoop.makePromise(of: Int.self)
                let kind = try Self.addHTTP2Handlers(to: channel, events: events, firstSettings: settings)
                try Self.releasePendingReads(of: channel)
                let connection = HTTPConnection(id: id, key: key, channel: channel, kind: kind)
                if let connectTimeout {
                    let timer = channel.eventLoop.scheduleTask(in: TimeAmount(connectTimeout)) {
                        let seconds = connectTimeout.secondsDescription
                        settings.fail(HTTPXError(
                            .connectTimeout, "Timed out after \(seconds) s waiting for the HTTP/2 SETTINGS of \(key)"))
                    }
                    settings.futureResult.whenComplete { _ in timer.cancel() }
                }
                return settings.futureResult.map { limit in
                    connection.updateCapacity(limit)
                    return connection
                }.flatMapErrorThrowing { error in
                    channel.close(promise: nil)
                    throw error
                }
            } catch {
                channel.close(promise: nil)
                return channel.eventLoop.makeFailedFuture(error)
            }
        }
    }

    private static func addHTTP1Handlers(to channel: any Channel, events: ConnectionEvents) throws -> Kind {
        var encoderConfiguration = HTTPRequestEncoder.Configuration()
        encoderConfiguration.automaticallySetFramingHeaders = false
        let handler = HTTP1ClientHandler(eventLoop: channel.eventLoop)
        handler.onIdleClose = events.onIdleClose
        try channel.pipeline.syncOperations.addHandlers([
            HTTPRequestEncoder(configuration: encoderConfiguration),
            ByteToMessageHandler(
                HTTPResponseDecoder(leftOverBytesStrategy: .forwardBytes, informationalResponseStrategy: .drop)),
            handler,
        ])
        return .http1(NIOLoopBound(handler, eventLoop: channel.eventLoop))
    }

    /// Hands what arrived before the protocol handlers to them.
    private static func releasePendingReads(of channel: any Channel) throws {
        let pending = try channel.pipeline.syncOperations.handler(type: PendingReadsHandler.self)
        channel.pipeline.syncOperations.removeHandler(pending, promise: nil)
    }

    /// Flow-control windows large enough that one download runs at HTTP/1.1 speed.
    static let http2WindowSize = 8 << 20

    private static func addHTTP2Handlers(
        to channel: any Channel, events: ConnectionEvents, firstSettings: EventLoopPromise<Int>
    ) throws -> Kind {
        var connection = NIOHTTP2Handler.ConnectionConfiguration()
        // The connection's own window, not only each stream's: without it every download
        // shares 64 KiB and waits for WINDOW_UPDATE round trips.
        connection.targetWindowSize = http2WindowSize
        connection.initialSettings = [
            HTTP2Setting(parameter: .maxConcurrentStreams, value: 100),
            HTTP2Setting(parameter: .initialWindowSize, value: http2WindowSize),
            HTTP2Setting(parameter: .maxHeaderListSize, value: 80 * 1024),
            HTTP2Setting(parameter: .enablePush, value: 0),
        ]
        try channel.pipeline.syncOperations.addHandler(FlushCoalescer())
        var streams = NIOHTTP2Handler.StreamConfiguration()
        streams.targetWindowSize = http2WindowSize
        let multiplexer = try channel.pipeline.syncOperations.configureHTTP2Pipeline(
            mode: .client, connectionConfiguration: connection, streamConfiguration: streams
        ) { stream in
            // The server may not open streams (push is off): refuse any it tries.
            stream.close()
        }
        try channel.pipeline.syncOperations.addHandler(HTTP2ConnectionWatcher(events: events, firstSettings: firstSettings))
        return .http2(multiplexer)
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
                let seconds = timeout.secondsDescription
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

}
