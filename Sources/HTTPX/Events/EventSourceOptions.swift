/// How ``ServerSentEvents`` reconnects, and the bound on what a server may send.
///
/// ```swift
/// let options = EventSourceOptions(reconnectDelay: .seconds(1), maxReconnects: 10)
/// for try await event in client.events("https://example.org/feed", options: options) {
///     print(event.data)
/// }
/// ```
///
/// When a connection ends, or fails with a network error, a timeout or a broken response, the
/// stream waits and connects again, sending the last event ID as `Last-Event-ID`. The wait is
/// the server's reconnection time (its `retry:` field) or else ``reconnectDelay``; after a
/// connection that brought no event it doubles with each further attempt, and it is never
/// longer than ``maxReconnectDelay``. After ``maxReconnects`` attempts in a row without an
/// event, the stream gives up: it ends as its last connection did (cleanly, or with its
/// error).
public struct EventSourceOptions: Sendable, Hashable {
    /// The wait before reconnecting while the server has set no `retry:` time. 3 s by default.
    public var reconnectDelay: Duration
    /// The longest wait before reconnecting, whatever the server asks for and however long
    /// the backoff has grown. 60 s by default.
    public var maxReconnectDelay: Duration
    /// How many reconnections may follow each other without an event arriving in between
    /// before the stream gives up; `0` turns reconnecting off. 5 by default.
    public var maxReconnects: Int
    /// The most bytes held for one event (its data and the line being read); a server that
    /// sends more without ending the event fails the stream with
    /// ``HTTPXError/Kind/decoding``. 1 MiB by default.
    public var maxEventSize: Int
    /// The last event ID to start from, sent as `Last-Event-ID` with the first request (an ID
    /// saved from an earlier stream); `""` (the default) sends none.
    public var lastEventID: String

    /// Options with the given values; each left out has its default.
    ///
    /// ```swift
    /// EventSourceOptions(maxReconnects: 0)                 // never reconnect
    /// EventSourceOptions(lastEventID: saved)               // resume after a saved event
    /// ```
    public init(
        reconnectDelay: Duration = .seconds(3),
        maxReconnectDelay: Duration = .seconds(60),
        maxReconnects: Int = 5,
        maxEventSize: Int = 1 << 20,
        lastEventID: String = ""
    ) {
        self.reconnectDelay = reconnectDelay
        self.maxReconnectDelay = maxReconnectDelay
        self.maxReconnects = maxReconnects
        self.maxEventSize = maxEventSize
        self.lastEventID = lastEventID
    }

    /// The wait before reconnection `attempt` (1 for the first since the last event):
    /// `base` (the server's time, or ``reconnectDelay``), doubled for each attempt after the
    /// first, never more than ``maxReconnectDelay``.
    func delay(beforeAttempt attempt: Int, serverTime: Duration?) -> Duration {
        let cap = max(maxReconnectDelay, .zero)
        var delay = min(max(serverTime ?? reconnectDelay, .zero), cap)
        var doublings = attempt - 1
        while doublings > 0 && delay < cap {
            // Doubling a value above half the cap would pass it (or overflow, for a huge cap).
            delay = delay > cap / 2 ? cap : delay * 2
            doublings -= 1
        }
        return delay
    }
}
