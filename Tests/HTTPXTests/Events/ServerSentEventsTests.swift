import NIOCore
import Synchronization
import Testing

@testable import HTTPX

/// `client.events(...)`: the request it sends, the answers it refuses, reconnection and
/// cancellation, against mock transports and scripted servers on loopback.
@Suite("Server-sent events", .timeLimit(.minutes(1)))
struct ServerSentEventsTests {
    typealias Support = EventTestSupport

    /// Options that reconnect at once (a millisecond's wait).
    static let quick = EventSourceOptions(reconnectDelay: .milliseconds(1), maxReconnectDelay: .milliseconds(2))

    // MARK: The request

    @Test func eventsArriveAndReconnectionsSendTheLastEventID() async throws {
        let recorder = Recorder()
        let count = Counter()
        let client = AsyncClient(.init(timeout: Timeout(7), transport: MockTransport { request in
            recorder.record(request)
            count.increment()
            if count.value == 1 {
                return Support.eventStream(["retry: 1\n\n", "id: 1\ndata: a\n\n", "event: add\ndata: b\n", "\n"])
            }
            return Response(204)
        }))
        let events = try await Support.collect(client.events("http://h/stream", params: ["q": "1"], headers: ["X-Test": "yes"]))
        #expect(events == [ServerSentEvent(data: "a", id: "1"), ServerSentEvent(event: "add", data: "b", id: "1")])
        let sent = recorder.requests
        try #require(sent.count == 2, "one reconnection after the stream ended, then 204 stops it")
        #expect(sent.map(\.method) == [.get, .get])
        #expect(sent[0].url.description == "http://h/stream?q=1")
        #expect(sent[0].headers["Accept"] == "text/event-stream")
        #expect(sent[0].headers["Cache-Control"] == "no-store")
        #expect(sent[0].headers["X-Test"] == "yes")
        #expect(sent[0].headers["Last-Event-ID"] == nil)
        #expect(sent[1].headers["Last-Event-ID"] == "1")
        #expect(sent[0].extensions.timeout.read == nil, "an event stream may stay quiet")
        #expect(sent[0].extensions.timeout.connect == Timeout(7).connect)
    }

    @Test func headersAndATimeoutOfTheCallersWin() async throws {
        let recorder = Recorder()
        let client = mockClient(recorder: recorder) { _ in Response(204) }
        let events = client.events(
            "http://h/", headers: ["Accept": "text/event-stream, */*;q=0.1", "Cache-Control": "max-age=0"],
            timeout: Timeout(2), options: EventSourceOptions(lastEventID: "41"))
        #expect(try await Support.collect(events).isEmpty)
        let sent = try #require(recorder.last)
        #expect(sent.headers["Accept"] == "text/event-stream, */*;q=0.1")
        #expect(sent.headers["Cache-Control"] == "max-age=0")
        #expect(sent.headers["Last-Event-ID"] == "41", "a saved ID is sent with the first request")
        #expect(sent.extensions.timeout == Timeout(2))
    }

    @Test func aBodyIsSentAgainWithEachReconnection() async throws {
        let recorder = Recorder()
        let count = Counter()
        let client = mockClient(recorder: recorder) { _ in
            count.increment()
            return count.value == 1 ? Support.eventStream(["data: a\n\n"]) : Response(204)
        }
        let events = client.events("http://h/complete", method: .post, json: ["q": 1] as JSONValue, options: Self.quick)
        #expect(try await Support.collect(events).map(\.data) == ["a"])
        #expect(recorder.requests.map(\.method) == [.post, .post])
        #expect(recorder.requests.map(\.contentText) == [#"{"q":1}"#, #"{"q":1}"#])
    }

    // MARK: Answers that are refused

    @Test func aResponseThatIsNotAnEventStreamFails() async throws {
        let recorder = Recorder()
        let closed = Counter()
        let client = mockClient(recorder: recorder) { _ in
            Support.eventStream(["<html>"], contentType: "text/html; charset=utf-8", closed: closed)
        }
        let error = await expectHTTPXError(.decoding) {
            _ = try await Support.collect(client.events("http://user:secret@h/stream", options: Self.quick))
        }
        let message = error?.message ?? ""
        #expect(message.contains("'text/html; charset=utf-8'"), "\(message)")
        #expect(message.contains("h/stream"))
        #expect(!message.contains("secret"), "credentials stay out of errors")
        #expect(error?.request?.url.path == "/stream")
        #expect(recorder.requests.count == 1, "not reconnected")
        #expect(closed.value == 1, "the response is closed")
    }

    @Test func aMissingContentTypeFails() async throws {
        let client = mockClient { _ in Response(200, body: ResponseBody(stream: Chunks(["data: a\n\n"]))) }
        let error = await expectHTTPXError(.decoding) { _ = try await Support.collect(client.events("http://h/")) }
        #expect(error?.message.contains("no Content-Type") == true)
    }

    @Test(arguments: [404, 503])
    func aStatusOtherThan2xxFailsAsRaiseForStatus(status: Int) async throws {
        let recorder = Recorder()
        let client = mockClient(recorder: recorder) { _ in Response(status, text: "no stream here") }
        let error = await expectHTTPXError(.httpStatus) {
            _ = try await Support.collect(client.events("http://h/stream", options: Self.quick))
        }
        #expect(error?.message.contains("'\(status) ") == true, "\(error?.message ?? "")")
        #expect(error?.response?.statusCode == status)
        #expect(try error?.response?.text == "no stream here", "a small error body is kept")
        #expect(recorder.requests.count == 1, "not reconnected")
    }

    @Test func noContentStopsTheStream() async throws {
        let recorder = Recorder()
        let client = mockClient(recorder: recorder) { _ in Response(204) }
        #expect(try await Support.collect(client.events("http://h/", options: Self.quick)).isEmpty)
        #expect(recorder.requests.count == 1)
    }

    @Test func anOversizedEventFailsAfterTheEventsBeforeIt() async throws {
        let recorder = Recorder()
        let closed = Counter()
        let client = mockClient(recorder: recorder) { _ in
            Support.eventStream(["data: a\n\ndata: ", String(repeating: "x", count: 2000)], closed: closed)
        }
        var got: [String] = []
        let error = await expectHTTPXError(.decoding) {
            for try await event in client.events("http://h/big", options: EventSourceOptions(maxEventSize: 1024)) {
                got.append(event.data)
            }
        }
        #expect(got == ["a"])
        #expect(error?.message.contains("http://h/big") == true)
        #expect(error?.message.contains("1024") == true)
        #expect(recorder.requests.count == 1, "not reconnected")
        #expect(closed.value == 1, "the response is closed")
    }

    @Test func contentTypesThatAreEventStreams() {
        #expect(EventSourceConnector.isEventStream("text/event-stream"))
        #expect(EventSourceConnector.isEventStream("Text/Event-Stream ; charset=utf-8"))
        #expect(!EventSourceConnector.isEventStream("text/event-streams"))
        #expect(!EventSourceConnector.isEventStream("application/json"))
        #expect(!EventSourceConnector.isEventStream(""))
    }

    // MARK: Reconnection

    @Test func reconnectingGivesUpAfterMaxReconnectsWithoutAnEvent() async throws {
        let recorder = Recorder()
        let client = mockClient(recorder: recorder) { _ in Support.eventStream([": nothing to say\n\n"]) }
        var options = Self.quick
        options.maxReconnects = 3
        #expect(try await Support.collect(client.events("http://h/", options: options)).isEmpty)
        #expect(recorder.requests.count == 4, "the first connection and 3 reconnections")
    }

    @Test func networkErrorsAreReconnectedThenThrown() async throws {
        let recorder = Recorder()
        let client = mockClient(recorder: recorder) { _ in throw HTTPXError(.connectError, "Connection refused") }
        var options = Self.quick
        options.maxReconnects = 2
        let error = await expectHTTPXError(.connectError) {
            _ = try await Support.collect(client.events("http://h/", options: options))
        }
        #expect(error?.message.contains("gave up after 2 reconnection attempt(s)") == true, "\(error?.message ?? "")")
        #expect(recorder.requests.count == 3)
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
        let events = try await Support.collect(client.events("/events"))
        await client.close()
        #expect(events.map(\.data) == ["a", "b", "c"])
        #expect(events.map(\.id) == ["1", "2", "3"])
        let requests = log.withLock { $0 }
        try #require(requests.count == 3)
        #expect(requests.map(\.lastEventID) == [nil, "2", "3"])
        let answered = try #require(firstAnswered.withLock { $0 })
        let waited = requests[1].at - answered
        #expect(waited >= .milliseconds(50), "waited \(waited)")
        #expect(waited < .seconds(2), "the server's 50 ms, not the default 3 s: waited \(waited)")
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

    // MARK: Cancellation

    @Test func cancellingTheReaderClosesTheConnection() async throws {
        let (closedSignal, closed) = AsyncStream<Void>.makeStream()
        let server = try await ScriptedServer.start { connection in
            guard try await connection.readRequest() != nil else { return }
            try await connection.write(Support.chunkedHead + Support.chunk("data: first\n\n"))
            _ = try? await connection.drain()  // until the client closes the connection
            closed.yield()
        }
        defer { Task { await server.stop() } }
        let client = AsyncClient(.init(baseURL: server.baseURL))
        let (firstSignal, first) = AsyncStream<Void>.makeStream()
        let reader = Task {
            for try await _ in client.events("/events") { first.yield() }
        }
        let gotFirst = try await Support.within(.seconds(10)) {
            for await _ in firstSignal { return true }
            return false
        }
        #expect(gotFirst == true)
        reader.cancel()
        let stopped = try await Support.within(.seconds(5)) { await reader.result }
        #expect(stopped != nil, "cancelling stops the stream at once")
        if case .success? = stopped { Issue.record("a cancelled stream throws CancellationError") }
        let connectionClosed = try await Support.within(.seconds(5)) {
            for await _ in closedSignal { return true }
            return false
        }
        #expect(connectionClosed == true, "the response's connection is closed")
        await client.close()
    }

    @Test func cancellingDuringTheWaitToReconnectStopsIt() async throws {
        let recorder = Recorder()
        let client = mockClient(recorder: recorder) { _ in Support.eventStream(["data: a\n\n"]) }
        let (firstSignal, first) = AsyncStream<Void>.makeStream()
        let reader = Task {
            // Reconnecting waits 30 s: only cancellation can end the wait in time.
            let options = EventSourceOptions(reconnectDelay: .seconds(30))
            for try await _ in client.events("http://h/", options: options) { first.yield() }
        }
        _ = try await Support.within(.seconds(10)) {
            for await _ in firstSignal { return true }
            return false
        }
        try await Task.sleep(for: .milliseconds(20))
        reader.cancel()
        let stopped = try await Support.within(.seconds(5)) { await reader.result }
        #expect(stopped != nil, "the wait ends at once")
        #expect(recorder.requests.count == 1)
    }
}
