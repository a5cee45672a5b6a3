import HTTPX
import NIOCore
import NIOWebSocket
import Synchronization
@_spi(WSInternal) import WSCore

/// An open WebSocket, given to the body of
/// ``HTTPX/AsyncClient/webSocket(_:params:headers:cookies:auth:timeout:extensions:options:_:)``.
///
/// Read ``messages`` as an async sequence and ``send(_:)-(String)`` text or binary messages;
/// pings from the server are answered for you. Reading is backpressured: while you do not read,
/// the connection is not read either, and the server's sends wait.
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
        case text(String)
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

    init(response: Response, inbound: WebSocketInboundStream, outbound: WebSocketOutboundWriter, maxMessageSize: Int) {
        self.response = response
        self.reader = MessageReader(inbound.messages(maxSize: maxMessageSize))
        self.outbound = outbound
    }

    /// The subprotocol the server chose from ``WebSocketOptions/subprotocols``, if any.
    public var subprotocol: String? { response.headers["Sec-WebSocket-Protocol"] }

    /// The WebSocket extensions the server accepted (`permessage-deflate` when compression
    /// was negotiated), as its `Sec-WebSocket-Extensions` header says.
    public var negotiatedExtensions: [String] {
        response.headers.values(for: "Sec-WebSocket-Extensions").flatMap { $0.split(separator: ",") }
            .compactMap { $0.split(separator: ";").first.map { String($0.filter { !$0.isWhitespace }) } }
    }

    /// The messages the server sends, in order, each whole however it was fragmented; the
    /// sequence ends when the server closes. Every iteration reads on from where the last one
    /// stopped (break out of a loop, send, and loop again); one task reads at a time. A message
    /// larger than ``WebSocketOptions/maxMessageSize`` or text that is not UTF-8 ends it with
    /// an error and closes the connection with code 1009 or 1007.
    public var messages: Messages { Messages(reader: reader) }

    /// Sends a text message.
    public func send(_ text: String) async throws {
        try await outbound.writeTextMessage(text)
    }

    /// Sends a binary message.
    public func send(_ bytes: ByteBuffer) async throws {
        try await outbound.writeBinaryMessage(bytes)
    }

    /// Sends a binary message.
    public func send(binary bytes: some Sequence<UInt8>) async throws {
        try await outbound.writeBinaryMessage(ByteBuffer(bytes: Array(bytes)))
    }

    /// Sends a ping with up to 125 bytes of `payload`; the server answers with a pong.
    public func ping(_ payload: [UInt8] = []) async throws {
        try await outbound.write(.custom(WebSocketFrame(fin: true, opcode: .ping, data: ByteBuffer(bytes: payload.prefix(125)))))
    }

    /// Starts the closing handshake with `code` and an optional `reason`; ``messages`` ends
    /// when the server answers. Returning from the body closes with ``WebSocketCloseCode/normalClosure``.
    public func close(_ code: WebSocketCloseCode = .normalClosure, reason: String? = nil) async throws {
        try await outbound.close(WebSocketErrorCode(codeNumber: Int(code.rawValue)), reason: reason)
    }

    /// The messages of a ``WebSocket``.
    public struct Messages: AsyncSequence, Sendable {
        public typealias Element = Message
        let reader: MessageReader

        public struct AsyncIterator: AsyncIteratorProtocol {
            let reader: MessageReader

            public mutating func next() async throws -> Message? {
                try await reader.next()
            }
        }

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

    init(_ messages: WebSocketInboundMessageStream) {
        self.iterator = messages.makeAsyncIterator()
    }

    func next() async throws -> WebSocket.Message? {
        guard reading.compareExchange(expected: false, desired: true, ordering: .acquiring).exchanged else {
            throw HTTPXError(.invalidArgument, "Two tasks read the messages of one WebSocket at once; read them from one task")
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
    public var rawValue: UInt16
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
    public var code: WebSocketCloseCode
    public var reason: String?

    public init(code: WebSocketCloseCode, reason: String? = nil) {
        self.code = code
        self.reason = reason
    }
}
