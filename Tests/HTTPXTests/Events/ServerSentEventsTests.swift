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
        #expect(sent[0].headers["Cache-Control"] == "no-cache", "as a browser's EventSource: a cache must ask the server")
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

    @Test func aLastEventIDTooLongOrInvalidForAHeaderIsKeptButNotSent() async throws {
        let recorder = Recorder()
        let count = Counter()
        let long = String(repeating: "x", count: 1025)
        let longest = String(repeating: "y", count: 1024)
        let client = mockClient(recorder: recorder) { _ in
            count.increment()
            switch count.value {
            case 1: return Support.eventStream(["id: \(long)\ndata: a\n\n"])
            case 2: return Support.eventStream(["id: \(longest)\ndata: b\n\n"])
            default: return Response(204)
            }
        }
        let events = try await Support.collect(client.events("http://h/", options: Self.quick))
        #expect(events.map(\.id) == [long, longest], "the parser keeps the ID, as the standard says")
        #expect(recorder.requests.map { $0.headers["Last-Event-ID"] } == [nil, nil, longest], "1025 bytes are not sent; 1024 are")
        #expect(!EventSourceConnector.shouldSend(lastEventID: ""))
        #expect(!EventSourceConnector.shouldSend(lastEventID: "a\r\nX-Injected: 1"))
        #expect(!EventSourceConnector.shouldSend(lastEventID: "a\u{0}b"))
        #expect(EventSourceConnector.shouldSend(lastEventID: "a b\u{E9}"))
    }

    @Test func aSavedLastEventIDTooLongIsNotSent() async throws {
        let recorder = Recorder()
        let client = mockClient(recorder: recorder) { _ in Response(204) }
        let saved = String(repeating: "7", count: 4096)
        #expect(try await Support.collect(client.events("http://h/", options: EventSourceOptions(lastEventID: saved))).isEmpty)
        #expect(recorder.requests.count == 1)
        #expect(recorder.last?.headers["Last-Event-ID"] == nil)
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

    @Test func anErrorBodyThatStallsFailsWithinTheReadTimeout() async throws {
        let server = try await ScriptedServer.start { connection in
            guard try await connection.readRequest() != nil else { return }
            // 100 bytes announced, 9 sent, then nothing until the client closes the connection.
            try await connection.write("HTTP/1.1 503 Service Unavailable\r\nContent-Length: 100\r\n\r\nonly part")
            _ = try? await connection.drain()
        }
        defer { Task { await server.stop() } }
        // The stream's own request reads without a timeout; its error body, under the client's.
        let client = AsyncClient(.init(baseURL: server.baseURL, timeout: Timeout(5, read: 0.5)))
        let started = ContinuousClock.now
        let error = await expectHTTPXError(.httpStatus) {
            _ = try await Support.collect(client.events("/events", options: Self.quick), timeout: .seconds(30))
        }
        let took = ContinuousClock.now - started
        await client.close()
        #expect(error?.response?.statusCode == 503)
        #expect(took < .seconds(20), "the stalled body was given up after the read timeout: took \(took)")
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

    @Test func leavingTheLoopEarlyClosesTheConnection() async throws {
        let (closedSignal, closed) = AsyncStream<Void>.makeStream()
        let server = try await ScriptedServer.start { connection in
            guard try await connection.readRequest() != nil else { return }
            try await connection.write(Support.chunkedHead + Support.chunk("data: first\n\n") + Support.chunk("data: second\n\n"))
            _ = try? await connection.drain()  // until the client closes the connection
            closed.yield()
        }
        defer { Task { await server.stop() } }
        let client = AsyncClient(.init(baseURL: server.baseURL))
        let first = try await Support.within(.seconds(10)) { () -> String? in
            for try await event in client.events("/events") { return event.data }  // leaves at once
            return nil
        }
        #expect((first ?? nil) == "first")
        let connectionClosed = try await Support.within(.seconds(5)) {
            for await _ in closedSignal { return true }
            return false
        }
        #expect(connectionClosed == true, "the iterator let go closes the response's connection")
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
