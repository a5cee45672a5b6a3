import NIOCore
import NIOHTTP2

/// What a connection tells its pool about itself.
struct ConnectionEvents: Sendable {
    /// The connection closed while no request used it.
    var onIdleClose: @Sendable () -> Void
    /// The server sent GOAWAY: no new requests on this connection.
    var onGoAway: @Sendable () -> Void
    /// The server changed how many streams it accepts at once (HTTP/2 SETTINGS after the first).
    var onCapacityChange: @Sendable (Int) -> Void = { _ in }
    /// SwiftNIO found a connection error (it sent GOAWAY): the connection takes no new requests
    /// and closes, with what went wrong.
    var onConnectionError: @Sendable (String) -> Void = { _ in }
    /// Where the set-up's events go: the observer of the request the connection is opened for.
    var observer: RequestObserver?
}

/// Watches an HTTP/2 connection's own frames and lifetime for the pool: the server's first
/// SETTINGS frame says how many streams the connection may carry (the connection counts as
/// open once it arrives), later ones change that, GOAWAY makes it drain, and its close is
/// reported (the pool ignores that while streams still run on it).
///
/// It is also SwiftNIO's frame delegate, to learn when SwiftNIO sent a GOAWAY of its own: it
/// does so on a connection error (a frame it cannot accept, a peer over one of its
/// denial-of-service limits), after which the connection must close (RFC 9113 §5.4.1). The
/// client never sends GOAWAY itself, so any GOAWAY written is such an error; the connection
/// takes no new requests and closes once the GOAWAY has been flushed.
final class HTTP2ConnectionWatcher: ChannelInboundHandler, NIOHTTP2FrameDelegate {
    typealias InboundIn = HTTP2Frame

    /// The most streams one connection carries, also when the server sets no limit.
    static let maxCapacity = 100

    private let events: ConnectionEvents
    /// Fulfilled with the stream limit of the server's first SETTINGS frame.
    private let firstSettings: EventLoopPromise<Int>
    private var sawSettings = false
    /// SwiftNIO wrote a GOAWAY: the connection closes once the current reads are handled.
    private var sentGoAway = false
    private var closing = false
    /// The error SwiftNIO reported with its GOAWAY, for the pool's log.
    private var connectionError: (any Error)?

    init(events: ConnectionEvents, firstSettings: EventLoopPromise<Int>) {
        self.events = events
        self.firstSettings = firstSettings
    }

    func wroteFrame(_ frame: HTTP2Frame) {
        if case .goAway = frame.payload { sentGoAway = true }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data).payload {
        case .goAway:
            events.onGoAway()
        case .settings(.settings(let settings)):
            let limit = settings.last { $0.parameter == .maxConcurrentStreams }.map {
                min(max($0.value, 1), Self.maxCapacity)
            }
            if !sawSettings {
                sawSettings = true
                firstSettings.succeed(limit ?? Self.maxCapacity)
            } else if let limit {
                events.onCapacityChange(limit)
            }
        default:
            break
        }
    }

    /// Errors arrive here from streams (also fired on the connection) and from the connection;
    /// only those SwiftNIO sent a GOAWAY for end it.
    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if !sawSettings {
            failIfWaiting(error)
        } else if sentGoAway, connectionError == nil {
            connectionError = error
        }
        context.fireErrorCaught(error)
    }

    /// SwiftNIO writes its GOAWAY while it handles a read and flushes it when the reads are
    /// done, through the ``FlushCoalescer`` (a task of the event loop): the close is queued
    /// after that task, so the GOAWAY goes out before the connection closes.
    func channelReadComplete(context: ChannelHandlerContext) {
        context.fireChannelReadComplete()
        guard sentGoAway, !closing else { return }
        closing = true
        let error = connectionError.map { "\($0)" } ?? "a protocol error"
        events.onConnectionError(error)
        let bound = NIOLoopBound(context, eventLoop: context.eventLoop)
        context.eventLoop.execute { bound.value.close(promise: nil) }
    }

    func channelInactive(context: ChannelHandlerContext) {
        failIfWaiting(HTTPXError(.connectError, "The server closed the HTTP/2 connection before sending its SETTINGS"))
        events.onIdleClose()
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        failIfWaiting(HTTPXError(.connectError, "The HTTP/2 connection ended before the server sent its SETTINGS"))
    }

    private func failIfWaiting(_ error: any Error) {
        guard !sawSettings else { return }
        sawSettings = true
        firstSettings.fail(error)
    }
}
