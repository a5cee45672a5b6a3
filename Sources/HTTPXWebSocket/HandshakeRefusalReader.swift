import HTTPX
import NIOCore
import NIOHTTP1

/// Reads the answer of a server that did not switch protocols (SwiftNIO's upgrade handler
/// passes it on), keeping at most `limit` bytes of its body, and hands it over as a response.
/// Removed from the pipeline when the upgrade succeeds.
final class HandshakeRefusalReader: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPClientResponsePart

    private let answer: HandshakeAnswer
    private let request: Request
    private let limit: Int
    private var head: HTTPResponseHead?
    private var body = ByteBuffer()

    init(answer: HandshakeAnswer, request: Request, limit: Int) {
        self.answer = answer
        self.request = request
        self.limit = limit
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            self.head = head
        case .body(var chunk):
            let room = max(0, limit - body.readableBytes)
            if chunk.readableBytes > room, let kept = chunk.readSlice(length: room) {
                body.writeImmutableBuffer(kept)
                finish()  // enough to say why; the rest is not read
            } else {
                body.writeBuffer(&chunk)
            }
        case .end:
            finish()
        }
    }

    private func finish() {
        guard let head else {
            answer.fail(HTTPXError(.remoteProtocol, "The server answered the WebSocket handshake of \(request) without a status line", request: request))
            return
        }
        answer.refuse(Response(
            Int(head.status.code), reasonPhrase: head.status.reasonPhrase,
            httpVersion: "HTTP/\(head.version.major).\(head.version.minor)",
            headers: Headers(head.headers.map { ($0.name, $0.value) }), body: ResponseBody(body), request: request))
    }

    func channelInactive(context: ChannelHandlerContext) {
        answer.fail(HTTPXError(
            .remoteProtocol, "The server closed the connection before answering the WebSocket handshake of \(request)",
            request: request))
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        answer.fail(HTTPXError(
            .remoteProtocol, "The WebSocket handshake of \(request) failed: \(error)", request: request,
            underlying: error))
        context.close(promise: nil)
    }
}
