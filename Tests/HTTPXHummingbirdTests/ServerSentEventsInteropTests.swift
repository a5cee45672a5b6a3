import HTTPX
import Hummingbird
import NIOCore
import Synchronization
import Testing

/// Server-sent events from a real Hummingbird server on loopback, through the network
/// transport: events arrive as they are written, the stream reconnects after the server's
/// `retry:` time with `Last-Event-ID`, and `204 No Content` ends it.
@Suite("Server-sent events over loopback", .timeLimit(.minutes(1)))
struct ServerSentEventsInteropTests {
    /// What the app saw of one request.
    struct Seen: Sendable, Equatable {
        let lastEventID: String?
        let accept: String?
    }

    /// The requests the app saw, in order, and when each came.
    final class Log: Sendable {
        private let entries = Mutex<[(seen: Seen, at: ContinuousClock.Instant)]>([])

        /// Records `seen`; returns how many requests came so far.
        func append(_ seen: Seen) -> Int {
            entries.withLock {
                $0.append((seen, .now))
                return $0.count
            }
        }

        var all: [Seen] { entries.withLock { $0.map(\.seen) } }
        var times: [ContinuousClock.Instant] { entries.withLock { $0.map(\.at) } }
    }

    /// `/events`: the first connection sends two events (the second only once the client has
    /// the first) and ends; the second sends back the `Last-Event-ID` it got as data; the
    /// third is told `204 No Content`.
    static func router(log: Log, firstDelivered: AsyncStream<Void>) -> Router<BasicRequestContext> {
        let router = Router()
        router.get("/events") { request, _ -> Hummingbird.Response in
            func header(_ name: String) -> String? {
                request.headers.first { $0.name.canonicalName == name }?.value
            }
            let lastEventID = header("last-event-id")
            switch log.append(Seen(lastEventID: lastEventID, accept: header("accept"))) {
            case 1:
                return Self.eventStream { writer in
                    try await writer.write(ByteBuffer(string: "retry: 50\n\nid: 1\nevent: greeting\ndata: hello\n\n"))
                    // Nothing more until the client has the first event: it must arrive as
                    // it is written, not when the body ends.
                    for await _ in firstDelivered { break }
                    try await writer.write(ByteBuffer(string: ": two lines\nid: 2\ndata: multi\r\ndata: line\r\n\r\n"))
                }
            case 2:
                return Self.eventStream { writer in
                    try await writer.write(ByteBuffer(string: "id: 3\ndata: resumed after \(lastEventID ?? "nothing")\n\n"))
                }
            default:
                return Hummingbird.Response(status: .noContent)
            }
        }
        return router
    }

    /// A `text/event-stream` response whose body `write` writes; the body ends when it returns.
    static func eventStream(
        _ write: @escaping @Sendable (inout any ResponseBodyWriter) async throws -> Void
    ) -> Hummingbird.Response {
        Hummingbird.Response(
            status: .ok, headers: [.contentType: "text/event-stream"],
            body: Hummingbird.ResponseBody { writer in
                try await write(&writer)
                try await writer.finish(nil)
            })
    }

    /// Runs the app on 127.0.0.1 on a free port, and `body` with the port.
    static func withServer(_ router: Router<BasicRequestContext>, _ body: (Int) async throws -> Void) async throws {
        let port = Mutex<Int?>(nil)
        let ready = AsyncStream<Void>.makeStream()
        let app = Application(
            router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in
                port.withLock { $0 = channel.localAddress?.port }
                ready.continuation.finish()
            })
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await app.runService(gracefulShutdownSignals: []) }
            for await _ in ready.stream {}
            let bound = try #require(port.withLock { $0 })
            do {
                try await body(bound)
            } catch {
                group.cancelAll()
                throw error
            }
            group.cancelAll()
        }
    }

    @Test func eventsStreamAndResumeOverARealSocket() async throws {
        let log = Log()
        let (firstDelivered, delivered) = AsyncStream<Void>.makeStream()
        try await Self.withServer(Self.router(log: log, firstDelivered: firstDelivered)) { port in
            let client = AsyncClient()  // the network transport
            // Only the server's `retry: 50` can make the reconnections quick: the stream's own
            // wait would be 30 s.
            let events = client.events(
                "http://127.0.0.1:\(port)/events", options: EventSourceOptions(reconnectDelay: .seconds(30)))
            let received = try await Self.within(.seconds(20)) {
                var collected: [ServerSentEvent] = []
                for try await event in events {
                    collected.append(event)
                    if collected.count == 1 { delivered.yield() }
                }
                return collected
            }
            await client.close()
            let got = try #require(received, "the stream did not end in time (were events held back?)")
            #expect(got == [
                ServerSentEvent(event: "greeting", data: "hello", id: "1"),
                ServerSentEvent(data: "multi\nline", id: "2"),
                ServerSentEvent(data: "resumed after 2", id: "3"),
            ])
        }
        #expect(log.all == [
            Seen(lastEventID: nil, accept: "text/event-stream"),
            Seen(lastEventID: "2", accept: "text/event-stream"),
            Seen(lastEventID: "3", accept: "text/event-stream"),
        ])
        let times = log.times
        try #require(times.count == 3)
        for (earlier, later) in zip(times, times.dropFirst()) {
            #expect(later - earlier < .seconds(15), "reconnected after the server's 50 ms, not 30 s: \(later - earlier)")
        }
    }

    /// What `body` returns, or `nil` after `limit` (it is then cancelled, and not waited for).
    /// When `body` ends first, the timer is cancelled rather than left sleeping.
    static func within<T: Sendable>(_ limit: Duration, _ body: @escaping @Sendable () async throws -> T) async throws -> T? {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T?, any Error>) in
            let once = ResumeOnce(continuation)
            let timer = Task { try await Task.sleep(for: limit) }
            let work = Task {
                defer { timer.cancel() }
                do {
                    once.resume(.success(try await body()))
                } catch {
                    once.resume(.failure(error))
                }
            }
            Task {
                // Only a timer that slept for the whole limit ends without throwing.
                guard (try? await timer.value) != nil else { return }
                once.resume(.success(nil))
                work.cancel()
            }
        }
    }

    /// Resumes a continuation once, whichever task gets there first.
    final class ResumeOnce<T: Sendable>: Sendable {
        private let continuation: Mutex<CheckedContinuation<T?, any Error>?>

        init(_ continuation: CheckedContinuation<T?, any Error>) {
            self.continuation = Mutex(continuation)
        }

        func resume(_ result: Result<T?, any Error>) {
            let taken = continuation.withLock { held -> CheckedContinuation<T?, any Error>? in
                defer { held = nil }
                return held
            }
            taken?.resume(with: result)
        }
    }
}
