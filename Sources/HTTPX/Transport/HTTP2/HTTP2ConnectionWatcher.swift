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
    /// Where the set-up's events go: the observer of the request the connection is opened for.
    var observer: RequestObserver?
}

/// Watches an HTTP/2 connection's own frames and lifetime for the pool: the server's first
/// SETTINGS frame says how many streams the connection may carry (the connection counts as
/// open once it arrives), later ones change that, GOAWAY makes it drain, and its close is
/// reported (the pool ignores that while streams still run on it).
final class HTTP2ConnectionWatcher: ChannelInboundHandler {
    typealias InboundIn = HTTP2Frame

    /// The most streams one connection carries, also when the server sets no limit.
    static let maxCapacity = 100

    private let events: ConnectionEvents
    /// Fulfilled with the stream limit of the server's first SETTINGS frame.
    private let firstSettings: EventLoopPromise<Int>
    private var sawSettings = false

    init(events: ConnectionEvents, firstSettings: EventLoopPromise<Int>) {
        self.events = events
        self.firstSettings = firstSettings
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

    /// SwiftNIO ended the connection as a misbehaving peer's (it sent GOAWAY, leaving no
    /// stream open): the connection drains like one the server sent GOAWAY on, instead of
    /// taking requests that would never be answered. Other errors arrive here too (a stream's
    /// error is also fired on the connection) and leave it as it is.
    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if !sawSettings {
            failIfWaiting(error)
        } else if Self.endsConnection(error) {
            events.onGoAway()
        }
        context.fireErrorCaught(error)
    }

    /// SwiftNIO's denial-of-service guards: each one is a connection error.
    static func endsConnection(_ error: any Error) -> Bool {
        error is NIOHTTP2Errors.ExcessiveRSTFrames || error is NIOHTTP2Errors.ExcessiveStreamErrors
            || error is NIOHTTP2Errors.ExcessiveControlFrames || error is NIOHTTP2Errors.ExcessiveEmptyDataFrames
            || error is NIOHTTP2Errors.ExcessiveContinuationFrames || error is NIOHTTP2Errors.ExcessiveNumberOfGlitches
            || error is NIOHTTP2Errors.ExcessivelyLargeHeaderBlock
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
