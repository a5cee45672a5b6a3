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
/// stream waits and connects again, sending the last event ID as `Last-Event-ID` (unless it is
/// longer than 1024 bytes, or not valid in a header: it is then kept, but not sent). The wait
/// is the server's reconnection time (its `retry:` field) or else ``reconnectDelay``, and it
/// is never longer than ``maxReconnectDelay``.
///
/// Only failed connections count toward giving up: one that could not be made, that broke
/// (a network error, a timeout, a body cut short), or that ended cleanly without delivering a
/// single byte (a server that accepts and closes at once). The wait doubles with each failure
/// in a row, and after ``maxReconnects`` reconnections that failed in a row the stream gives
/// up: it ends as its last connection did (cleanly, or with its error). A connection that
/// ends cleanly after delivering something (events, or only comments, as a quiet stream's
/// keep-alives) is healthy: the stream reconnects after the plain wait, without counting, and
/// the count of failures starts again, as it does when an event arrives.
public struct EventSourceOptions: Sendable, Hashable {
    /// The wait before reconnecting while the server has set no `retry:` time. 3 s by default.
    public var reconnectDelay: Duration
    /// The longest wait before reconnecting, whatever the server asks for and however long
    /// the backoff has grown. 60 s by default.
    public var maxReconnectDelay: Duration
    /// How many reconnections may fail in a row (with no event, and no connection that ended
    /// cleanly after delivering something, in between) before the stream gives up; `0` turns
    /// reconnecting off altogether. 5 by default.
    public var maxReconnects: Int
    /// The most bytes held for one event (its data and the line being read); a server that
    /// sends more without ending the event fails the stream with
    /// ``HTTPXError/Kind/decoding``. 1 MiB by default.
    public var maxEventSize: Int
    /// The last event ID to start from, sent as `Last-Event-ID` with the first request (an ID
    /// saved from an earlier stream); `""` (the default) sends none, and so does an ID longer
    /// than 1024 bytes or with a control character (CR, LF, NUL and the like).
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

    /// The wait before reconnection `attempt` (1 after a healthy connection or the first
    /// failure, then one more for each further failure in a row): `base` (the server's time,
    /// or ``reconnectDelay``), doubled for each attempt after the first, never more than
    /// ``maxReconnectDelay``.
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
