import Crypto
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

/// The handshake and the frames on the wire, against a scripted server that speaks RFC 6455
/// by hand: what the client sends, and what it does with answers a real server would not give.
@Suite("WebSocket handshake and frames", .timeLimit(.minutes(1)))
struct WebSocketHandshakeTests {
    /// The `Sec-WebSocket-Accept` for a key (RFC 6455 §4.2.2).
    static func accept(_ key: String) -> String {
        let digest = Insecure.SHA1.hash(data: Array((key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").utf8))
        return Data(digest).base64EncodedString()
    }

    /// Answers the handshake with 101 (plus `extra` header lines).
    static func switchProtocols(_ connection: ServerConnection, extra: [String] = []) async throws -> ServerConnection.ReceivedRequest? {
        guard let request = try await connection.readRequest(readBody: false), let key = request.header("Sec-WebSocket-Key") else {
            return nil
        }
        var answer = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        answer += "Sec-WebSocket-Accept: \(accept(key))\r\n"
        for line in extra { answer += line + "\r\n" }
        try await connection.write(answer + "\r\n")
        return request
    }

    /// A frame from the server (unmasked), with a payload under 126 bytes.
    static func frame(_ opcode: UInt8, _ payload: [UInt8], fin: Bool = true) -> [UInt8] {
        [(fin ? 0x80 : 0) | opcode, UInt8(payload.count)] + payload
    }

    /// Reads one client frame (masked) and returns its opcode and unmasked payload.
    static func readFrame(_ connection: ServerConnection) async throws -> (opcode: UInt8, payload: [UInt8])? {
        guard let header = try await connection.readBytes(2) else { return nil }
        #expect(header[1] & 0x80 != 0, "client frames are masked")
        var length = Int(header[1] & 0x7F)
        if length == 126, let extended = try await connection.readBytes(2) { length = Int(extended[0]) << 8 | Int(extended[1]) }
        guard let mask = try await connection.readBytes(4), let payload = try await connection.readBytes(length) else { return nil }
        return (header[0] & 0x0F, payload.enumerated().map { $0.element ^ mask[$0.offset % 4] })
    }

    @Test func theHandshakeRequestIsRFC6455s() async throws {
        let seen = Mutex<ServerConnection.ReceivedRequest?>(nil)
        let server = try await ScriptedServer.start { connection in
            let request = try await Self.switchProtocols(connection)
            seen.withLock { $0 = request }
            try await connection.write(Self.frame(0x8, [0x03, 0xE8]))  // close 1000
            _ = try await Self.readFrame(connection)
        }
        defer { Task { await server.stop() } }
        let close = try await AsyncClient().webSocket(server.baseURL.replacingOccurrences(of: "http://", with: "ws://") + "/chat?room=1") { ws in
            for try await _ in ws.messages {}
        }
        #expect(close?.code == .normalClosure)
        let request = try #require(seen.withLock { $0 })
        #expect(request.requestLine == "GET /chat?room=1 HTTP/1.1")
        #expect(request.header("Upgrade")?.lowercased() == "websocket")
        #expect(request.header("Connection")?.lowercased().contains("upgrade") == true)
        #expect(request.header("Sec-WebSocket-Version") == "13")
        #expect(Data(base64Encoded: request.header("Sec-WebSocket-Key") ?? "")?.count == 16)
        #expect(request.header("Sec-WebSocket-Extensions")?.hasPrefix("permessage-deflate") == true)
        #expect(request.header("Host") == server.baseURL.replacingOccurrences(of: "http://", with: ""))
    }

    @Test func aWrongAcceptValueIsRefused() async throws {
        let server = try await ScriptedServer.start { connection in
            _ = try await connection.readRequest(readBody: false)
            try await connection.write(
                "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: bm90IHJpZ2h0\r\n\r\n")
            await connection.hang()
        }
        defer { Task { await server.stop() } }
        let error = await expectHTTPXError(.webSocketUpgrade) {
            try await AsyncClient().webSocket(server.baseURL + "/") { _ in Issue.record("the body must not run") }
        }
        #expect(error?.message.contains("not valid") == true)
    }

    @Test func aSubprotocolNotOfferedIsRefused() async throws {
        let server = try await ScriptedServer.start { connection in
            _ = try await Self.switchProtocols(connection, extra: ["Sec-WebSocket-Protocol: evil"])
            await connection.hang()
        }
        defer { Task { await server.stop() } }
        var options = WebSocketOptions()
        options.subprotocols = ["chat"]
        let error = await expectHTTPXError(.webSocketUpgrade) {
            try await AsyncClient().webSocket(server.baseURL + "/", options: options) { _ in Issue.record("the body must not run") }
        }
        #expect(error?.message.contains("'evil'") == true)
    }

    @Test func anExtensionNotOfferedIsRefused() async throws {
        let server = try await ScriptedServer.start { connection in
            _ = try await Self.switchProtocols(connection, extra: ["Sec-WebSocket-Extensions: permessage-deflate"])
            await connection.hang()
        }
        defer { Task { await server.stop() } }
        var options = WebSocketOptions()
        options.compression = false
        let error = await expectHTTPXError(.webSocketUpgrade) {
            try await AsyncClient().webSocket(server.baseURL + "/", options: options) { _ in Issue.record("the body must not run") }
        }
        #expect(error?.message.contains("'permessage-deflate'") == true, "\(String(describing: error))")
    }

    @Test func cancellingTheHandshakeIsACancellation() async throws {
        let server = try await ScriptedServer.start { connection in
            _ = try await connection.readRequest(readBody: false)
            await connection.hang()
        }
        defer { Task { await server.stop() } }
        let task = Task { try await AsyncClient().webSocket(server.baseURL + "/", timeout: Timeout(30)) { _ in } }
        try await Task.sleep(for: .milliseconds(300))
        task.cancel()
        await #expect(throws: CancellationError.self) { try await task.value }
    }

    @Test func aRefusalsBodyIsBounded() async throws {
        let server = try await ScriptedServer.start { connection in
            _ = try await connection.readRequest(readBody: false)
            try await connection.write("HTTP/1.1 403 Forbidden\r\nContent-Length: 10000000\r\n\r\n")
            try await connection.write([UInt8](repeating: 0x61, count: 1 << 20))
            await connection.hang()
        }
        defer { Task { await server.stop() } }
        var options = WebSocketOptions()
        options.maxRefusalBodySize = 1000
        let error = await expectHTTPXError(.webSocketUpgrade) {
            try await AsyncClient().webSocket(server.baseURL + "/", options: options) { _ in }
        }
        #expect(error?.response?.statusCode == 403)
        #expect(try error?.response?.content.count == 1000)
    }

    @Test func aServerThatClosesBeforeAnsweringIsAnError() async throws {
        let server = try await ScriptedServer.start { connection in
            _ = try await connection.readRequest(readBody: false)
        }
        defer { Task { await server.stop() } }
        await expectHTTPXError(.remoteProtocol) { try await AsyncClient().webSocket(server.baseURL + "/") { _ in } }
    }

    @Test func theReadTimeoutBoundsTheHandshake() async throws {
        let server = try await ScriptedServer.start { connection in
            _ = try await connection.readRequest(readBody: false)
            await connection.hang()
        }
        defer { Task { await server.stop() } }
        let error = await expectHTTPXError(.readTimeout) {
            try await AsyncClient().webSocket(server.baseURL + "/", timeout: Timeout(30, read: 0.3)) { _ in }
        }
        #expect(error?.message.contains("WebSocket handshake") == true)
    }

    @Test func fragmentsAreJoinedAndPingsAnswered() async throws {
        let pong = Mutex<[UInt8]?>(nil)
        let server = try await ScriptedServer.start { connection in
            _ = try await Self.switchProtocols(connection)
            try await connection.write(Self.frame(0x1, Array("hel".utf8), fin: false))
            try await connection.write(Self.frame(0x9, [7, 7]))  // a ping between fragments
            try await connection.write(Self.frame(0x0, Array("lo".utf8)))
            while let (opcode, payload) = try await Self.readFrame(connection) {
                if opcode == 0xA { pong.withLock { $0 = payload } }
                if opcode == 0x8 {
                    try await connection.write(Self.frame(0x8, Array(payload.prefix(2))))
                    return
                }
            }
        }
        defer { Task { await server.stop() } }
        let received = Mutex<[WebSocket.Message]>([])
        var options = WebSocketOptions()
        options.compression = false
        try await AsyncClient().webSocket(server.baseURL + "/", options: options) { ws in
            for try await message in ws.messages {
                received.withLock { $0.append(message) }
                break
            }
        }
        #expect(received.withLock { $0 } == [.text("hello")])
        #expect(pong.withLock { $0 } == [7, 7])
    }

    @Test func textThatIsNotUTF8ClosesWith1007() async throws {
        let closeCode = Mutex<[UInt8]>([])
        let server = try await ScriptedServer.start { connection in
            _ = try await Self.switchProtocols(connection)
            try await connection.write(Self.frame(0x1, [0xC3, 0x28]))
            while let (opcode, payload) = try await Self.readFrame(connection) {
                guard opcode == 0x8 else { continue }
                closeCode.withLock { $0 = Array(payload.prefix(2)) }
                try await connection.write(Self.frame(0x8, Array(payload.prefix(2))))
                return
            }
        }
        defer { Task { await server.stop() } }
        var options = WebSocketOptions()
        options.compression = false
        let error = await expectHTTPXError(.webSocket) {
            try await AsyncClient().webSocket(server.baseURL + "/", options: options) { ws in
                for try await _ in ws.messages {}
            }
        }
        #expect(error?.message.contains("1007") == true, "\(String(describing: error))")
        #expect(closeCode.withLock { $0 } == [0x03, 0xEF])
    }

    @Test func pingsAreSentAndASilentServerIsClosed() async throws {
        let pings = Atomic<Int>(0)
        let server = try await ScriptedServer.start { connection in
            _ = try await Self.switchProtocols(connection)
            while let (opcode, _) = try await Self.readFrame(connection) {
                if opcode == 0x9 { pings.add(1, ordering: .relaxed) }  // never answered
            }
        }
        defer { Task { await server.stop() } }
        var options = WebSocketOptions()
        options.pingInterval = .milliseconds(200)
        options.compression = false
        options.closeTimeout = .milliseconds(500)
        let started = ContinuousClock.now
        _ = try? await AsyncClient().webSocket(server.baseURL + "/", options: options) { ws in
            for try await _ in ws.messages {}
        }
        #expect(pings.load(ordering: .relaxed) >= 1)
        #expect(ContinuousClock.now - started < .seconds(20), "closed for want of a pong")
    }
}
