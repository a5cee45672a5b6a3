import NIOCore
import NIOEmbedded
import Testing

@testable import HTTPX

@Suite("CONNECT tunnels")
struct HTTPConnectHandshakeTests {
    private func started(_ host: String = "example.com", port: Int = 443, headers: Headers = [:])
        -> (HTTPConnectHandshake, String)
    {
        var handshake = HTTPConnectHandshake(host: host, port: port, headers: headers)
        let request = handshake.start()
        return (handshake, String(buffer: request))
    }

    @Test func sendsConnectWithTheProxyHeadersOnly() {
        let (_, request) = started(headers: ["Proxy-Authorization": "Basic dTpw", "X-Team": "search"])
        #expect(request == "CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\nProxy-Authorization: Basic dTpw\r\nX-Team: search\r\n\r\n")
        #expect(started("::1", port: 8443).1.hasPrefix("CONNECT [::1]:8443 HTTP/1.1\r\nHost: [::1]:8443\r\n"))
    }

    @Test func a2xxOpensTheTunnelAndKeepsWhatFollows() throws {
        var (handshake, _) = started()
        var buffer = ByteBuffer(string: "HTTP/1.1 200 Connection established\r\nVia: squid\r\n\r\n\u{16}\u{03}")
        #expect(try handshake.receive(&buffer) == .established)
        #expect(buffer.readableBytes == 2)
    }

    @Test func aHeadSplitAcrossReadsIsAssembled() throws {
        var (handshake, _) = started()
        let text = "HTTP/1.0 200 OK\r\n\r\n"
        var buffer = ByteBuffer()
        for byte in text.utf8.dropLast() {
            buffer.writeInteger(byte)
            #expect(try handshake.receive(&buffer) == .needMoreData)
        }
        buffer.writeString("\n")
        #expect(try handshake.receive(&buffer) == .established)
    }

    @Test func bareLineFeedsEndTheHeadToo() throws {
        var (handshake, _) = started()
        var buffer = ByteBuffer(string: "HTTP/1.1 200 OK\nVia: proxy\n\nrest")
        #expect(try handshake.receive(&buffer) == .established)
        #expect(String(buffer: buffer) == "rest")
    }

    @Test func aLargeHeadInOneReadIsBoundedToo() {
        var (handshake, _) = started()
        var buffer = ByteBuffer(string: "HTTP/1.1 200 OK\r\n" + String(repeating: "X-Junk: 1\r\n", count: 2000) + "\r\n")
        #expect(throws: ProxyHandshakeFailure.self) { try handshake.receive(&buffer) }
    }

    @Test func controlCharactersFromTheProxyStayOutOfMessages() throws {
        var (handshake, _) = started()
        var buffer = ByteBuffer(string: "HTTP/1.1 403 \u{1B}[31mNo\u{07}\r\n\r\n")
        let error = try #require(throws: ProxyHandshakeFailure.self) { try handshake.receive(&buffer) }
        #expect(error.reason.hasSuffix("with 403 [31mNo"))
    }

    @Test func interimResponsesAreSkipped() throws {
        var (handshake, _) = started()
        var buffer = ByteBuffer(string: "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\n\r\n")
        #expect(try handshake.receive(&buffer) == .established)
        #expect(buffer.readableBytes == 0)
    }

    @Test(arguments: [
        (407, "HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic\r\n\r\n"),
        (403, "HTTP/1.1 403 Forbidden\r\n\r\n"),
        (502, "HTTP/1.1 502 Bad Gateway\r\nContent-Length: 3\r\n\r\nbad"),
    ])
    func refusalsFailWithTheStatus(_ status: Int, _ response: String) throws {
        var (handshake, _) = started()
        var buffer = ByteBuffer(string: response)
        let error = try #require(throws: ProxyHandshakeFailure.self) { try handshake.receive(&buffer) }
        #expect(error.status == status)
        #expect(error.reason.contains("CONNECT example.com:443 with \(status)"))
    }

    @Test(arguments: ["SSH-2.0-OpenSSH\r\n\r\n", "HTTP/1.1 2000 OK\r\n\r\n", "HTTP/2 200\r\n\r\n", "\r\n\r\n"])
    func malformedStatusLinesFail(_ response: String) {
        var (handshake, _) = started()
        var buffer = ByteBuffer(string: response)
        #expect(throws: ProxyHandshakeFailure.self) { try handshake.receive(&buffer) }
    }

    @Test func anEndlessHeadIsBounded() {
        var (handshake, _) = started()
        var buffer = ByteBuffer(string: "HTTP/1.1 200 OK\r\n")
        buffer.writeString(String(repeating: "X-Junk: 1\r\n", count: 2000))
        #expect(throws: ProxyHandshakeFailure.self) { try handshake.receive(&buffer) }
    }

    @Test func dataBeforeTheRequestFails() {
        var handshake = HTTPConnectHandshake(host: "example.com", port: 443, headers: [:])
        var buffer = ByteBuffer(string: "HTTP/1.1 200 OK\r\n\r\n")
        #expect(throws: ProxyHandshakeFailure.self) { try handshake.receive(&buffer) }
    }

    // MARK: - The handler, on an EmbeddedChannel

    private func channel(_ headers: Headers = [:]) throws -> (EmbeddedChannel, ProxyHandshakeHandler<HTTPConnectHandshake>) {
        let channel = EmbeddedChannel()
        let handler = ProxyHandshakeHandler(
            handshake: HTTPConnectHandshake(host: "example.com", port: 443, headers: headers),
            describe: "Tunnel to example.com:443 through proxy http://127.0.0.1:3128")
        try channel.pipeline.syncOperations.addHandler(handler)
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 3128)).wait()
        return (channel, handler)
    }

    @Test func handlerHoldsWritesUntilTheTunnelIsOpen() throws {
        let (channel, handler) = try channel()
        let connect = try #require(try channel.readOutbound(as: ByteBuffer.self))
        #expect(String(buffer: connect).hasPrefix("CONNECT example.com:443 HTTP/1.1\r\n"))
        channel.writeAndFlush(ByteBuffer(string: "client hello"), promise: nil)
        #expect(try channel.readOutbound(as: ByteBuffer.self) == nil)

        try channel.writeInbound(ByteBuffer(string: "HTTP/1.1 200 OK\r\n\r\nserver hello"))
        #expect(try handler.established?.wait() != nil)
        #expect(try channel.readOutbound(as: ByteBuffer.self) == ByteBuffer(string: "client hello"))
        #expect(try channel.readInbound(as: ByteBuffer.self) == ByteBuffer(string: "server hello"))
        // The handler has left the pipeline: bytes now pass straight through.
        #expect(throws: (any Error).self) {
            try channel.pipeline.syncOperations.handler(type: ProxyHandshakeHandler<HTTPConnectHandshake>.self)
        }
        try channel.writeInbound(ByteBuffer(string: "more"))
        #expect(try channel.readInbound(as: ByteBuffer.self) == ByteBuffer(string: "more"))
        _ = try channel.finish()
    }

    @Test func handlerFailsAsAProxyErrorAndCloses() throws {
        let (channel, handler) = try channel(["Proxy-Authorization": "Basic c2VjcmV0Omh1bnRlcjI="])
        _ = try channel.readOutbound(as: ByteBuffer.self)
        let write = channel.eventLoop.makePromise(of: Void.self)
        channel.writeAndFlush(ByteBuffer(string: "early"), promise: write)
        _ = try? channel.writeInbound(ByteBuffer(string: "HTTP/1.1 407 Proxy Authentication Required\r\n\r\n"))
        let error = try #require(throws: HTTPXError.self) { try handler.established?.wait() }
        #expect(error.kind == .proxy)
        #expect(error.message == "Tunnel to example.com:443 through proxy http://127.0.0.1:3128: the proxy answered CONNECT example.com:443 with 407 Proxy Authentication Required")
        #expect(throws: HTTPXError.self) { try write.futureResult.wait() }
        #expect(!channel.isActive)
    }

    @Test func handlerFailsWhenTheProxyCloses() throws {
        let (channel, handler) = try channel()
        _ = try channel.readOutbound(as: ByteBuffer.self)
        try channel.writeInbound(ByteBuffer(string: "HTTP/1.1 200"))
        channel.pipeline.fireChannelInactive()
        let error = try #require(throws: HTTPXError.self) { try handler.established?.wait() }
        #expect(error.kind == .proxy)
        #expect(error.message.contains("closed the connection"))
    }
}
