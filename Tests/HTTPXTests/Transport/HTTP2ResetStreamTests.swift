import NIOCore
import NIOEmbedded
import NIOHPACK
import NIOHTTP2
import Synchronization
import Testing

@testable import HTTPX

/// The client's HTTP/2 pipeline as the pool builds it, against SwiftNIO's server handler on a
/// second `EmbeddedChannel`, bytes carried between them by hand: what arrives on streams the
/// client reset, and what happens when SwiftNIO finds a connection error.
@Suite("HTTP/2 streams the client reset")
struct HTTP2ResetStreamTests {
    final class Recorded: Sendable {
        let errors = Mutex<[String]>([])
        let goAways = Mutex(0)
        var events: ConnectionEvents {
            ConnectionEvents(
                onIdleClose: {}, onGoAway: { self.goAways.withLock { $0 += 1 } },
                onConnectionError: { error in self.errors.withLock { $0.append(error) } })
        }
    }

    final class Pair {
        let client = EmbeddedChannel()
        let server = EmbeddedChannel()
        let recorded = Recorded()
        var connection: HTTPConnection?

        /// Frames the server handler received, in order.
        var serverFrames: [HTTP2Frame] = []

        init() throws {
            try client.pipeline.syncOperations.addHandler(PendingReadsHandler())
            try server.pipeline.syncOperations.addHandler(NIOHTTP2Handler(mode: .server))
            // As in the pool: the handlers go on a connected channel.
            try client.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 80)).wait()
            try server.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1)).wait()
            let opened = try HTTPConnection.openHTTP2(
                id: 1, key: PoolKey(scheme: "http", host: "example.com", port: 80), channel: client,
                events: recorded.events, connectTimeout: nil)
            try exchange()
            connection = try opened.wait()
        }

        deinit {
            // An EmbeddedChannel must be finished, also when a test fails half way.
            _ = try? client.finish(acceptAlreadyClosed: true)
            _ = try? server.finish(acceptAlreadyClosed: true)
        }

        /// Carries bytes both ways until neither side has anything more to send.
        func exchange() throws {
            while try sendClientSide() + sendServerSide() > 0 {}
        }

        /// Only the server's bytes go to the client (what the client sends stays in flight);
        /// returns how many writes were carried.
        @discardableResult
        func sendServerSide() throws -> Int {
            server.embeddedEventLoop.run()
            var moved = 0
            while let bytes = try server.readOutbound(as: IOData.self) {
                guard case .byteBuffer(let buffer) = bytes, client.isActive else { continue }
                try client.writeInbound(buffer)
                moved += 1
            }
            return moved
        }

        /// Only the client's bytes go to the server (what the server sends stays in flight);
        /// returns how many writes were carried.
        @discardableResult
        func sendClientSide() throws -> Int {
            client.embeddedEventLoop.run()
            var moved = 0
            while let bytes = try client.readOutbound(as: IOData.self) {
                guard case .byteBuffer(let buffer) = bytes else { continue }
                try server.writeInbound(buffer)
                moved += 1
            }
            while let frame = try server.readInbound(as: HTTP2Frame.self) { serverFrames.append(frame) }
            return moved
        }

        /// A stream of the client's multiplexer with a GET sent on it.
        func openStream(_ path: String) throws -> any Channel {
            guard case .http2(let multiplexer) = try #require(connection).kind else { throw CancellationError() }
            let stream = multiplexer.createStreamChannel { $0.eventLoop.makeSucceededVoidFuture() }
            client.embeddedEventLoop.run()
            let channel = try stream.wait()
            let headers = HPACKHeaders([(":method", "GET"), (":path", path), (":scheme", "http"), (":authority", "example.com")])
            channel.writeAndFlush(HTTP2Frame.FramePayload.headers(.init(headers: headers, endStream: true)), promise: nil)
            return channel
        }

        var goAwaysSentByClient: Int {
            serverFrames.filter { if case .goAway = $0.payload { true } else { false } }.count
        }
    }

    private static let response = HPACKHeaders([(":status", "200")])

    @Test("What the server sent before it saw many resets is ignored: the connection stays open and serving")
    func framesOnManyResetStreamsAreIgnored() throws {
        let pair = try Pair()
        // 80 requests, more than SwiftNIO's default memory of 32 reset streams.
        let streams = try (0..<80).map { try pair.openStream("/\($0)") }
        try pair.sendClientSide()
        let ids = pair.serverFrames.compactMap { frame -> HTTP2StreamID? in
            if case .headers = frame.payload { return frame.streamID } else { return nil }
        }
        #expect(ids.count == 80)
        // The client gives up on every request (cancelled or timed out): RST_STREAM on each,
        // still on their way while the server answers them all.
        for stream in streams { stream.close(promise: nil) }
        pair.client.embeddedEventLoop.run()
        for id in ids {
            pair.server.write(HTTP2Frame(streamID: id, payload: .headers(.init(headers: Self.response))), promise: nil)
            let body = HTTP2Frame.FramePayload.data(.init(data: .byteBuffer(ByteBuffer(string: "late")), endStream: true))
            pair.server.write(HTTP2Frame(streamID: id, payload: body), promise: nil)
        }
        pair.server.flush()
        try pair.sendServerSide()
        try pair.exchange()
        #expect(pair.goAwaysSentByClient == 0, "no connection error for frames on streams the client reset")
        #expect(pair.recorded.errors.withLock { $0 }.isEmpty)
        #expect(pair.client.isActive)
        // And it serves the next request.
        let next = try pair.openStream("/next")
        try pair.exchange()
        #expect(next.isActive)
        #expect(pair.serverFrames.last.map { if case .headers = $0.payload { true } else { false } } == true)
    }

    @Test("A connection error makes SwiftNIO send GOAWAY: the pool hears why and the connection closes after it")
    func aConnectionErrorClosesTheConnection() throws {
        let pair = try Pair()
        let stream = try pair.openStream("/first")
        try pair.exchange()
        #expect(stream.isActive)
        // DATA on stream 99, which the client never opened: a connection error (PROTOCOL_ERROR).
        var frame = ByteBuffer()
        frame.writeBytes([0, 0, 4, 0, 0])  // length 4, DATA, no flags
        frame.writeInteger(UInt32(99))
        frame.writeString("oops")
        _ = try? pair.client.writeInbound(frame)
        try pair.exchange()
        #expect(pair.goAwaysSentByClient == 1, "the GOAWAY went out before the close")
        #expect(!pair.client.isActive, "the connection closed")
        let errors = pair.recorded.errors.withLock { $0 }
        #expect(errors.count == 1)
        #expect(errors.first?.contains("99") == true, "names what went wrong: \(errors)")
        #expect(pair.recorded.goAways.withLock { $0 } == 0, "a failure, not the server's GOAWAY")
    }
}
