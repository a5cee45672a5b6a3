// A WebSocket chat with an echo server, as the README's WebSockets section shows it:
// `swift run httpx-websocket-example ws://127.0.0.1:8765/echo` (the test command runs it against
// its Python websockets peer). Exits with 1 if a step does not behave.
import HTTPX
import HTTPXWebSocket
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

let url = CommandLine.arguments.dropFirst().first ?? "ws://127.0.0.1:8765/echo"
let failures = Atomic<Int>(0)

/// Prints the outcome of a step and counts a failure.
@Sendable func check(_ ok: Bool, _ what: String) {
    print((ok ? "ok: " : "FAILED: ") + what)
    if !ok { failures.add(1, ordering: .relaxed) }
}

do {
    let client = AsyncClient(.init(headers: ["User-Agent": "httpx-websocket-example"], timeout: Timeout(10)))
    var options = WebSocketOptions()
    options.pingInterval = .seconds(15)  // keep the connection alive through idle proxies
    let close = try await client.webSocket(url, options: options) { ws in
        print("connected; extensions: \(ws.negotiatedExtensions)")
        try await ws.send("hello")
        try await ws.send(binary: [1, 2, 3])
        var echoed: [WebSocket.Message] = []
        for try await message in ws.messages {
            echoed.append(message)
            if echoed.count == 2 { break }
        }
        check(echoed.first == .text("hello"), "a text message comes back")
        if case .binary(let bytes)? = echoed.last {
            check(Array(bytes.readableBytesView) == [1, 2, 3], "a binary message comes back")
        } else {
            check(false, "a binary message comes back")
        }
        try await ws.close(.normalClosure, reason: "done")
        for try await _ in ws.messages {}  // until the server answers the close
    }
    check(close?.code == .normalClosure, "the server answered the close with 1000 (got \(close.map { "\($0.code)" } ?? "none"))")
    await client.close()
} catch {
    check(false, "the WebSocket failed: \(error)")
}
exit(failures.load(ordering: .relaxed) == 0 ? 0 : 1)
