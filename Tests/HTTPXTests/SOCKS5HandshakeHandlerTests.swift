import NIOCore
import NIOEmbedded
import Synchronization
import Testing

@testable import HTTPX

/// The SOCKS5 handshake run on a channel, with the test playing the proxy.
@Suite("SOCKS5 handshake handler")
struct SOCKS5HandshakeHandlerTests {
    static let describe = "SOCKS5 proxy socks5://127.0.0.1:1080 for example.com:443"
    static let request: [UInt8] = [5, 1, 0, 3, 11] + Array("example.com".utf8) + [0x01, 0xBB]
    static let success: [UInt8] = [5, 0, 0, 1, 10, 0, 0, 1, 0x1F, 0x90]

    /// How a future completed, read synchronously on the embedded loop.
    final class Outcome: Sendable {
        private let storage = Mutex<Result<Void, any Error>?>(nil)

        init(_ future: EventLoopFuture<Void>?) {
            future?.whenComplete { result in self.storage.withLock { $0 = result } }
        }

        private var result: Result<Void, any Error>? { storage.withLock { $0 } }
        var isPending: Bool { result == nil }
        var succeeded: Bool {
            if case .success? = result { return true }
            return false
        }
        var error: HTTPXError? {
            if case .failure(let error)? = result { return error as? HTTPXError }
            return nil
        }
    }

    struct Unplugged: Error {}

    func makeChannel(
        credentials: (username: String, password: String)? = nil
    ) throws -> (EmbeddedChannel, ProxyHandshakeHandler<SOCKS5Handshake>) {
        let handshake = SOCKS5Handshake(target: .domain("example.com"), port: 443, credentials: credentials)
        let handler = ProxyHandshakeHandler(handshake: handshake, describe: Self.describe)
        let channel = EmbeddedChannel()
        try channel.pipeline.syncOperations.addHandler(handler)
        return (channel, handler)
    }

    func connect(_ channel: EmbeddedChannel) throws {
        let proxy = try SocketAddress(ipAddress: "127.0.0.1", port: 1080)
        channel.connect(to: proxy, promise: nil)
    }

    func isInPipeline(_ channel: EmbeddedChannel) -> Bool {
        (try? channel.pipeline.syncOperations.handler(type: ProxyHandshakeHandler<SOCKS5Handshake>.self)) != nil
    }

    @Test func greetingIsSentOnceWhenTheConnectionComesUp() throws {
        let (channel, _) = try makeChannel()
        #expect(try channel.readOutbound(as: ByteBuffer.self) == nil, "nothing before the connection is up")
        try connect(channel)
        #expect(try channel.readOutbound(as: ByteBuffer.self) == ByteBuffer(bytes: [5, 1, 0x00]))
        #expect(try channel.readOutbound(as: ByteBuffer.self) == nil, "the greeting is sent once")
        _ = try channel.finish(acceptAlreadyClosed: true)
    }

    @Test func greetingIsSentWhenAddedToAConnectedChannel() throws {
        let channel = EmbeddedChannel()
        try connect(channel)
        let handshake = SOCKS5Handshake(
            target: .domain("example.com"), port: 443, credentials: (username: "user", password: "secret"))
        let handler = ProxyHandshakeHandler(handshake: handshake, describe: Self.describe)
        try channel.pipeline.syncOperations.addHandler(handler)
        #expect(try channel.readOutbound(as: ByteBuffer.self) == ByteBuffer(bytes: [5, 2, 0x00, 0x02]))
        #expect(try channel.readOutbound(as: ByteBuffer.self) == nil, "the greeting is sent once")
        _ = try channel.finish(acceptAlreadyClosed: true)
    }

    @Test func fullExchangeWithCredentials() throws {
        let (channel, handler) = try makeChannel(credentials: (username: "user", password: "secret"))
        let established = Outcome(handler.established)
        try connect(channel)
        #expect(try channel.readOutbound(as: ByteBuffer.self) == ByteBuffer(bytes: [5, 2, 0x00, 0x02]))
        try channel.writeInbound(ByteBuffer(bytes: [5, 0x02]))
        let authentication: [UInt8] = [1, 4] + Array("user".utf8) + [6] + Array("secret".utf8)
        #expect(try channel.readOutbound(as: ByteBuffer.self) == ByteBuffer(bytes: authentication))
        try channel.writeInbound(ByteBuffer(bytes: [1, 0]))
        #expect(try channel.readOutbound(as: ByteBuffer.self) == ByteBuffer(bytes: Self.request))
        #expect(established.isPending)
        try channel.writeInbound(ByteBuffer(bytes: Self.success))
        #expect(established.succeeded)
        #expect(try channel.readInbound(as: ByteBuffer.self) == nil, "nothing followed the reply")
        #expect(!isInPipeline(channel), "the handler leaves once the tunnel is open")
        _ = try channel.finish()
    }

    @Test func writesBeforeTheTunnelIsOpenWaitForIt() throws {
        let (channel, _) = try makeChannel()
        try connect(channel)
        _ = try channel.readOutbound(as: ByteBuffer.self)
        let written = Outcome(channel.writeAndFlush(ByteBuffer(string: "GET / HTTP/1.1\r\n\r\n")))
        #expect(try channel.readOutbound(as: ByteBuffer.self) == nil, "held until the tunnel is open")
        try channel.writeInbound(ByteBuffer(bytes: [5, 0x00]))
        #expect(try channel.readOutbound(as: ByteBuffer.self) == ByteBuffer(bytes: Self.request))
        #expect(try channel.readOutbound(as: ByteBuffer.self) == nil, "still held until the reply")
        #expect(written.isPending)
        try channel.writeInbound(ByteBuffer(bytes: Self.success))
        #expect(try channel.readOutbound(as: ByteBuffer.self) == ByteBuffer(string: "GET / HTTP/1.1\r\n\r\n"))
        #expect(written.succeeded)
        _ = try channel.finish()
    }

    @Test func bytesAfterTheReplyReachTheNextHandler() throws {
        let (channel, handler) = try makeChannel()
        let established = Outcome(handler.established)
        try connect(channel)
        _ = try channel.readOutbound(as: ByteBuffer.self)
        try channel.writeInbound(ByteBuffer(bytes: [5, 0x00]))
        _ = try channel.readOutbound(as: ByteBuffer.self)
        // The reply arrives in two reads, the second with the tunnelled server's first bytes.
        try channel.writeInbound(ByteBuffer(bytes: Array(Self.success.prefix(3))))
        #expect(established.isPending)
        let rest: [UInt8] = Array(Self.success.dropFirst(3)) + Array("HTTP/1.1 200 OK\r\n".utf8)
        try channel.writeInbound(ByteBuffer(bytes: rest))
        #expect(established.succeeded)
        #expect(try channel.readInbound(as: ByteBuffer.self) == ByteBuffer(string: "HTTP/1.1 200 OK\r\n"))
        #expect(!isInPipeline(channel))
        try channel.writeInbound(ByteBuffer(string: "later"))
        let later = try channel.readInbound(as: ByteBuffer.self)
        #expect(later == ByteBuffer(string: "later"), "then reads pass straight on")
        _ = try channel.finish()
    }

    @Test func failureReplyFailsTheHandshakeAndClosesTheChannel() throws {
        let (channel, handler) = try makeChannel()
        let established = Outcome(handler.established)
        try connect(channel)
        _ = try channel.readOutbound(as: ByteBuffer.self)
        let written = Outcome(channel.writeAndFlush(ByteBuffer(string: "GET")))
        try channel.writeInbound(ByteBuffer(bytes: [5, 0x00]))
        _ = try channel.readOutbound(as: ByteBuffer.self)
        try channel.writeInbound(ByteBuffer(bytes: [5, 5, 0, 1, 0, 0, 0, 0, 0, 0]))
        let error = try #require(established.error)
        #expect(error.kind == .proxy)
        #expect(error.message.hasPrefix(Self.describe + ": "), "the message names the proxy: \(error.message)")
        #expect(error.message.contains("connection refused (reply code 5)"))
        #expect(!channel.isActive)
        #expect(written.error?.kind == .proxy, "the held write fails with the handshake")
        #expect(try channel.readOutbound(as: ByteBuffer.self) == nil, "and is never sent")
        _ = try channel.finish(acceptAlreadyClosed: true)
    }

    @Test func closingMidHandshakeFailsIt() throws {
        let (channel, handler) = try makeChannel()
        let established = Outcome(handler.established)
        try connect(channel)
        try channel.writeInbound(ByteBuffer(bytes: [5]))
        channel.close(promise: nil)
        let error = try #require(established.error)
        #expect(error.kind == .proxy)
        #expect(error.message == "\(Self.describe): the proxy closed the connection during the handshake")
        _ = try channel.finish(acceptAlreadyClosed: true)
    }

    @Test func errorsAndRemovalBeforeTheEndFailIt() throws {
        let (channel, handler) = try makeChannel()
        let established = Outcome(handler.established)
        try connect(channel)
        channel.pipeline.syncOperations.fireErrorCaught(Unplugged())
        let error = try #require(established.error)
        #expect(error.kind == .proxy && error.underlying is Unplugged)
        #expect(!channel.isActive)
        _ = try channel.finish(acceptAlreadyClosed: true)

        let (other, removed) = try makeChannel()
        let outcome = Outcome(removed.established)
        try connect(other)
        other.pipeline.syncOperations.removeHandler(removed, promise: nil)
        #expect(outcome.error?.message.contains("did not complete") == true)
        _ = try other.finish(acceptAlreadyClosed: true)
    }
}
