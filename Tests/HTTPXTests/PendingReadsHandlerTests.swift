import NIOCore
import NIOEmbedded
import Testing

@testable import HTTPX

/// What a server sends before a connection's protocol handlers are in place is not lost.
@Suite("Pending reads")
struct PendingReadsHandlerTests {
    /// Records the reads and read-completes that reach it.
    final class Sink: ChannelInboundHandler {
        typealias InboundIn = ByteBuffer
        var events: [String] = []

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            events.append(String(buffer: unwrapInboundIn(data)))
        }

        func channelReadComplete(context: ChannelHandlerContext) {
            events.append("complete")
        }
    }

    @Test func readsBeforeTheProtocolHandlersReachThemInOrder() throws {
        let channel = EmbeddedChannel()
        let pending = PendingReadsHandler()
        try channel.pipeline.syncOperations.addHandler(pending)
        try channel.writeInbound(ByteBuffer(string: "SETTINGS"))
        try channel.writeInbound(ByteBuffer(string: "ACK"))
        #expect(try channel.readInbound(as: ByteBuffer.self) == nil, "held, not passed to the end of the pipeline")

        let sink = Sink()
        try channel.pipeline.syncOperations.addHandler(sink)
        channel.pipeline.syncOperations.removeHandler(pending, promise: nil)
        #expect(sink.events == ["SETTINGS", "ACK", "complete"])

        try channel.writeInbound(ByteBuffer(string: "later"))
        #expect(sink.events.suffix(2) == ["later", "complete"], "afterwards reads flow straight through")
        _ = try channel.finish()
    }

    @Test func nothingHeldMeansNothingReported() throws {
        let channel = EmbeddedChannel()
        let pending = PendingReadsHandler()
        try channel.pipeline.syncOperations.addHandler(pending)
        let sink = Sink()
        try channel.pipeline.syncOperations.addHandler(sink)
        channel.pipeline.syncOperations.removeHandler(pending, promise: nil)
        #expect(sink.events.isEmpty)
        _ = try channel.finish()
    }
}
