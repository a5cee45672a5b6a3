#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import HTTPXWebSocket
import NIOCore
import Synchronization
import Testing

@testable import HTTPX

/// WebSockets against Python's `websockets` server (an implementation independent of ours and
/// of swift-websocket), plain, over TLS and through squid; see scripts/interop/ws_server.py.
@Suite("Interop: WebSockets (Python websockets)", Interop.enabled(Interop.webSocket), .timeLimit(.minutes(2)))
struct WebSocketInteropTests {
    var ws: String { get throws { try Interop.url(Interop.webSocket, "WebSocket") } }
    var wss: String { get throws { try Interop.url(Interop.webSocketTLS, "WebSocket over TLS") } }

    /// Sends `outgoing` and returns the first `count` messages that come back.
    static func exchange(
        _ client: AsyncClient, _ url: String, options: WebSocketOptions = WebSocketOptions(),
        send outgoing: [WebSocket.Message], receive count: Int
    ) async throws -> (received: [WebSocket.Message], subprotocol: String?, extensions: [String]) {
        let result = Mutex<([WebSocket.Message], String?, [String])>(([], nil, []))
        try await client.webSocket(url, options: options) { ws in
            for message in outgoing {
                switch message {
                case .text(let text): try await ws.send(text)
                case .binary(let bytes): try await ws.send(bytes)
                }
            }
            var received: [WebSocket.Message] = []
            for try await message in ws.messages {
                received.append(message)
                if received.count == count { break }
            }
            result.withLock { $0 = (received, ws.subprotocol, ws.negotiatedExtensions) }
        }
        return result.withLock { (received: $0.0, subprotocol: $0.1, extensions: $0.2) }
    }

    @Test(arguments: [true, false])
    func textAndBinaryMessagesAreEchoed(compression: Bool) async throws {
        var options = WebSocketOptions()
        options.compression = compression
        let big = String(repeating: "compressible text ", count: 20_000)  // 360 KB, many frames
        let binary = ByteBuffer(bytes: (0..<100_000).map { UInt8(truncatingIfNeeded: $0 * 7) })
        let (received, _, extensions) = try await Self.exchange(
            AsyncClient(), try ws + "/echo", options: options,
            send: [.text("hello"), .binary(binary), .text(big), .text("héllo ✓")], receive: 4)
        #expect(received == [.text("hello"), .binary(binary), .text(big), .text("héllo ✓")])
        #expect(extensions == (compression ? ["permessage-deflate"] : []))
    }

    @Test func overTLS() async throws {
        let client = AsyncClient(.init(verify: try Interop.caBundle()))
        let (received, _, _) = try await Self.exchange(client, try wss + "/echo", send: [.text("secure")], receive: 1)
        #expect(received == [.text("secure")])
    }

    @Test func anUntrustedCertificateFailsTheHandshake() async throws {
        await expectHTTPXError(.connectError) {
            _ = try await Self.exchange(AsyncClient(), try wss + "/echo", send: [], receive: 1)
        }
    }

    @Test func theClientsHeadersCookiesAndSubprotocolsAreSent() async throws {
        let client = AsyncClient(.init(headers: ["X-Client": "one"], cookies: ["jar": "kept"]))
        var options = WebSocketOptions()
        options.subprotocols = ["chat.v2", "chat.v1"]
        let result = Mutex<(String, String?)>(("", nil))
        try await client.webSocket(try ws + "/headers", headers: ["X-Request": "two"], options: options) { ws in
            for try await message in ws.messages {
                if case .text(let text) = message { result.withLock { $0 = (text, ws.subprotocol) } }
                break
            }
        }
        let (text, subprotocol) = result.withLock { $0 }
        let headers = try JSONValue(parsing: Array(text.utf8))
        #expect(headers["X-Client"]?.stringValue == "one")
        #expect(headers["X-Request"]?.stringValue == "two")
        #expect(headers["Cookie"]?.stringValue == "jar=kept")
        #expect(headers["Sec-WebSocket-Protocol"]?.stringValue == "chat.v2, chat.v1")
        #expect(subprotocol == "chat.v2")
    }

    @Test func aCookieSetByTheHandshakeGoesToTheJar() async throws {
        let client = AsyncClient()
        _ = try await Self.exchange(client, try ws + "/setcookie", send: [.text("x")], receive: 1)
        #expect(client.cookies["ws-session"] == "abc")
        let (received, _, _) = try await Self.exchange(client, try ws + "/headers", send: [], receive: 1)
        guard case .text(let text) = received.first else { Issue.record("no headers came back"); return }
        #expect(try JSONValue(parsing: Array(text.utf8))["Cookie"]?.stringValue == "ws-session=abc")
    }

    @Test func aRefusedHandshakeIsAnErrorWithTheResponse() async throws {
        let error = await expectHTTPXError(.webSocketUpgrade) {
            _ = try await Self.exchange(AsyncClient(), try ws + "/auth", send: [], receive: 1)
        }
        #expect(error?.response?.statusCode == 401)
        #expect(error?.message.contains("401") == true)
        #expect(error?.is(.webSocket) == true)
    }

    @Test func authAnswersTheHandshakesChallenge() async throws {
        let client = AsyncClient(.init(auth: .basic("user", "pass")))
        let (received, _, _) = try await Self.exchange(client, try ws + "/auth", send: [.text("in")], receive: 1)
        #expect(received == [.text("in")])
    }

    @Test func theServersCloseCodeAndReasonAreReturned() async throws {
        let close = try await AsyncClient().webSocket(try ws + "/close") { ws in
            try await ws.send("bye?")
            for try await _ in ws.messages {}
        }
        #expect(close == WebSocketClose(code: WebSocketCloseCode(rawValue: 4001), reason: "bye"))
    }

    @Test func theClientsCloseCodeIsAnswered() async throws {
        let close = try await AsyncClient().webSocket(try ws + "/echo") { ws in
            try await ws.close(WebSocketCloseCode(rawValue: 4002), reason: "done")
            for try await _ in ws.messages {}
        }
        #expect(close?.code.rawValue == 4002)
    }

    @Test func aMessageOverTheLimitClosesWith1009() async throws {
        var options = WebSocketOptions()
        options.compression = false
        options.maxMessageSize = 1 << 20
        let error = await expectHTTPXError(.webSocket) {
            _ = try await Self.exchange(AsyncClient(), try ws + "/big", options: options, send: [], receive: 1)
        }
        #expect(error?.message.contains("1009") == true, "\(String(describing: error))")
        options.maxMessageSize = 4 << 20
        let (received, _, _) = try await Self.exchange(AsyncClient(), try ws + "/big", options: options, send: [], receive: 1)
        #expect(received.first == .text(String(repeating: "x", count: 2 << 20)))
    }

    /// This server pings every 0.2 s and closes a client that has not answered within 8 s
    /// (room for a loaded machine's stalls): a read outstanding for 12 s answers its pings.
    @Test func theServersPingsAreAnswered() async throws {
        let url = try Interop.url(Interop.webSocketPing, "WebSocket (strict pings)") + "/echo"
        let close = try await AsyncClient().webSocket(url) { ws in
            let reader = Task {
                var messages = ws.messages.makeAsyncIterator()
                return try await messages.next()
            }
            try await Task.sleep(for: .seconds(12))
            try await ws.ping([1, 2, 3])
            try await ws.send("still here")
            #expect(try await reader.value == .text("still here"))
        }
        #expect(close == nil || close?.code == .normalClosure)
    }

    @Test func closeCodesAndReasonsAreChecked() async throws {
        try await AsyncClient().webSocket(try ws + "/echo") { ws in
            await expectHTTPXError(.invalidArgument) { try await ws.close(WebSocketCloseCode(rawValue: 1005)) }
            await expectHTTPXError(.invalidArgument) { try await ws.close(WebSocketCloseCode(rawValue: 999)) }
            await expectHTTPXError(.invalidArgument) { try await ws.close(.normalClosure, reason: String(repeating: "r", count: 124)) }
            await expectHTTPXError(.invalidArgument) { try await ws.ping([UInt8](repeating: 0, count: 126)) }
        }
    }

    /// A client that does not read stops the server's sends: the socket is not read either.
    @Test func aSlowReaderHoldsTheServerBack() async throws {
        var options = WebSocketOptions()
        options.compression = false
        let client = AsyncClient()
        let base = try ws
        try await client.webSocket(base + "/flood", options: options) { socket in
            var messages = socket.messages.makeAsyncIterator()
            _ = try await messages.next()
            try await Task.sleep(for: .seconds(1))
            let (sent, _, _) = try await Self.exchange(client, base + "/flood-count", send: [], receive: 1)
            guard case .text(let count) = sent.first, let count = Int(count) else {
                Issue.record("no count came back")
                return
            }
            // Unbounded reading would take all 2,000 (125 MiB) in well under a second.
            #expect(count < 500, "the server got \(count) of 64 KiB out while nobody read")
            var read = 1
            while try await messages.next() != nil, read < count { read += 1 }
            #expect(read == count)
        }
    }

    @Test func throughAnHTTPProxyTunnel() async throws {
        let squid = try Interop.url(Interop.squid, "squid")
        let client = AsyncClient(.init(proxies: Proxies(Proxy(squid))))
        let (received, _, _) = try await Self.exchange(client, try ws + "/echo", send: [.text("tunnelled")], receive: 1)
        #expect(received == [.text("tunnelled")])
        let port = try HTTPURL(ws.replacingOccurrences(of: "ws://", with: "http://")).effectivePort ?? 0
        let log = try await Interop.log(Interop.squidLog, containing: "CONNECT 127.0.0.1:\(port)")
        #expect(log.contains("CONNECT 127.0.0.1:\(port)"))
    }
}
