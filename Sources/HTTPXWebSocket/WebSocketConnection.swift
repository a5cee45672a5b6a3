import HTTPX
import NIOCore
import NIOWebSocket
import Synchronization
@_spi(WSInternal) import WSCore

/// The connection a `101 Switching Protocols` handed over, kept in the response's extensions
/// until ``AsyncClient/webSocket(_:params:headers:cookies:auth:timeout:extensions:options:_:)``
/// takes it. One nobody takes (a hook threw after the handshake) is closed when released.
final class WebSocketConnection: Sendable {
    private let channel: Mutex<NIOAsyncChannel<WebSocketFrame, WebSocketFrame>?>
    let extensions: [any WebSocketExtension]
    /// What broke the framing, if the server's frames did (SwiftNIO then closes the connection
    /// with the matching code, and the messages end).
    let frameErrors: FrameErrorRecorder

    init(
        _ channel: NIOAsyncChannel<WebSocketFrame, WebSocketFrame>, extensions: [any WebSocketExtension],
        frameErrors: FrameErrorRecorder
    ) {
        self.channel = Mutex(channel)
        self.extensions = extensions
        self.frameErrors = frameErrors
    }

    /// The channel, once: later calls get `nil`.
    func take() -> NIOAsyncChannel<WebSocketFrame, WebSocketFrame>? {
        channel.withLock { channel in
            defer { channel = nil }
            return channel
        }
    }

    deinit {
        channel.withLock { $0?.channel.close(promise: nil) }
    }
}

/// Keeps the close code of the first framing error SwiftNIO's decoder found (a frame over the
/// size limit: 1009; a fragmented or oversized control frame: 1002), passing every event on.
final class FrameErrorRecorder: ChannelInboundHandler, Sendable {
    typealias InboundIn = WebSocketFrame
    private let code = Mutex<UInt16?>(nil)

    var closeCode: UInt16? { code.withLock { $0 } }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if let error = error as? NIOWebSocketError {
            let number: UInt16 = error == .invalidFrameLength ? 1009 : 1002
            code.withLock { $0 = $0 ?? number }
        }
        context.fireErrorCaught(error)
    }
}
