import Testing

@testable import HTTPX

extension ServerSentEventsTests {
    /// The README's "Server-sent events" block, word for word apart from `print`, against a
    /// mock of its API.
    @Test func readmeExample() async throws {
        struct Price: Decodable {
            let amount: Double
        }
        let transport = MockTransport { request in
            if request.url.path == "/v1/updates" {
                // The first connection ends after two events; the reconnection is told to stop.
                if request.headers["Last-Event-ID"] != nil { return Response(204) }
                return EventTestSupport.eventStream([
                    "retry: 1\n\n", "event: price\ndata: {\"amount\": 1.5}\n\n", "id: 7\ndata: hello\n\n",
                ])
            }
            #expect(request.method == .post && request.contentText == #"{"prompt":"Hi"}"#)
            return EventTestSupport.eventStream(["data: partial\n\n", "data: [DONE]\n\n", "data: never read\n\n"])
        }
        var printed: [String] = []
        func print(_ items: Any...) { printed.append(items.map { "\($0)" }.joined(separator: " ")) }

        let client = AsyncClient(.init(baseURL: "https://api.example.org", transport: transport))
        for try await event in client.events("/v1/updates") {
            switch event.event {  // "message" unless the server names a type
            case "price": print(try event.json(as: Price.self).amount)
            default: print(event.id, event.data)  // id: the last event ID at this event
            }
        }

        // A stream that answers a POST; never reconnect, bound each event to 64 KiB.
        let options = EventSourceOptions(maxReconnects: 0, maxEventSize: 64 << 10)
        for try await event in client.events("/v1/complete", method: .post, json: ["prompt": "Hi"], options: options) {
            if event.data == "[DONE]" { break }
            print(event.data)
        }
        #expect(printed == ["1.5", "7 hello", "partial"])
    }
}
