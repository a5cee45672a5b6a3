import NIOCore
import NIOHTTP1
import NIOHTTP2
import NIOPosix
import NIOSSL
import Synchronization

/// A connection of the pool: HTTP/1.1, where one ``HTTP1ClientHandler`` runs one exchange at a
/// time, or HTTP/2, where each request gets a stream channel of its own (an HTTP/2-to-HTTP/1
/// codec and an ``HTTP1ClientHandler``), up to ``capacity`` at once.
final class HTTPConnection: PoolConnection {
    enum Kind: Sendable {
        case http1(NIOLoopBound<HTTP1ClientHandler>)
        case http2(NIOHTTP2Handler.StreamMultiplexer)
    }

    let id: Int
    let key: PoolKey
    let channel: any Channel
    let kind: Kind
    private let uses = Atomic<Int>(0)
    private let draining = Atomic<Bool>(false)
    private let streamLimit = Atomic<Int>(1)

    init(id: Int, key: PoolKey, channel: any Channel, kind: Kind) {
        self.id = id
        self.key = key
        self.channel = channel
        self.kind = kind
    }

    /// Whether the socket is still open.
    var isActive: Bool { channel.isActive }

    var eventLoop: any EventLoop { channel.eventLoop }

    /// How many requests it carries at once: 1 on HTTP/1.1; on HTTP/2 as many streams as the
    /// server's SETTINGS allow, at most ``HTTP2ConnectionWatcher/maxCapacity`` (SwiftNIO would
    /// queue streams past the server's limit until one ends).
    var capacity: Int { streamLimit.load(ordering: .relaxed) }

    /// Records the server's stream limit.
    func updateCapacity(_ limit: Int) {
        if isHTTP2 { streamLimit.store(limit, ordering: .relaxed) }
    }

    var isHTTP2: Bool {
        if case .http2 = kind { return true }
        return false
    }

    /// Whether the server sent GOAWAY: no new streams.
    var isDraining: Bool { draining.load(ordering: .relaxed) }

    func markDraining() {
        draining.store(true, ordering: .relaxed)
    }

    /// How many requests this connection carried before the current one.
    var previousUses: Int { uses.load(ordering: .relaxed) }

    /// Closes the connection.
    func close() {
        channel.close(promise: nil)
    }

    /// Sends `request` and returns its response once the head arrives; the body streams.
    ///
    /// - Parameter onComplete: called once, on the event loop, when the exchange is over,
    ///   with whether the connection can carry another request.
    func execute(
        _ request: Request, framing: RequestFraming, observer: RequestObserver? = nil,
        onComplete: @escaping @Sendable (Bool) -> Void
    ) async throws -> Response {
        uses.add(1, ordering: .relaxed)
        switch kind {
        case .http1(let handler):
            return try await HTTPExchangeDriver(handler: .ready(handler), eventLoop: channel.eventLoop, isHTTP2: false)
                .run(request, framing: framing, observer: observer, onComplete: onComplete)
        case .http2(let multiplexer):
            let connection = self
            return try await HTTPExchangeDriver(
                handler: .opening(openStream(multiplexer)), eventLoop: channel.eventLoop, isHTTP2: true
            ).run(request, framing: framing, observer: observer) { _ in
                // A stream's end or failure leaves the connection usable unless it closed.
                onComplete(connection.isActive && !connection.isDraining)
            }
        }
    }

    /// A new HTTP/2 stream whose pipeline turns HTTP/2 frames into HTTP/1 parts for an
    /// ``HTTP1ClientHandler``.
    private func openStream(_ multiplexer: NIOHTTP2Handler.StreamMultiplexer)
        -> EventLoopFuture<NIOLoopBound<HTTP1ClientHandler>>
    {
        let scheme: HTTP2FramePayloadToHTTP1ClientCodec.HTTPProtocol = key.scheme == "https" ? .https : .http
        let eventLoop = channel.eventLoop
        return multiplexer.createStreamChannel { stream in
            stream.eventLoop.makeCompletedFuture {
                try stream.pipeline.syncOperations.addHandlers([
                    HTTP2FramePayloadToHTTP1ClientCodec(httpProtocol: scheme),
                    HTTP1ClientHandler(eventLoop: stream.eventLoop, isStream: true),
                ])
            }
        }.flatMapThrowing { stream in
            NIOLoopBound(try stream.pipeline.syncOperations.handler(type: HTTP1ClientHandler.self), eventLoop: eventLoop)
        }
    }
}

/// How connections are opened, shared by every connection of a transport.
struct ConnectionSettings: Sendable {
    var localAddress: SocketAddress?
    var tls = TLSOptions()
    /// Whether HTTP/1.1 may be used (off with `http2` means HTTP/2 with prior knowledge).
    var http1 = true
    /// Whether HTTP/2 is offered (by ALPN over TLS).
    var http2 = false
    /// Options set on every socket, after `TCP_NODELAY`.
    var socketOptions: [SocketOption] = []
}

extension String {
    /// Whether the text is an IPv4 or IPv6 address (no SNI may be sent for those).
    var isIPAddress: Bool {
        (try? SocketAddress(ipAddress: self, port: 0)) != nil
    }
}
