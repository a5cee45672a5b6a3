// Fuzzes the HTTP/1.1 response head and body framing (status line, headers, Content-Length,
// chunked encoding with extensions and trailers, bodies read to the close) with the codec
// pipeline the client builds in `HTTPConnection.addHTTP1Handlers`: an `HTTPRequestEncoder`
// that leaves framing headers to the client, and a `HTTPResponseDecoder` that forwards bytes
// left after an upgrade and drops 1xx responses, with the `ReasonPhraseRecorder` before it
// that reads the servers' reason phrases off the bytes. One request is sent, the input is fed as
// the server's bytes, the connection is closed, and every part that comes out is read. Each
// head is also turned into a `Response` as `HTTPExchangeDriver` does, and what the client
// derives from its headers is read: status checks, `Location` joined onto the request URL,
// cookies, links, charset, auth challenges.
//
// Input: the first byte picks the request method (HEAD changes the framing) and the size of
// the pieces the bytes arrive in; the rest is what the server sends.
import FuzzSupport
import NIOCore
import NIOEmbedded
import NIOHTTP1
@testable import HTTPX

private let methods: [NIOHTTP1.HTTPMethod] = [.GET, .HEAD, .POST, .PUT, .DELETE, .OPTIONS, .PATCH, .GET]
private let requestURL = try? HTTPURL("https://example.org/path?q=1")

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ start: UnsafePointer<UInt8>, _ count: Int) -> CInt {
    guard let bytes = FuzzInput.bytes(start, count), let selector = bytes.first else { return 0 }
    let method = methods[Int(selector & 7)]
    let pieceSize = FuzzInput.pieceSizes[Int(selector >> 3) % FuzzInput.pieceSizes.count]
    exchange(method: method, response: FuzzInput.pieces(Array(bytes.dropFirst()), size: pieceSize))
    return 0
}

private func exchange(method: NIOHTTP1.HTTPMethod, response pieces: [[UInt8]]) {
    let channel = EmbeddedChannel()
    defer { _ = try? channel.finish(acceptAlreadyClosed: true) }
    let phrases = ReasonPhraseRecorder()
    var encoderConfiguration = HTTPRequestEncoder.Configuration()
    encoderConfiguration.automaticallySetFramingHeaders = false
    do {
        try channel.pipeline.syncOperations.addHandlers([
            HTTPRequestEncoder(configuration: encoderConfiguration),
            phrases,
            ByteToMessageHandler(
                HTTPResponseDecoder(leftOverBytesStrategy: .forwardBytes, informationalResponseStrategy: .drop)),
        ])
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 80)).wait()

        var headers = HTTPHeaders([("Host", "example.org"), ("Accept-Encoding", "gzip, deflate")])
        let body: ByteBuffer? = method == .POST || method == .PUT ? ByteBuffer(string: "a=1") : nil
        if let body { headers.add(name: "Content-Length", value: String(body.readableBytes)) }
        try channel.writeOutbound(HTTPClientRequestPart.head(HTTPRequestHead(version: .http1_1, method: method, uri: "/path?q=1", headers: headers)))
        if let body { try channel.writeOutbound(HTTPClientRequestPart.body(.byteBuffer(body))) }
        try channel.writeOutbound(HTTPClientRequestPart.end(nil))
        while try channel.readOutbound(as: ByteBuffer.self) != nil {}
    } catch {
        // Setting up the pipeline does not fail; if it did, there is nothing to fuzz.
        return
    }

    for piece in pieces {
        do {
            try channel.writeInbound(ByteBuffer(bytes: piece))
        } catch {
            // A decoding error: the client closes the connection, and so does this.
            drain(channel, phrases)
            return
        }
        drain(channel, phrases)
    }
    // The server closes the connection: a body delimited by the close ends here.
    channel.pipeline.fireChannelInactive()
    drain(channel, phrases)
}

/// Reads every part the decoder produced, as the client's handler would.
private func drain(_ channel: EmbeddedChannel, _ phrases: ReasonPhraseRecorder) {
    while true {
        do {
            guard let part = try channel.readInbound(as: HTTPClientResponsePart.self) else { return }
            switch part {
            case .head(let head):
                _ = head.status.code
                _ = head.status.reasonPhrase
                _ = phrases.takePhrase(forStatus: Int(head.status.code))
                _ = head.isKeepAlive
                _ = head.version
                inspect(head)
            case .body(let buffer):
                _ = buffer.readableBytes
            case .end(let trailers):
                _ = trailers?.count
                phrases.responseEnded()
            }
        } catch {
            // Not a response part (bytes forwarded after an upgrade): `readInbound` has taken it
            // off the queue, so go on with the next one.
            continue
        }
    }
}

/// Builds the `Response` the client would make of `head` (see `HTTPExchangeDriver`) and reads
/// what the client reads from it.
private func inspect(_ head: HTTPResponseHead) {
    guard let url = requestURL else { return }
    var headers = Headers()
    for (name, value) in head.headers { headers.add(name, value) }
    let response = Response(
        Int(head.status.code), reasonPhrase: head.status.reasonPhrase,
        httpVersion: "HTTP/\(head.version.major).\(head.version.minor)", headers: headers,
        request: Request(.get, url))
    _ = response.description
    _ = try? response.raiseForStatus()
    if response.isRedirect, let location = response.headers.first("Location") {
        _ = try? url.join(location)
    }
    _ = response.charset
    _ = response.links
    _ = response.cookies.count
    _ = AuthChallenge.challenges(in: response.headers)
}
