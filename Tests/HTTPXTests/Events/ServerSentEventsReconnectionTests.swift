import Synchronization
import Testing

@testable import HTTPX

/// Reconnection: which ends count toward giving up, the waits, `Last-Event-ID`, and
/// connections that end or break on real sockets.
extension ServerSentEventsTests {
    // MARK: Counting failures

    @Test func aQuietStreamWhoseConnectionsEndCleanlyKeepsReconnecting() async throws {
        let recorder = Recorder()
        let count = Counter()
        let client = mockClient(recorder: recorder) { _ in
            count.increment()
            // Eight connections with only a keep-alive comment each, far more than
            // maxReconnects; then the server says the stream is over.
            return count.value <= 8 ? Support.eventStream([": keep-alive\n\n"]) : Response(204)
        }
        // A backoff would wait 0.2 s, 0.4 s, ... 25.6 s: 51 s in all; the plain wait, 1.6 s.
        let options = EventSourceOptions(reconnectDelay: .milliseconds(200), maxReconnectDelay: .seconds(60), maxReconnects: 1)
        let started = ContinuousClock.now
        #expect(try await Support.collect(client.events("http://h/", options: options)).isEmpty)
        let took = ContinuousClock.now - started
        #expect(recorder.requests.count == 9, "a healthy but quiet stream does not give up")
        #expect(took < .seconds(20), "clean ends reconnect after the plain wait, without backoff: took \(took)")
    }

    @Test func connectionsThatDeliverNothingCountAsFailures() async throws {
        let recorder = Recorder()
        // Accepted, then ended at once without a byte, again and again.
        let client = mockClient(recorder: recorder) { _ in Support.eventStream([]) }
        var options = Self.quick
        options.maxReconnects = 3
        #expect(try await Support.collect(client.events("http://h/", options: options)).isEmpty)
        #expect(recorder.requests.count == 4, "the first connection and 3 reconnections, then it gives up")
    }

    @Test func aCleanEndAfterBytesStartsTheCountOfFailuresAgain() async throws {
        let recorder = Recorder()
        let count = Counter()
        let client = mockClient(recorder: recorder) { _ in
            count.increment()
            switch count.value {
            case 1, 3: throw HTTPXError(.readError, "Connection reset by peer")
            case 2, 4: return Support.eventStream([": still here\n\n"])
            default: return Response(204)
            }
        }
        var options = Self.quick
        options.maxReconnects = 1
        #expect(try await Support.collect(client.events("http://h/", options: options)).isEmpty)
        #expect(recorder.requests.count == 5, "no two failures in a row, so it never gave up")
    }

    @Test func networkErrorsAreReconnectedThenThrown() async throws {
        let recorder = Recorder()
        let client = mockClient(recorder: recorder) { _ in throw HTTPXError(.connectError, "Connection refused") }
        var options = Self.quick
        options.maxReconnects = 2
        let error = await expectHTTPXError(.connectError) {
            _ = try await Support.collect(client.events("http://h/", options: options))
        }
        #expect(error?.message.contains("gave up after 3 failed connection(s) in a row") == true, "\(error?.message ?? "")")
        #expect(recorder.requests.count == 3, "the first connection and 2 reconnections")
    }

    @Test func neverReconnectsWithZeroMaxReconnects() async throws {
        let recorder = Recorder()
        let client = mockClient(recorder: recorder) { _ in Support.eventStream(["data: a\n\n"]) }
        let events = try await Support.collect(client.events("http://h/", options: EventSourceOptions(maxReconnects: 0)))
        #expect(events.map(\.data) == ["a"])
        #expect(recorder.requests.count == 1)
    }

    @Test func anEventResetsTheCountOfReconnections() async throws {
        let count = Counter()
        let client = mockClient { _ in
            count.increment()
            return Support.eventStream(["data: \(count.value)\n\n"])
        }
        var options = Self.quick
        options.maxReconnects = 1
        let events = try await Support.collect(client.events("http://h/", options: options), limit: 5)
        #expect(events.map(\.data) == ["1", "2", "3", "4", "5"], "each connection brought an event, so none gave up")
    }

    @Test func theDelayDoublesAfterConnectionsWithoutEventsUpToTheCap() {
        let options = EventSourceOptions(reconnectDelay: .milliseconds(100), maxReconnectDelay: .milliseconds(300))
        let delays = (1...4).map { options.delay(beforeAttempt: $0, serverTime: nil) }
        #expect(delays == [.milliseconds(100), .milliseconds(200), .milliseconds(300), .milliseconds(300)])
        #expect(options.delay(beforeAttempt: 1, serverTime: .milliseconds(50)) == .milliseconds(50))
        #expect(options.delay(beforeAttempt: 1, serverTime: .seconds(3600)) == .milliseconds(300), "capped")
        let unbounded = EventSourceOptions(maxReconnectDelay: .seconds(Int64.max))
        #expect(unbounded.delay(beforeAttempt: 500, serverTime: nil) == .seconds(Int64.max), "no overflow")
    }

    @Test func reconnectsWithLastEventIDAfterTheServersRetryTime() async throws {
        let log = Mutex<[(lastEventID: String?, at: ContinuousClock.Instant)]>([])
        let firstAnswered = Mutex<ContinuousClock.Instant?>(nil)
        let server = try await ScriptedServer.start { connection in
            try await connection.serve { request in
                let index = log.withLock {
                    $0.append((request.header("Last-Event-ID"), .now))
                    return $0.count
                }
                let stream = ["Content-Type: text/event-stream"]
                switch index {
                case 1:
                    // Stamped before writing: the client cannot start waiting before it.
                    firstAnswered.withLock { $0 = .now }
                    try await connection.respond(headers: stream, body: "retry: 50\nid: 1\ndata: a\n\nid: 2\ndata: b\n\n")
                case 2:
                    try await connection.respond(headers: stream, body: "id: 3\ndata: c\n\n")
                default:
                    try await connection.respond(status: "204 No Content")
                }
            }
        }
        defer { Task { await server.stop() } }
        let client = AsyncClient(.init(baseURL: server.baseURL))
        // A default wait of 60 s: only the server's retry can make the reconnection quick.
        let events = try await Support.collect(
            client.events("/events", options: EventSourceOptions(reconnectDelay: .seconds(60))), timeout: .seconds(40))
        await client.close()
        #expect(events.map(\.data) == ["a", "b", "c"])
        #expect(events.map(\.id) == ["1", "2", "3"])
        let requests = log.withLock { $0 }
        try #require(requests.count == 3)
        #expect(requests.map(\.lastEventID) == [nil, "2", "3"])
        let answered = try #require(firstAnswered.withLock { $0 })
        let waited = requests[1].at - answered
        #expect(waited >= .milliseconds(50), "waited \(waited)")
        #expect(waited < .seconds(20), "the server's 50 ms, not the 60 s default: waited \(waited)")
    }

    @Test func aConnectionDroppedMidStreamIsReconnected() async throws {
        let lastEventIDs = Mutex<[String?]>([])
        let server = try await ScriptedServer.start { connection in
            guard let request = try await connection.readRequest() else { return }
            let index = lastEventIDs.withLock {
                $0.append(request.header("Last-Event-ID"))
                return $0.count
            }
            if index == 1 {
                // A body announced as 1000 bytes, cut after one event: the connection closes.
                try await connection.write(
                    "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nContent-Length: 1000\r\n\r\nid: 1\ndata: a\n\n")
                return
            }
            try await connection.respond(status: "204 No Content")
        }
        defer { Task { await server.stop() } }
        let client = AsyncClient(.init(baseURL: server.baseURL))
        let events = try await Support.collect(client.events("/events", options: Self.quick))
        await client.close()
        #expect(events.map(\.data) == ["a"])
        #expect(lastEventIDs.withLock { $0 } == [nil, "1"])
    }

    @Test func aReadTimeoutOfTheCallersIsReconnected() async throws {
        let lastEventIDs = Mutex<[String?]>([])
        let server = try await ScriptedServer.start { connection in
            try await connection.serve { request in
                let index = lastEventIDs.withLock {
                    $0.append(request.header("Last-Event-ID"))
                    return $0.count
                }
                switch index {
                case 1:
                    // One event, then silence past the read timeout, until the client gives up
                    // on the connection and closes it.
                    try await connection.write(Support.chunkedHead + Support.chunk("id: 1\ndata: a\n\n"))
                    _ = try? await connection.drain()
                case 2:
                    try await connection.respond(headers: ["Content-Type: text/event-stream"], body: "id: 2\ndata: b\n\n")
                default:
                    try await connection.respond(status: "204 No Content")
                }
            }
        }
        defer { Task { await server.stop() } }
        let client = AsyncClient(.init(baseURL: server.baseURL))
        // A read timeout long enough for a loaded machine to deliver the first event in time.
        let events = client.events("/events", timeout: Timeout(30, read: 4), options: Self.quick)
        let got = try await Support.collect(events, timeout: .seconds(30))
        await client.close()
        #expect(got.map(\.data) == ["a", "b"])
        #expect(lastEventIDs.withLock { $0 } == [nil, "1", "2"], "reconnected after the read timeout, then after the clean end")
    }
}
