import NIOCore
import Testing

@testable import HTTPX

/// `Client.events(...)`: the blocking client reads the same streams, off the cooperative pool.
@Suite("Blocking server-sent events", .timeLimit(.minutes(1)))
struct BlockingServerSentEventsTests {
    typealias Support = EventTestSupport

    @Test func eventsAreReadOneByOneAndReconnected() async throws {
        let recorder = Recorder()
        let count = Counter()
        let transport = MockTransport { request in
            recorder.record(request)
            count.increment()
            return count.value == 1 ? Support.eventStream(["id: 1\ndata: a\n\n", "data: b\n\n"]) : Response(204)
        }
        let seen = try await Support.within(.seconds(20)) {
            try await onPlainThread { () -> [String] in
                let client = Client(.init(transport: transport))
                defer { client.close() }
                let events = client.events(
                    "http://h/stream", headers: ["X-Test": "1"],
                    options: EventSourceOptions(reconnectDelay: .milliseconds(1)))
                defer { events.close() }
                var seen: [String] = []
                while let event = try events.next() { seen.append("\(event.id):\(event.data)") }
                let after = try events.next()
                return seen + [after == nil ? "ended" : "more"]
            }
        }
        #expect(seen == ["1:a", "1:b", "ended"])
        #expect(recorder.requests.map { $0.headers["Last-Event-ID"] } == [nil, "1"])
        #expect(recorder.requests.first?.headers["X-Test"] == "1")
    }

    @Test func closeEndsTheStreamAndClosesItsResponse() async throws {
        let closed = Counter()
        let transport = MockTransport { _ in
            // One event, then a stream that never ends (until the response is closed).
            let (stream, continuation) = AsyncStream<ByteBuffer>.makeStream()
            continuation.yield(ByteBuffer(string: "data: a\n\n"))
            return Response(
                200, headers: ["Content-Type": "text/event-stream"],
                body: ResponseBody(stream: stream, onClose: {
                    closed.increment()
                    continuation.finish()
                }))
        }
        let result = try await Support.within(.seconds(20)) {
            try await onPlainThread { () -> [String] in
                let client = Client(.init(transport: transport))
                defer { client.close() }
                let events = client.events("http://h/")
                let first = try events.next()?.data ?? "none"
                events.close()
                let after = try events.next()
                events.close()  // again: nothing happens
                return [first, after == nil ? "ended" : "more", "closed: \(closed.value)"]
            }
        }
        #expect(result == ["a", "ended", "closed: 1"])
    }

    @Test func closeFromAnotherThreadEndsAWaitingNext() async throws {
        let (closedSignal, closed) = AsyncStream<Void>.makeStream()
        let server = try await ScriptedServer.start { connection in
            guard try await connection.readRequest() != nil else { return }
            // One event, then quiet until the client closes the connection.
            try await connection.write(Support.chunkedHead + Support.chunk("data: a\n\n"))
            _ = try? await connection.drain()
            closed.yield()
        }
        defer { Task { await server.stop() } }
        let client = Client(.init(baseURL: server.baseURL))
        let events = client.events("/events")
        let (firstSignal, first) = AsyncStream<String>.makeStream()
        // The reader, on a plain thread: the first next() gets the event, the second waits.
        let reader = Task {
            try await onPlainThread { () -> [String] in
                let event = try events.next()
                first.yield(event?.data ?? "none")
                let second = try events.next()
                let third = try events.next()  // closed: at once
                return [event?.data ?? "none", second == nil ? "ended" : "more", third == nil ? "then nil" : "then more"]
            }
        }
        let gotFirst = try await Support.within(.seconds(10)) { () -> String? in
            for await data in firstSignal { return data }
            return nil
        }
        #expect((gotFirst ?? nil) == "a")
        // Until the second next() is waiting on the quiet stream.
        let waiting = try await Support.within(.seconds(5)) { () -> Bool in
            while !events.isReading { try await Task.sleep(for: .milliseconds(5)) }
            return true
        }
        #expect(waiting == true, "the second next() waits")
        let busy = try await onPlainThread { thrownHTTPXError { _ = try events.next() } }
        #expect(busy?.is(.stream) == true, "a next() while another waits is refused: \(String(describing: busy))")
        let closedAt = ContinuousClock.now
        try await onPlainThread { events.close() }
        let result = try await Support.within(.seconds(20)) { try await reader.value }
        #expect(result == ["a", "ended", "then nil"], "close() from another thread ends the waiting next()")
        #expect(ContinuousClock.now - closedAt < .seconds(15), "close() ends the wait at once")
        let connectionClosed = try await Support.within(.seconds(5)) {
            for await _ in closedSignal { return true }
            return false
        }
        #expect(connectionClosed == true, "the response's connection is closed")
        await client.asyncClient.close()
    }

    @Test func errorsReachTheCaller() async throws {
        let transport = MockTransport { _ in Response(401, text: "who are you?") }
        let error = try await Support.within(.seconds(20)) {
            try await onPlainThread { () -> HTTPXError? in
                let client = Client(.init(transport: transport))
                defer { client.close() }
                let events = client.events("http://h/")
                return thrownHTTPXError { _ = try events.next() }
            }
        }
        #expect(error??.is(.httpStatus) == true)
        #expect(error??.response?.statusCode == 401)
    }

    @Test func insideATaskItRefusesToBlock() async throws {
        let client = Client(.init(transport: MockTransport { _ in Response(204) }))
        defer { client.close() }
        let events = client.events("http://h/")
        let error = thrownHTTPXError { _ = try events.next() }
        #expect(error?.is(.blockingInAsyncContext) == true)
    }
}
