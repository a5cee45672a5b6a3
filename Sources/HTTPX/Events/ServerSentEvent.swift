#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// One event of a `text/event-stream`, as the HTML standard's `EventSource` dispatches it.
///
/// ```swift
/// for try await event in client.events("https://example.org/updates") {
///     switch event.event {
///     case "price": let price = try event.json(as: Price.self)
///     default: print(event.id, event.data)
///     }
/// }
/// ```
///
/// ``ServerSentEvents`` yields them; ``ServerSentEventParser`` makes them from bytes.
public struct ServerSentEvent: Sendable, Hashable {
    /// The event's type: the last `event:` field of its block, `"message"` when there was none.
    public var event: String
    /// The `data:` fields of its block joined with `\n` (never `nil`; an event with no data is
    /// not dispatched at all).
    public var data: String
    /// The last event ID when the event was dispatched: the value of the last `id:` field seen
    /// on the stream, in this event or an earlier one (`""` when none, or when the server reset
    /// it with an empty `id:`). It is what a reconnection sends as `Last-Event-ID`.
    public var id: String
    /// The reconnection time the event's own block set with a `retry:` field, if it had one.
    /// (The time in force is kept by the stream; a `retry:` in a block without data changes it
    /// too, though no event is dispatched.)
    public var retry: Duration?

    /// Creates an event, as a test or a transport of your own might.
    ///
    /// ```swift
    /// let event = ServerSentEvent(event: "update", data: #"{"n":1}"#, id: "1")
    /// ```
    public init(event: String = "message", data: String, id: String = "", retry: Duration? = nil) {
        self.event = event
        self.data = data
        self.id = id
        self.retry = retry
    }

    /// Decodes ``data`` as JSON of type `T`.
    ///
    /// ```swift
    /// struct Tick: Decodable { let price: Double }
    /// let tick = try event.json(as: Tick.self)
    /// ```
    ///
    /// - Throws: ``HTTPXError/Kind/decoding`` when the data is not JSON of that shape.
    public func json<T: Decodable>(as type: T.Type = T.self, decoder: JSONDecoder = JSONDecoder()) throws -> T {
        do {
            return try decoder.decode(T.self, from: Data(data.utf8))
        } catch {
            throw HTTPXError(.decoding, "Invalid JSON in the data of \(summary): \(error)", underlying: error)
        }
    }

    /// Parses ``data`` as a dynamic ``JSONValue``, objects' members in the server's order.
    ///
    /// ```swift
    /// let progress = try event.json()["progress"]
    /// ```
    ///
    /// - Throws: ``HTTPXError/Kind/decoding`` naming where the data is not JSON.
    public func json() throws -> JSONValue {
        do {
            return try JSONValue(parsing: Array(data.utf8))
        } catch let error as HTTPXError {
            throw HTTPXError(.decoding, "Invalid JSON in the data of \(summary): \(error.message)")
        }
    }

    /// How errors name the event: its type and ID (its data may be large, or secret).
    private var summary: String {
        id.isEmpty ? "the '\(event)' event" : "the '\(event)' event with ID '\(id)'"
    }
}
