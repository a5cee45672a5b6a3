import NIOCore
import NIOHTTP2

extension HTTPConnection {
    /// Adds the HTTP/2 handlers to a connected channel; the connection is ready once the
    /// server's first SETTINGS say how many streams it takes.
    static func openHTTP2(
        id: Int, key: PoolKey, channel: any Channel, events: ConnectionEvents, connectTimeout: Duration?
    ) throws -> EventLoopFuture<HTTPConnection> {
        let settings = channel.eventLoop.makePromise(of: Int.self)
        let kind: Kind
        do {
            kind = try addHTTP2Handlers(to: channel, events: events, firstSettings: settings)
            try releasePendingReads(of: channel)
        } catch {
            settings.fail(error)  // never left uncompleted
            throw error
        }
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
    }

    /// How many streams the server may reset (or fail) in 30 s before SwiftNIO ends the
    /// connection as misbehaving.
    static let resetLimitPer30Seconds = 20_000

    /// How many streams the client reset that SwiftNIO remembers, so that frames the server
    /// sent on them before it saw the reset are ignored instead of ending the connection.
    static let recentlyResetStreams = 1_000

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
        // A stream the client resets (a cancelled request, a read timeout) may still receive
        // what the server sent before the reset reached it; SwiftNIO ignores such frames only
        // for the streams it remembers as reset, and takes any other as a connection error
        // (STREAM_CLOSED). Its default of 32 is soon passed when many requests end early at
        // once (up to 100 streams run at a time), so a client remembers many more.
        connection.maximumRecentlyResetStreams = recentlyResetStreams
        try channel.pipeline.syncOperations.addHandler(FlushCoalescer())
        var streams = NIOHTTP2Handler.StreamConfiguration()
        streams.targetWindowSize = http2WindowSize
        // SwiftNIO's defaults (200 in 30 s) guard servers against clients that open and reset
        // streams rapidly. A server resetting the streams a client opens is ordinary (nginx's
        // `return 444` does it), so a client allows many more before treating the connection
        // as misbehaving (then it closes and requests move to a new connection).
        streams.streamResetFrameRateLimit.maximumCount = resetLimitPer30Seconds
        streams.streamErrorRateLimit.maximumCount = resetLimitPer30Seconds
        let watcher = HTTP2ConnectionWatcher(events: events, firstSettings: firstSettings)
        // The asynchronous set-up is the one that takes a frame delegate; its inline multiplexer
        // is then used synchronously. The server may not open streams (push is off): any it
        // tries is refused.
        _ = try channel.pipeline.syncOperations.configureAsyncHTTP2Pipeline(
            mode: .client, streamDelegate: nil, frameDelegate: watcher,
            configuration: NIOHTTP2Handler.Configuration(connection: connection, stream: streams)
        ) { stream in
            stream.close(promise: nil)
            return stream.eventLoop.makeSucceededVoidFuture()
        }
        let multiplexer = try channel.pipeline.syncOperations.handler(type: NIOHTTP2Handler.self).syncMultiplexer()
        try channel.pipeline.syncOperations.addHandler(watcher)
        // SwiftNIO raises the connection's window only once data arrives; raising it at once
        // saves the first download a round trip at 64 KiB.
        let raise = HTTP2Frame(streamID: .rootStream, payload: .windowUpdate(windowSizeIncrement: http2WindowSize - 65_535))
        channel.writeAndFlush(raise, promise: nil)
        return .http2(multiplexer)
    }
}
