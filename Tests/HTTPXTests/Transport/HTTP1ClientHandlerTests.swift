import NIOCore
import NIOEmbedded
import NIOHTTP1
import Testing

@testable import HTTPX

/// The HTTP/1.1 handler on an `EmbeddedChannel`: timers run on the loop's clock, so the tests
/// advance time instead of sleeping.
@Suite("HTTP/1.1 client handler")
struct HTTP1ClientHandlerTests {
    /// Holds every write's promise, as a socket that takes nothing would.
    final class StalledWrites: ChannelOutboundHandler {
        typealias OutboundIn = Any
        var held: [EventLoopPromise<Void>?] = []

        func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
            held.append(promise)
        }
    }

    /// Counts the socket reads that reach the channel.
    final class ReadCounter: ChannelOutboundHandler {
        typealias OutboundIn = Any
        var reads = 0

        func read(context: ChannelHandlerContext) {
            reads += 1
            context.read()
        }
    }

    /// What the pool and the waiting task see of one exchange.
    final class Outcome {
        var completions: [Bool] = []
        var result: Result<(HTTPResponseHead, BodyStreamSource), any Error>?
    }

    struct Fixture {
        let channel = EmbeddedChannel()
        let handler: HTTP1ClientHandler
        let reads = ReadCounter()

        init(before: [any ChannelHandler] = []) throws {
            handler = HTTP1ClientHandler(eventLoop: channel.eventLoop)
            try channel.pipeline.syncOperations.addHandlers(before + [reads, handler])
            try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 80)).wait()
        }

        /// Starts a GET (or a POST with `body`) with the given timeouts.
        func start(read: Duration? = .seconds(2), write: Duration? = .seconds(1), body: ByteBuffer? = ByteBuffer())
            -> Outcome
        {
            let outcome = Outcome()
            let promise = channel.eventLoop.makePromise(of: (HTTPResponseHead, BodyStreamSource).self)
            promise.futureResult.assumeIsolated().whenComplete { outcome.result = $0 }
            let exchange = HTTP1Exchange(
                head: promise, timeout: Timeout(connect: nil, read: read, write: write, pool: nil),
                requestKeepAlive: true, describe: { "GET http://example.test/" },
                onComplete: { outcome.completions.append($0) })
            handler.start(exchange, head: HTTPRequestHead(version: .http1_1, method: .GET, uri: "/"), body: body)
            return outcome
        }

        func respond(_ parts: HTTPClientResponsePart...) throws {
            for part in parts { try channel.writeInbound(part) }
        }

        func advance(milliseconds: Int64) {
            channel.embeddedEventLoop.advanceTime(by: .milliseconds(milliseconds))
        }
    }

    private static let okHead = HTTPResponseHead(version: .http1_1, status: .ok, headers: ["Content-Length": "2"])

    private func errorKind(_ outcome: Outcome) -> HTTPXError.Kind? {
        guard case .failure(let error) = outcome.result else { return nil }
        return (error as? HTTPXError)?.kind
    }

    @Test("The request is written, and a keep-alive response returns the connection for reuse")
    func keepAlive() throws {
        let fixture = try Fixture()
        let first = fixture.start()
        guard case .head(let head) = try fixture.channel.readOutbound(as: HTTPClientRequestPart.self) else {
            Issue.record("no request head was written")
            return
        }
        #expect(head.uri == "/")
        #expect(try fixture.channel.readOutbound(as: HTTPClientRequestPart.self) == .end(nil))
        try fixture.respond(.head(Self.okHead), .body(ByteBuffer(string: "ok")), .end(nil))
        #expect(first.completions == [true])
        guard case .success(let (_, body)) = first.result else {
            Issue.record("no response head")
            return
        }
        #expect(body.isFinished)
        let second = fixture.start()
        try fixture.respond(.head(Self.okHead), .end(nil))
        #expect(second.completions == [true])
        #expect(fixture.channel.isActive)
    }

    @Test("The head reaches the waiting task when the socket read is parsed, with the body of that read already in its stream")
    func headDeliveredAfterTheRead() throws {
        let fixture = try Fixture()
        let outcome = fixture.start()
        for part: HTTPClientResponsePart in [.head(Self.okHead), .body(ByteBuffer(string: "ok")), .end(nil)] {
            fixture.channel.pipeline.fireChannelRead(part)
        }
        #expect(outcome.result == nil, "the task is woken once, at the end of the read, not at the head")
        #expect(outcome.completions == [true])
        fixture.channel.pipeline.fireChannelReadComplete()
        guard case .success(let (_, body)) = outcome.result else {
            Issue.record("no response head after the read")
            return
        }
        #expect(body.isFinished)
    }

    @Test("A head whose read ends in a closed connection still reaches the task, and its body fails")
    func headDeliveredWhenTheConnectionCloses() throws {
        let fixture = try Fixture()
        let outcome = fixture.start()
        fixture.channel.pipeline.fireChannelRead(HTTPClientResponsePart.head(Self.okHead))
        fixture.channel.pipeline.fireChannelInactive()
        guard case .success(let (_, body)) = outcome.result else {
            Issue.record("the head should have been delivered")
            return
        }
        #expect(body.isFinished)
        #expect(outcome.completions == [false])
    }

    @Test("The read timeout fires on the loop's clock and restarts with every part received")
    func readTimeout() throws {
        let fixture = try Fixture()
        let outcome = fixture.start(read: .seconds(2))
        fixture.advance(milliseconds: 1500)
        try fixture.respond(.head(Self.okHead))
        fixture.advance(milliseconds: 1500)
        #expect(outcome.completions.isEmpty)
        try fixture.respond(.body(ByteBuffer(string: "o")))
        fixture.advance(milliseconds: 1900)
        #expect(outcome.completions.isEmpty)
        fixture.advance(milliseconds: 200)
        #expect(outcome.completions == [false])
        #expect(!fixture.channel.isActive)
        guard case .success(let (_, body)) = outcome.result else {
            Issue.record("the head should have arrived")
            return
        }
        #expect(body.isFinished)
    }

    @Test("Without a response head, the read timeout fails the request with ReadTimeout")
    func readTimeoutBeforeHead() throws {
        let fixture = try Fixture()
        let outcome = fixture.start(read: .milliseconds(500))
        fixture.advance(milliseconds: 499)
        #expect(outcome.result == nil)
        fixture.advance(milliseconds: 2)
        #expect(errorKind(outcome) == .readTimeout)
        #expect(outcome.completions == [false])
    }

    @Test("A write the socket does not take fails with WriteTimeout")
    func writeTimeout() throws {
        let stalled = StalledWrites()
        let fixture = try Fixture(before: [stalled])
        let outcome = fixture.start(read: nil, write: .seconds(1), body: ByteBuffer(string: "payload"))
        #expect(stalled.held.count == 3)
        fixture.advance(milliseconds: 999)
        #expect(outcome.result == nil)
        fixture.advance(milliseconds: 2)
        #expect(errorKind(outcome) == .writeTimeout)
        #expect(outcome.completions == [false])
        // The writes the socket never took are failed by the close; nothing is left waiting.
        for promise in stalled.held { promise?.fail(ChannelError.ioOnClosedChannel) }
    }

    @Test("No timeout set: nothing fires however long the server takes")
    func noTimeout() throws {
        let fixture = try Fixture()
        let outcome = fixture.start(read: nil, write: nil)
        fixture.advance(milliseconds: 3_600_000)
        #expect(outcome.result == nil)
        try fixture.respond(.head(Self.okHead), .end(nil))
        #expect(outcome.completions == [true])
    }

    @Test("Reads are held while the body's reader is more than its high watermark behind")
    func heldRead() throws {
        let fixture = try Fixture()
        let outcome = fixture.start()
        try fixture.respond(.head(Self.okHead))
        fixture.channel.read()
        #expect(fixture.reads.reads == 1)
        try fixture.respond(.body(ByteBuffer(repeating: 0, count: BodyStreamSource.highWatermark)))
        fixture.channel.read()
        #expect(fixture.reads.reads == 1)
        // The reader is behind, not the server: no read timeout while reads are held.
        fixture.advance(milliseconds: 10_000)
        #expect(outcome.completions.isEmpty)
        try fixture.respond(.end(nil))
        // The held read is issued on the idle connection, to notice the server closing it.
        #expect(fixture.reads.reads == 2)
        #expect(outcome.completions == [true])
    }

    @Test("A connection that closes before the response reports it may be sent again")
    func closedBeforeResponse() throws {
        let fixture = try Fixture()
        let outcome = fixture.start()
        fixture.channel.pipeline.fireChannelInactive()
        guard case .failure(let error) = outcome.result else {
            Issue.record("the exchange should have failed")
            return
        }
        #expect(error is ConnectionClosedBeforeResponse)
        #expect(outcome.completions == [false])
    }

    @Test("A connection that closes part-way through the body fails it with RemoteProtocolError")
    func closedMidResponse() throws {
        let fixture = try Fixture()
        let outcome = fixture.start()
        try fixture.respond(.head(Self.okHead), .body(ByteBuffer(string: "o")))
        fixture.channel.pipeline.fireChannelInactive()
        #expect(outcome.completions == [false])
        guard case .success(let (_, body)) = outcome.result else {
            Issue.record("the head should have arrived")
            return
        }
        #expect(body.isFinished)
    }

    @Test("An idle connection that closes tells the pool once")
    func idleClose() throws {
        let fixture = try Fixture()
        var closes = 0
        fixture.handler.onIdleClose = { closes += 1 }
        fixture.channel.pipeline.fireChannelInactive()
        fixture.channel.pipeline.fireChannelInactive()
        #expect(closes == 1)
        // A request handed to it after all is refused as one that may be sent again.
        let outcome = fixture.start()
        guard case .failure(let error) = outcome.result else {
            Issue.record("a closed connection should refuse the exchange")
            return
        }
        #expect(error is ConnectionClosedBeforeResponse)
        #expect(outcome.completions == [false])
    }

    @Test("Giving up on a response closes the connection and fails its reader")
    func abandon() throws {
        let fixture = try Fixture()
        let outcome = fixture.start()
        try fixture.respond(.head(Self.okHead))
        fixture.handler.abandon(CancellationError())
        #expect(outcome.completions == [false])
        #expect(!fixture.channel.isActive)
        try fixture.respond(.body(ByteBuffer(string: "late")))
    }
}
