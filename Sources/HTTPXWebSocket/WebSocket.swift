import HTTPX
import NIOCore
import NIOWebSocket
import Synchronization
@_spi(WSInternal) import WSCore

/// An open WebSocket, given to the body of
/// ``HTTPX/AsyncClient/webSocket(_:params:headers:cookies:auth:timeout:extensions:options:_:)``.
///
/// Read ``messages`` as an async sequence and send text or binary messages. Reading is
/// backpressured: while you do not read, the connection is not read either, and the server's
/// sends wait. Control frames arrive in line with messages, so the server's pings are answered
/// (and pongs to ``WebSocketOptions/pingInterval``'s pings seen) while a read is outstanding:
/// a body that only sends keeps one going in a child task.
///
/// ```swift
/// try await client.webSocket("wss://echo.example/ws") { ws in
///     try await ws.send("hello")
///     for try await message in ws.messages {
///         if case .text(let text) = message { print(text) }
///     }
/// }
/// ```
public struct WebSocket: Sendable {
    /// A message: text (valid UTF-8) or binary.
    public enum Message: Sendable, Hashable, CustomStringConvertible {
        /// A text message.
        case text(String)
        /// A binary message.
        case binary(ByteBuffer)

        public var description: String {
            switch self {
            case .text(let text): "text(\(text.count) characters)"
            case .binary(let bytes): "binary(\(bytes.readableBytes) bytes)"
            }
        }
    }

    /// The server's `101 Switching Protocols` answer to the handshake, with its headers.
    public let response: Response
    let reader: MessageReader
    let outbound: WebSocketOutboundWriter

    init(
        response: Response, inbound: WebSocketInboundStream, outbound: WebSocketOutboundWriter, maxMessageSize: Int,
        extensions: [String]
    ) {
        self.response = response
        self.reader = MessageReader(inbound.messages(maxSize: maxMessageSize), request: response.request)
        self.outbound = outbound
        self.negotiatedExtensions = extensions
    }

    /// The subprotocol the server chose from ``WebSocketOptions/subprotocols``, if any.
    public var subprotocol: String? { response.headers["Sec-WebSocket-Protocol"] }

    /// The WebSocket extensions in use (`permessage-deflate` when compression was negotiated).
    public let negotiatedExtensions: [String]

    /// The messages the server sends, in order, each whole however it was fragmented; the
    /// sequence ends when the server closes. Every iteration reads on from where the last one
    /// stopped (break out of a loop, send, and loop again); one task reads at a time. A message
    /// larger than ``WebSocketOptions/maxMessageSize`` or text that is not UTF-8 ends it with
    /// an error and closes the connection with code 1009 or 1007.
    public var messages: Messages { Messages(reader: reader) }

    /// Sends a text message (in fragments of ``WebSocketOptions/maxFrameSize``).
    ///
    /// - Throws: ``HTTPX/HTTPXError/Kind/webSocket`` when the connection is closed or fails.
    public func send(_ text: String) async throws {
        try await writing("a text message") { try await outbound.writeTextMessage(text) }
    }

    /// Sends a binary message.
    public func send(_ bytes: ByteBuffer) async throws {
        try await writing("a binary message") { try await outbound.writeBinaryMessage(bytes) }
    }

    /// Sends a binary message.
    public func send(binary bytes: some Sequence<UInt8>) async throws {
        try await send(ByteBuffer(bytes: Array(bytes)))
    }

    /// Sends a ping carrying `payload` (at most 125 bytes); the server answers with a pong.
    public func ping(_ payload: [UInt8] = []) async throws {
        guard payload.count <= 125 else {
            throw HTTPXError(
                .invalidArgument, "A ping carries at most 125 bytes, not \(payload.count) (WebSocket of \(response.request))")
        }
        try await writing("a ping") {
            try await outbound.write(.custom(WebSocketFrame(fin: true, opcode: .ping, data: ByteBuffer(bytes: payload))))
        }
    }

    /// Starts the closing handshake with `code` and an optional `reason` (at most 123 bytes
    /// of UTF-8); ``messages`` ends when the server answers. Returning from the body closes
    /// with ``WebSocketCloseCode/normalClosure``.
    ///
    /// - Throws: `invalidArgument` for a code an endpoint may not send
    ///   (below 1000, 1004 to 1006, 1015, above 4999) or a longer reason.
    public func close(_ code: WebSocketCloseCode = .normalClosure, reason: String? = nil) async throws {
        let number = code.rawValue
        guard (1000...4999).contains(number), ![1004, 1005, 1006, 1015].contains(number) else {
            throw HTTPXError(
                .invalidArgument, "\(number) is not a close code an endpoint may send (WebSocket of \(response.request))")
        }
        if let reason, reason.utf8.count > 123 {
            throw HTTPXError(
                .invalidArgument,
                "A close reason has at most 123 bytes, not \(reason.utf8.count) (WebSocket of \(response.request))")
        }
        try await writing("a close frame") {
            try await outbound.close(WebSocketErrorCode(codeNumber: Int(number)), reason: reason)
        }
    }

    /// Runs a write, reporting a failure as an error of this WebSocket.
    private func writing(_ what: String, _ write: () async throws -> Void) async throws {
        do {
            try await write()
        } catch let error as CancellationError {
            throw error
        } catch {
            throw HTTPXError(
                .webSocket, "Could not send \(what) on the WebSocket of \(response.request): \(error)",
                request: response.request, underlying: error)
        }
    }

    /// The messages of a ``WebSocket``.
    public struct Messages: AsyncSequence, Sendable {
        public typealias Element = Message
        let reader: MessageReader

        /// Reads the next message; `nil` once the server closed.
        public struct AsyncIterator: AsyncIteratorProtocol {
            let reader: MessageReader

            /// The next message, `nil` once the server closed.
            public mutating func next() async throws -> Message? {
                try await reader.next()
            }
        }

        /// An iterator that reads on from where the last one stopped.
        public func makeAsyncIterator() -> AsyncIterator {
            AsyncIterator(reader: reader)
        }
    }
}

/// The one reader of a WebSocket's messages, shared by every iteration of
/// ``WebSocket/messages`` (swift-websocket allows one iterator per connection).
final class MessageReader: @unchecked Sendable {
    // `iterator` is touched only by the task that set `reading`.
    private var iterator: WebSocketInboundMessageStream.AsyncIterator
    private let reading = Atomic<Bool>(false)
    private let request: Request

    init(_ messages: WebSocketInboundMessageStream, request: Request) {
        self.iterator = messages.makeAsyncIterator()
        self.request = request
    }

    func next() async throws -> WebSocket.Message? {
        guard reading.compareExchange(expected: false, desired: true, ordering: .acquiring).exchanged else {
            throw HTTPXError(
                .invalidArgument, "Two tasks read the messages of the WebSocket of \(request) at once; read them from one task",
                request: request)
        }
        defer { reading.store(false, ordering: .releasing) }
        return switch try await iterator.next() {
        case .text(let text): .text(text)
        case .binary(let bytes): .binary(bytes)
        case nil: nil
        }
    }
}

/// Why a WebSocket was closed (RFC 6455 §7.4).
public struct WebSocketCloseCode: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
    /// The code's number.
    public var rawValue: UInt16
    /// The code `rawValue`: one of those below, or an application's own (4000 to 4999).
    public init(rawValue: UInt16) { self.rawValue = rawValue }

    /// 1000: the purpose of the connection was fulfilled.
    public static let normalClosure = Self(rawValue: 1000)
    /// 1001: an endpoint is going away (a server shutting down, a page left).
    public static let goingAway = Self(rawValue: 1001)
    /// 1002: a protocol error.
    public static let protocolError = Self(rawValue: 1002)
    /// 1003: a type of data the endpoint cannot accept.
    public static let unsupportedData = Self(rawValue: 1003)
    /// 1007: data not consistent with its message's type (text that is not UTF-8).
    public static let invalidPayload = Self(rawValue: 1007)
    /// 1008: a message that violates the endpoint's policy.
    public static let policyViolation = Self(rawValue: 1008)
    /// 1009: a message too big to process.
    public static let messageTooBig = Self(rawValue: 1009)
    /// 1010: the client expected an extension the server did not negotiate.
    public static let missingExtension = Self(rawValue: 1010)
    /// 1011: the server met an unexpected condition.
    public static let internalError = Self(rawValue: 1011)

    public var description: String { "\(rawValue)" }
}

/// The close frame the server sent: its code and reason.
public struct WebSocketClose: Sendable, Hashable {
    /// Why the server closed.
    public var code: WebSocketCloseCode
    /// The server's reason, if it gave one.
    public var reason: String?

    /// A close frame's contents.
    public init(code: WebSocketCloseCode, reason: String? = nil) {
        self.code = code
        self.reason = reason
    }
}
