import NIOCore
import NIOEmbedded
import NIOHTTP2
import Synchronization
import Testing

@testable import HTTPX

/// What an HTTP/2 connection tells its pool, on an `EmbeddedChannel`.
@Suite("HTTP/2 connection watcher")
struct HTTP2ConnectionWatcherTests {
    final class Events: Sendable {
        let goAways = Mutex(0)
        let idleCloses = Mutex(0)
        let errors = Mutex<[String]>([])
        var events: ConnectionEvents {
            ConnectionEvents(
                onIdleClose: { self.idleCloses.withLock { $0 += 1 } },
                onGoAway: { self.goAways.withLock { $0 += 1 } },
                onConnectionError: { error in self.errors.withLock { $0.append(error) } })
        }
    }

    private func settings(_ streams: Int) -> HTTP2Frame {
        HTTP2Frame(streamID: .rootStream, payload: .settings(.settings([HTTP2Setting(parameter: .maxConcurrentStreams, value: streams)])))
    }

    /// A connected channel with a watcher, and what it reports.
    private func watched() throws -> (EmbeddedChannel, Events, HTTP2ConnectionWatcher, EventLoopPromise<Int>) {
        let channel = EmbeddedChannel()
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1)).wait()
        let recorded = Events()
        let first = channel.eventLoop.makePromise(of: Int.self)
        let watcher = HTTP2ConnectionWatcher(events: recorded.events, firstSettings: first)
        try channel.pipeline.syncOperations.addHandler(watcher)
        return (channel, recorded, watcher, first)
    }

    @Test("After a GOAWAY SwiftNIO sent, the error is reported and the connection closes once the reads are done; a stream error leaves it serving")
    func connectionErrorCloses() throws {
        let (channel, recorded, watcher, first) = try watched()
        try channel.writeInbound(settings(50))
        #expect(try first.futureResult.wait() == 50)
        // A stream's error, also fired on the connection, leaves it serving.
        channel.pipeline.fireErrorCaught(NIOHTTP2Errors.streamClosed(streamID: 3, errorCode: .protocolError))
        channel.pipeline.fireChannelReadComplete()
        channel.embeddedEventLoop.run()
        #expect(channel.isActive)
        #expect(recorded.errors.withLock { $0 }.isEmpty)
        _ = try? channel.throwIfErrorCaught()
        // SwiftNIO writes GOAWAY, then reports the error that made it do so.
        watcher.wroteFrame(HTTP2Frame(streamID: .rootStream, payload: .goAway(lastStreamID: .maxID, errorCode: .protocolError, opaqueData: nil)))
        channel.pipeline.fireErrorCaught(NIOHTTP2Errors.excessiveRSTFrames())
        #expect(channel.isActive, "not before the reads are done (the GOAWAY is flushed then)")
        channel.pipeline.fireChannelReadComplete()
        channel.embeddedEventLoop.run()
        #expect(!channel.isActive)
        #expect(recorded.errors.withLock { $0 }.count == 1)
        #expect(recorded.goAways.withLock { $0 } == 0, "not the server's GOAWAY")
        #expect(throws: NIOHTTP2Errors.ExcessiveRSTFrames.self) { try channel.throwIfErrorCaught() }
    }

    @Test("A GOAWAY from the server drains the connection")
    func serversGoAwayDrains() throws {
        let (channel, recorded, _, first) = try watched()
        try channel.writeInbound(settings(50))
        #expect(try first.futureResult.wait() == 50)
        try channel.writeInbound(HTTP2Frame(streamID: .rootStream, payload: .goAway(lastStreamID: 7, errorCode: .noError, opaqueData: nil)))
        #expect(recorded.goAways.withLock { $0 } == 1)
        #expect(recorded.errors.withLock { $0 }.isEmpty)
    }

    @Test("An error before the SETTINGS fails the connection attempt instead")
    func errorBeforeSettings() throws {
        let (channel, recorded, _, first) = try watched()
        channel.pipeline.fireErrorCaught(NIOHTTP2Errors.excessiveRSTFrames())
        #expect(throws: NIOHTTP2Errors.ExcessiveRSTFrames.self) { try first.futureResult.wait() }
        #expect(recorded.goAways.withLock { $0 } == 0)
        _ = try? channel.throwIfErrorCaught()
    }

    @Test("The client allows many streams reset by the server before SwiftNIO gives up")
    func resetAllowance() {
        #expect(HTTPConnection.resetLimitPer30Seconds >= 10_000)
    }
}
