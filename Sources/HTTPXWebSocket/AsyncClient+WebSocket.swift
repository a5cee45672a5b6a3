import HTTPX
import Logging
import NIOCore
import NIOWebSocket
import WSCompression
@_spi(WSInternal) import WSCore

extension AsyncClient {
    /// Opens a WebSocket to `url` and runs `body` with it; the connection is closed when
    /// `body` returns (with code 1000) or throws.
    ///
    /// The handshake is a request of this client: its base URL, headers, params, cookies and
    /// auth apply (Basic, Digest, netrc and auth flows answer a `401` to the handshake),
    /// event hooks see it, and its connection is opened as any other, through the proxy and
    /// TLS settings of the client's transport. `ws://` and `wss://` URLs are used as `http://`
    /// and `https://` for that.
    ///
    /// ```swift
    /// let close = try await client.webSocket("ws://127.0.0.1:8080/chat") { ws in
    ///     try await ws.send("hello")
    ///     for try await message in ws.messages {
    ///         print(message)
    ///         break
    ///     }
    /// }
    /// ```
    ///
    /// - Returns: the close frame the server sent, if it sent one.
    /// - Throws: ``HTTPXError`` of kind ``HTTPXError/Kind/webSocketUpgrade`` when the server
    ///   does not switch protocols (its response is in the error), a transport error when
    ///   the connection cannot be opened, ``HTTPXError/Kind/webSocket`` when the connection
    ///   fails or is closed for an error, or what `body` throws.
    @discardableResult
    public func webSocket(
        _ url: String,
        params: QueryParams? = nil,
        headers: Headers? = nil,
        cookies: Cookies? = nil,
        auth: (any Auth)? = nil,
        timeout: Timeout? = nil,
        extensions: RequestExtensions? = nil,
        options: WebSocketOptions = WebSocketOptions(),
        _ body: @escaping @Sendable (WebSocket) async throws -> Void
    ) async throws -> WebSocketClose? {
        var request = try buildRequest(
            .get, Self.httpURL(forWebSocket: url), params: params, headers: headers, cookies: cookies, timeout: timeout,
            extensions: extensions)
        let builders: [any WebSocketExtensionBuilder] =
            options.compression ? [WebSocketExtensionFactory.perMessageDeflate(maxWindow: nil, noContextTakeover: false, maxDecompressedFrameSize: options.maxMessageSize).build()] : []
        request.extensions.upgrade = WebSocketHandshake(options: options, extensionBuilders: builders)
        let response = try await send(request, auth: auth, followRedirects: nil, stream: true)
        guard response.statusCode == 101,
            let connection = response.extensions[Response.ExtensionKey.networkStream] as? WebSocketConnection,
            let channel = connection.take()
        else {
            await response.close()
            throw HTTPXError(
                .webSocketUpgrade,
                "The server answered the WebSocket handshake of \(request) with \(response.statusCode) \(response.reasonPhrase), not 101 Switching Protocols",
                request: request, response: response)
        }
        let maxMessageSize = options.maxMessageSize
        let extensionNames = connection.extensions.map(\.name)
        let configuration = WebSocketHandler.Configuration(
            extensions: connection.extensions,
            autoPing: options.pingInterval.map { .enabled(timePeriod: $0) } ?? .disabled,
            closeTimeout: options.closeTimeout, validateUTF8: true, maxFrameSize: options.maxFrameSize)
        let logger = request.extensions.logger ?? Logger(label: "httpx.websocket", factory: { _ in SwiftLogNoOpLogHandler() })
        do {
            let close = try await WebSocketHandler.handle(
                type: .client, configuration: configuration, asyncChannel: channel,
                context: WebSocketRunContext(logger: logger)
            ) { inbound, outbound, _ in
                try await body(WebSocket(
                    response: response, inbound: inbound, outbound: outbound, maxMessageSize: maxMessageSize,
                    extensions: extensionNames))
            }
            if close == nil, let code = connection.frameErrors.closeCode {
                throw Self.webSocketError(code: code, request: request, underlying: nil)
            }
            return close.map { WebSocketClose(code: WebSocketCloseCode(rawValue: UInt16(webSocketErrorCode: $0.closeCode)), reason: $0.reason) }
        } catch let error as HTTPXError {
            throw error
        } catch let error as CancellationError {
            throw error
        } catch {
            if let code = connection.frameErrors.closeCode {
                throw Self.webSocketError(code: code, request: request, underlying: error)
            }
            if let code = Mirror(reflecting: error).children.first?.value as? WebSocketErrorCode {
                throw Self.webSocketError(code: UInt16(webSocketErrorCode: code), request: request, underlying: error)
            }
            throw HTTPXError(.webSocket, "The WebSocket of \(request) failed: \(error)", request: request, underlying: error)
        }
    }

    /// `ws://` as `http://` and `wss://` as `https://`; other URLs as they are.
    static func httpURL(forWebSocket url: String) -> String {
        let lowered = url.prefix(6).lowercased()
        if lowered.hasPrefix("ws://") { return "http://" + url.dropFirst(5) }
        if lowered.hasPrefix("wss://") { return "https://" + url.dropFirst(6) }
        return url
    }

    /// The error of a WebSocket closed with `code` for an error: swift-websocket reports one it
    /// closed (a message too big, text that is not UTF-8) as its own error, SwiftNIO one in the
    /// framing by closing.
    static func webSocketError(code: UInt16, request: Request, underlying: (any Error)?) -> HTTPXError {
        let why: String =
            switch code {
            case 1009: "a message was larger than the limit"
            case 1007: "a text message was not valid UTF-8"
            case 1002: "the server broke the WebSocket protocol"
            default: "of an error"
            }
        return HTTPXError(
            .webSocket, "The WebSocket of \(request) was closed with code \(code) because \(why)", request: request,
            underlying: underlying)
    }
}

/// What swift-websocket's handler is given besides the connection.
struct WebSocketRunContext: WebSocketContext {
    let logger: Logger
}
