import HTTPTypes
import HTTPX
import NIOCore
import NIOHTTP1
import NIOWebSocket
@_spi(WSInternal) import WSCore

/// The opening handshake (RFC 6455 §4.1) as an upgrade the network transport runs: SwiftNIO's
/// client upgrader sends the request and checks `Sec-WebSocket-Accept`; a `101` hands the
/// connection over in the response's extensions, any other answer comes back as a response
/// (so the client's auth, redirects and cookies handle it), its body bounded.
struct WebSocketHandshake: ConnectionUpgrade {
    let options: WebSocketOptions
    let extensionBuilders: [any WebSocketExtensionBuilder]

    private enum Outcome {
        case upgraded(WebSocketConnection, HTTPResponseHead)
        case refused
    }

    func start(on channel: any Channel, head: HTTPRequestHead, request: Request) throws -> EventLoopFuture<Response> {
        let eventLoop = channel.eventLoop
        let answer = HandshakeAnswer(promise: eventLoop.makePromise(of: Response.self), channel: channel)
        let builders = extensionBuilders
        let upgrader = NIOTypedWebSocketClientUpgrader<Outcome>(
            // A server may send a whole message as one frame: frames are bounded by the message limit.
            maxFrameSize: max(options.maxFrameSize, options.maxMessageSize),
            upgradePipelineHandler: { channel, responseHead in
                channel.eventLoop.makeCompletedFuture {
                    let pipeline = channel.pipeline.syncOperations
                    pipeline.removeHandler(context: try pipeline.context(handlerType: HandshakeRefusalReader.self), promise: nil)
                    let recorder = FrameErrorRecorder()
                    try pipeline.addHandler(recorder)
                    let wrapped = try NIOAsyncChannel<WebSocketFrame, WebSocketFrame>(wrappingChannelSynchronously: channel)
                    let fields = Self.fields(responseHead.headers)
                    // RFC 6455 §4.1: an extension the client did not offer fails the connection.
                    let offered = Set(builders.map { Self.extensionName(of: $0.clientRequestHeader()) })
                    for accepted in WebSocketExtensionHTTPParameters.parseHeaders(fields) where !offered.contains(accepted.name) {
                        throw UnofferedExtension(name: accepted.name)
                    }
                    let extensions = try builders.buildClientExtensions(from: fields)
                    return .upgraded(WebSocketConnection(wrapped, extensions: extensions, frameErrors: recorder), responseHead)
                }
            })
        var head = head
        // SwiftNIO's upgrader adds `Connection: upgrade`; the client's `keep-alive` must not stay.
        head.headers.remove(name: "Connection")
        if !options.subprotocols.isEmpty {
            head.headers.replaceOrAdd(name: "Sec-WebSocket-Protocol", value: options.subprotocols.joined(separator: ", "))
        }
        for builder in builders {
            let offer = builder.clientRequestHeader()
            if !offer.isEmpty { head.headers.add(name: "Sec-WebSocket-Extensions", value: offer) }
        }
        let configuration = NIOTypedHTTPClientUpgradeConfiguration<Outcome>(
            upgradeRequestHead: head, upgraders: [upgrader],
            notUpgradingCompletionHandler: { channel in channel.eventLoop.makeSucceededFuture(.refused) })
        var pipelineConfiguration = NIOUpgradableHTTPClientPipelineConfiguration(upgradeConfiguration: configuration)
        pipelineConfiguration.leftOverBytesStrategy = .forwardBytes
        let pipeline = channel.pipeline.syncOperations
        let upgraded = try pipeline.configureUpgradableHTTPClientPipeline(configuration: pipelineConfiguration)
        try pipeline.addHandler(HandshakeRefusalReader(answer: answer, request: request, limit: options.maxRefusalBodySize))

        let subprotocols = options.subprotocols
        upgraded.whenComplete { result in
            switch result {
            case .success(.upgraded(let connection, let responseHead)):
                var response = Response(
                    Int(responseHead.status.code), reasonPhrase: responseHead.status.reasonPhrase,
                    headers: Headers(responseHead.headers.map { ($0.name, $0.value) }), request: request)
                if let chosen = response.headers["Sec-WebSocket-Protocol"], !subprotocols.contains(chosen) {
                    answer.fail(HTTPXError(
                        .webSocketUpgrade, "The server chose subprotocol '\(chosen)', which \(request) did not offer",
                        request: request, response: response))
                    return
                }
                response.extensions[Response.ExtensionKey.networkStream] = connection
                answer.succeed(response)
            case .success(.refused):
                break  // HandshakeRefusalReader answers once the refusal's body is read.
            case .failure(let error as UnofferedExtension):
                answer.fail(HTTPXError(
                    .webSocketUpgrade, "The server accepted the WebSocket extension '\(error.name)', which \(request) did not offer",
                    request: request))
            case .failure(let error):
                answer.fail(HTTPXError(
                    .webSocketUpgrade, "The server's answer to the WebSocket handshake of \(request) is not valid: \(error)",
                    request: request, underlying: error))
            }
        }
        if let read = request.extensions.timeout.read {
            let timer = eventLoop.scheduleTask(in: TimeAmount(read)) {
                answer.fail(HTTPXError(
                    .readTimeout, "Timed out after \(Double(read.components.seconds) + Double(read.components.attoseconds) / 1e18) s waiting for the answer to the WebSocket handshake of \(request)",
                    request: request))
            }
            answer.future.whenComplete { _ in timer.cancel() }
        }
        return answer.future
    }

    /// The name of the extension a `Sec-WebSocket-Extensions` offer names.
    static func extensionName(of offer: String) -> String {
        String((offer.split(separator: ";").first ?? "").filter { !$0.isWhitespace })
    }

    /// A server's answer enabled an extension that was not offered.
    struct UnofferedExtension: Error {
        let name: String
    }

    /// SwiftNIO's header list as HTTPTypes fields, for swift-websocket's extension negotiation.
    static func fields(_ headers: HTTPHeaders) -> HTTPFields {
        var fields = HTTPFields()
        for (name, value) in headers {
            if let name = HTTPField.Name(name) { fields.append(HTTPField(name: name, value: value)) }
        }
        return fields
    }
}

/// The one answer to a handshake, from whichever comes first: the upgrade, the refusal, an
/// error, the connection's close or the read timeout. Anything but a `101` closes the connection.
final class HandshakeAnswer: Sendable {
    private let promise: EventLoopPromise<Response>
    private let done: NIOLoopBoundBox<Bool>
    private let channel: any Channel

    init(promise: EventLoopPromise<Response>, channel: any Channel) {
        self.promise = promise
        self.done = NIOLoopBoundBox(false, eventLoop: channel.eventLoop)
        self.channel = channel
    }

    var future: EventLoopFuture<Response> { promise.futureResult }

    func succeed(_ response: Response) {
        guard !done.value else { return }
        done.value = true
        promise.succeed(response)
    }

    func fail(_ error: HTTPXError) {
        guard !done.value else { return }
        done.value = true
        channel.close(promise: nil)
        promise.fail(error)
    }

    /// A refusal: the response is complete and the connection is not kept.
    func refuse(_ response: Response) {
        guard !done.value else { return }
        done.value = true
        channel.close(promise: nil)
        promise.succeed(response)
    }
}
