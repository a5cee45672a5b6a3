// Server-sent events, as the README shows them, from an in-process app that drops the stream
// once on purpose: `swift run httpx-events-example`. Exits with 1 if a step does not behave.
import HTTPX

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `/ticks`: the first connection sends two events and ends (a dropped stream); the
/// reconnection resumes after the `Last-Event-ID` it gets; the next one is told to stop (204).
actor TickServer {
    private(set) var lastEventIDs: [String?] = []

    func answer(_ request: Request) -> Response {
        let lastEventID = request.headers["Last-Event-ID"]
        lastEventIDs.append(lastEventID)
        switch lastEventID {
        case nil:
            return stream([
                "retry: 100\n\n",  // reconnect after 100 ms
                ": a comment, ignored\n",
                "id: 1\nevent: tick\ndata: {\"n\": 1}\n\n",
                "id: 2\nevent: tick\ndata: {\"n\": 2}\n\n",
            ])
        case "2"?:
            return stream(["id: 3\nevent: tick\ndata: {\"n\": 3}\n\n", "id: 4\ndata: done\n\n"])
        default:
            return Response(204)
        }
    }

    /// A response streaming `chunks` as `text/event-stream`, one chunk at a time.
    private func stream(_ chunks: [String]) -> Response {
        let (bytes, continuation) = AsyncStream<[UInt8]>.makeStream()
        for chunk in chunks { continuation.yield(Array(chunk.utf8)) }
        continuation.finish()
        return Response(200, headers: ["Content-Type": "text/event-stream"], body: ResponseBody(stream: ByteStream(bytes: bytes)))
    }
}

struct Tick: Decodable {
    let n: Int
}

/// Prints the outcome of a step; returns 1 when it failed.
func check(_ ok: Bool, _ what: String) -> Int {
    print((ok ? "ok: " : "FAILED: ") + what)
    return ok ? 0 : 1
}

let server = TickServer()
let client = AsyncClient(.init(
    baseURL: "http://ticks.example", transport: AppTransport { request in await server.answer(request) }))

// The whole run is bounded: a stream that never ends fails the example instead of hanging it.
let watchdog = Task {
    try await Task.sleep(for: .seconds(20))
    print("FAILED: the event stream did not end within 20 s")
    exit(1)
}

/// Reads the stream to its end and checks what came; returns how many checks failed.
func run(_ client: AsyncClient, against server: TickServer) async -> Int {
    var ticks: [Int] = []
    var received: [String] = []
    var failed = 0
    do {
        for try await event in client.events("/ticks") {
            print("  event \(event.event) id=\(event.id): \(event.data)")
            received.append(event.id)
            if event.event == "tick" { ticks.append(try event.json(as: Tick.self).n) }
        }
        failed += check(ticks == [1, 2, 3], "three ticks decoded as JSON: \(ticks)")
        failed += check(received == ["1", "2", "3", "4"], "event IDs in order across the reconnection: \(received)")
        let sent = await server.lastEventIDs
        failed += check(sent == [nil, "2", "4"], "reconnections sent Last-Event-ID: \(sent.map { $0 ?? "none" })")
    } catch {
        failed += check(false, "the stream failed: \(error)")
    }
    return failed
}

let failures = await run(client, against: server)
watchdog.cancel()
await client.close()
exit(failures == 0 ? 0 : 1)
