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
        var events: ConnectionEvents {
            ConnectionEvents(
                onIdleClose: { self.idleCloses.withLock { $0 += 1 } },
                onGoAway: { self.goAways.withLock { $0 += 1 } })
        }
    }

    private func settings(_ streams: Int) -> HTTP2Frame {
        HTTP2Frame(streamID: .rootStream, payload: .settings(.settings([HTTP2Setting(parameter: .maxConcurrentStreams, value: streams)])))
    }

    @Test("A connection error after the SETTINGS drains the connection; a stream error does not")
    func connectionErrorDrains() throws {
        let channel = EmbeddedChannel()
        let recorded = Events()
        let first = channel.eventLoop.makePromise(of: Int.self)
        try channel.pipeline.syncOperations.addHandler(HTTP2ConnectionWatcher(events: recorded.events, firstSettings: first))
        try channel.writeInbound(settings(50))
        #expect(try first.futureResult.wait() == 50)
        channel.pipeline.fireErrorCaught(NIOHTTP2Errors.excessiveRSTFrames())
        #expect(recorded.goAways.withLock { $0 } == 1, "new requests go to another connection")
        #expect(throws: NIOHTTP2Errors.ExcessiveRSTFrames.self) { try channel.throwIfErrorCaught() }
        // A stream's error, also fired on the connection, leaves it serving.
        channel.pipeline.fireErrorCaught(NIOHTTP2Errors.streamClosed(streamID: 3, errorCode: .protocolError))
        #expect(recorded.goAways.withLock { $0 } == 1)
        _ = try? channel.throwIfErrorCaught()
    }

    @Test("An error before the SETTINGS fails the connection attempt instead")
    func errorBeforeSettings() throws {
        let channel = EmbeddedChannel()
        let recorded = Events()
        let first = channel.eventLoop.makePromise(of: Int.self)
        try channel.pipeline.syncOperations.addHandler(HTTP2ConnectionWatcher(events: recorded.events, firstSettings: first))
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
