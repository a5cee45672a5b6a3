import NIOCore
import NIOPosix
import NIOSSL

extension HTTPConnection {
    /// Opens a connection for `key` on `eventLoop`, in stages:
    /// 1. TCP to the origin, or to the proxy of the key's route (or a Unix socket);
    /// 2. TLS to the proxy, for an `https` proxy;
    /// 3. a tunnel to the origin: `CONNECT`, or the SOCKS5 handshake;
    /// 4. TLS to the origin for `https`, with ALPN choosing HTTP/2 or HTTP/1.1;
    /// 5. the HTTP/1.1 or HTTP/2 handlers (HTTP/2 also with prior knowledge).
    ///
    /// The connect timeout bounds the TCP connect, and again the stages after it together.
    static func connect(
        id: Int,
        key: PoolKey,
        settings: ConnectionSettings,
        connectTimeout: Duration?,
        eventLoop: any EventLoop,
        events: ConnectionEvents
    ) -> EventLoopFuture<HTTPConnection> {
        openChannel(key: key, settings: settings, connectTimeout: connectTimeout, eventLoop: eventLoop, observer: events.observer)
            .flatMap { channel, useHTTP2 in
                do {
                    guard useHTTP2 else {
                        let kind = try addHTTP1Handlers(to: channel, events: events)
                        try releasePendingReads(of: channel)
                        return channel.eventLoop.makeSucceededFuture(HTTPConnection(id: id, key: key, channel: channel, kind: kind))
                    }
                    return try openHTTP2(id: id, key: key, channel: channel, events: events, connectTimeout: connectTimeout)
                } catch {
                    channel.close(promise: nil)
                    return channel.eventLoop.makeFailedFuture(error)
                }
            }
    }

    /// Stages 1 to 4 of ``connect(id:key:settings:connectTimeout:eventLoop:events:)``: a channel
    /// to the origin with TLS set up and its reads held by a ``PendingReadsHandler``, and
    /// whether HTTP/2 is to be spoken on it.
    static func openChannel(
        key: PoolKey,
        settings: ConnectionSettings,
        connectTimeout: Duration?,
        eventLoop: any EventLoop,
        observer: RequestObserver?
    ) -> EventLoopFuture<(any Channel, Bool)> {
        let route = key.proxy
        let originTLS: NIOSSLContext?
        let proxyTLS: NIOSSLContext?
        // Identities are checked by TLSIdentity against the name the request used, not by
        // NIOSSL, which accepts a certificate whose IP address entry matches the socket's peer
        // whatever name was asked for (a DNS spoofer with a certificate for its own address
        // could pose as any host), and through a tunnel that peer is the proxy.
        var originOptions = settings.tls
        let checkIdentity = originOptions.verifiesHostName
        originOptions.checksIdentityItself = checkIdentity
        var proxyOptions = route.map { tlsOptions(of: $0.proxy, base: settings.tls) }
        let checkProxyIdentity = proxyOptions?.verifiesHostName ?? false
        proxyOptions?.checksIdentityItself = checkProxyIdentity
        do {
            originTLS = key.scheme == "https" ? try TLSContextCache.context(for: originOptions) : nil
            proxyTLS = try route.flatMap { route in
                guard route.proxy.scheme == "https", let proxyOptions else { return nil }
                return try TLSContextCache.context(for: proxyOptions)
            }
        } catch {
            return eventLoop.makeFailedFuture(error)
        }
        let priorKnowledge = originTLS == nil && settings.http2 && !settings.http1 && route?.kind != .forward
        var bootstrap = ClientBootstrap(group: eventLoop)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .connectTimeout(connectTimeout.map(TimeAmount.init) ?? .hours(24 * 365))
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(PendingReadsHandler())
                }
            }
        for option in settings.socketOptions {
            bootstrap = bootstrap.channelOption(option.channelOption, value: SocketOptionValue(option.value))
        }
        if originTLS == nil, proxyTLS == nil {
            // Without TLS, reads grow while the socket has that much waiting (a download)
            // and shrink back for small responses: a large body costs an eighth of the reads,
            // and hand-offs to its reader, of SwiftNIO's 64 KiB default. (Under TLS the
            // records are decrypted 16 KiB at a time anyway, and larger reads only hold more
            // memory.)
            bootstrap = bootstrap.channelOption(.recvAllocator, value: Self.plainReads)
        }
        if key.unixSocketPath == nil, let localAddress = settings.localAddress {
            bootstrap = bootstrap.bind(to: localAddress)
        }
        if let observer {
            let peer = route?.proxy.host ?? key.host
            let port = route?.proxy.port ?? key.port
            observer(.connecting(host: key.host, port: key.port, proxy: route.map { "\($0.proxy.url)" }))
            if key.unixSocketPath == nil, !peer.isIPAddress {
                bootstrap = bootstrap.resolver(ObservingResolver(host: peer, port: port, eventLoop: eventLoop) { addresses in
                    observer(.dnsResolved(host: peer, addresses: addresses.compactMap(\.ipAddress)))
                })
            }
        }
        let connected: EventLoopFuture<any Channel>
        if let path = key.unixSocketPath {
            connected = bootstrap.connect(unixDomainSocketPath: path)
        } else if let proxy = route?.proxy {
            connected = bootstrap.connect(host: proxy.host, port: proxy.port).flatMapErrorThrowing { error in
                guard var mapped = TransportErrors.map(error, phase: .connecting, request: key.description) as? HTTPXError,
                    mapped.kind == .connectError
                else { throw error }
                mapped.kind = .proxy
                throw mapped
            }
        } else {
            connected = bootstrap.connect(host: key.host, port: key.port)
        }
        return connected.flatMap { channel -> EventLoopFuture<(any Channel, Bool)> in
            if let observer {
                observer(.tcpConnected(
                    local: channel.localAddress?.endpointDescription ?? "?",
                    remote: channel.remoteAddress?.endpointDescription ?? "?"))
            }
            var ready = channel.eventLoop.makeSucceededVoidFuture()
            if let route, let proxyTLS {
                ready = startTLS(
                    on: channel, context: proxyTLS, serverName: route.proxy.host, checkIdentity: checkProxyIdentity,
                    observer: observer
                ).map { _ in }
                    .flatMapErrorThrowing { error in
                        throw HTTPXError(
                            .proxy, "TLS with proxy \(route.proxy.url) failed: \(TransportErrors.tlsCause("\(error)"))",
                            underlying: error)
                    }
            }
            if let route, route.kind != .forward {
                ready = ready.flatMap { openTunnel(on: channel, route: route, key: key) }
                if originTLS != nil {
                    // The origin speaks TLS, so nothing may come before our ClientHello: bytes
                    // the proxy sent after its answer would reach the HTTP parser unencrypted.
                    ready = ready.flatMapThrowing {
                        let pending = try channel.pipeline.syncOperations.handler(type: PendingReadsHandler.self)
                        guard !pending.isHoldingReads else {
                            throw HTTPXError(
                                .proxy, "Tunnel to \(key.authority) through proxy \(route.proxy.url) failed: the proxy sent data after its answer, before the TLS handshake with the origin")
                        }
                    }
                }
            }
            var negotiated = ready.map { nil as String? }
            if let originTLS {
                negotiated = ready.flatMap {
                    startTLS(
                        on: channel, context: originTLS, serverName: key.tlsServerName, checkIdentity: checkIdentity,
                        observer: observer)
                }
            }
            let useHTTP2 = negotiated.map { $0 == "h2" || priorKnowledge }
            return withDeadline(useHTTP2, on: channel, timeout: connectTimeout, key: key).map { (channel, $0) }
        }
    }

    static let plainReads = AdaptiveRecvByteBufferAllocator(minimum: 64, initial: 2048, maximum: 512 << 10)

    /// Opens the tunnel of a `CONNECT` or SOCKS5 route to the key's origin.
    private static func openTunnel(on channel: any Channel, route: ProxyRoute, key: PoolKey) -> EventLoopFuture<Void> {
        let proxy = route.proxy
        let describe = "Tunnel to \(key.authority) through proxy \(proxy.url)"
        guard route.kind == .socks else {
            var headers = proxy.headers
            if let authorization = route.endpoint.authorization, headers["Proxy-Authorization"] == nil {
                headers.add("Proxy-Authorization", authorization)
            }
            let handshake = HTTPConnectHandshake(host: key.host, port: key.port, headers: headers)
            return runHandshake(handshake, on: channel, describe: describe)
        }
        // socks5h:// sends the name for the proxy to resolve; socks5:// resolves it here.
        let target: EventLoopFuture<SOCKS5Handshake.Target>
        if proxy.scheme == "socks5h" || key.host.isIPAddress {
            target = channel.eventLoop.makeSucceededFuture(SOCKS5Handshake.Target(host: key.host))
        } else {
            target = NIOThreadPool.singleton.runIfActive(eventLoop: channel.eventLoop) {
                let address = try SocketAddress.makeAddressResolvingHost(key.host, port: key.port)
                return SOCKS5Handshake.Target(host: address.ipAddress ?? key.host)
            }.flatMapErrorThrowing { error in
                throw HTTPXError(.connectError, "Could not resolve host '\(key.host)' for \(key): \(error)", underlying: error)
            }
        }
        return target.flatMap { target in
            let credentials = proxy.auth.map { (username: $0.username, password: $0.password) }
            let handshake = SOCKS5Handshake(target: target, port: key.port, credentials: credentials)
            return runHandshake(handshake, on: channel, describe: describe)
        }
    }

    private static func runHandshake(_ handshake: some ProxyHandshake, on channel: any Channel, describe: String)
        -> EventLoopFuture<Void>
    {
        do {
            let pipeline = channel.pipeline.syncOperations
            let handler = ProxyHandshakeHandler(handshake: handshake, describe: describe)
            try pipeline.addHandler(handler, position: .before(try pipeline.handler(type: PendingReadsHandler.self)))
            return handler.established ?? channel.eventLoop.makeFailedFuture(HTTPXError(.proxy, "\(describe) did not start"))
        } catch {
            return channel.eventLoop.makeFailedFuture(error)
        }
    }

    /// `future`, failed with ``HTTPXError/Kind/connectTimeout`` (and the channel closed) if
    /// `timeout` passes first.
    private static func withDeadline<Value: Sendable>(
        _ future: EventLoopFuture<Value>, on channel: any Channel, timeout: Duration?, key: PoolKey
    ) -> EventLoopFuture<Value> {
        guard let timeout else {
            return future.flatMapErrorThrowing { error in
                channel.close(promise: nil)
                throw error
            }
        }
        let promise = channel.eventLoop.makePromise(of: Value.self)
        let done = NIOLoopBoundBox(false, eventLoop: channel.eventLoop)
        let timer = channel.eventLoop.scheduleTask(in: TimeAmount(timeout)) {
            guard !done.value else { return }
            done.value = true
            promise.fail(HTTPXError(
                .connectTimeout, "Timed out after \(timeout.secondsDescription) s setting up the connection to \(key)"))
            channel.close(promise: nil)
        }
        future.whenComplete { result in
            timer.cancel()
            // A stage that failed without closing the channel (a name that did not resolve
            // for SOCKS5, say) must not leave it open.
            if case .failure = result { channel.close(promise: nil) }
            guard !done.value else { return }
            done.value = true
            promise.completeWith(result)
        }
        return promise.futureResult
    }

    /// Hands what arrived before the protocol handlers to them.
    static func releasePendingReads(of channel: any Channel) throws {
        let pending = try channel.pipeline.syncOperations.handler(type: PendingReadsHandler.self)
        channel.pipeline.syncOperations.removeHandler(pending, promise: nil)
    }
}
