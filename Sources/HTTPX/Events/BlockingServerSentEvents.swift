/// Server-sent events read from blocking code, one at a time: the blocking form of
/// ``ServerSentEvents``, from
/// ``Client/events(_:method:params:headers:cookies:content:data:files:json:auth:followRedirects:timeout:extensions:options:)``.
///
/// ```swift
/// let events = client.events("https://example.org/updates")
/// defer { events.close() }
/// while let event = try events.next() {
///     print(event.event, event.data)
/// }
/// ```
///
/// It connects at the first ``next()``, and reconnects, ends and throws as
/// ``ServerSentEvents`` does. Use it from one thread at a time; ``close()`` (or letting it go)
/// ends the stream and releases its connection.
public final class BlockingServerSentEvents: @unchecked Sendable {
    // Safety: the iterator is only touched by one blocking call at a time, each of which
    // waits for its task to finish before returning.

    private let events: ServerSentEvents
    private var iterator: ServerSentEvents.AsyncIterator?
    private var closed = false

    init(_ events: ServerSentEvents) {
        self.events = events
    }

    /// How the stream reconnects, and its bound on events.
    public var options: EventSourceOptions { events.options }

    /// The next event, waiting for it; `nil` when the stream is over or was closed.
    ///
    /// ```swift
    /// if let first = try events.next() { print(first.data) }
    /// ```
    ///
    /// - Throws: as ``ServerSentEvents`` does; ``HTTPXError/Kind/blockingInAsyncContext`` when
    ///   called inside a Swift concurrency task.
    public func next() throws -> ServerSentEvent? {
        if closed { return nil }
        if iterator == nil { iterator = events.makeAsyncIterator() }
        return try Blocking.run { [self] in
            try await self.iterator?.next()
        }
    }

    /// Ends the stream: the response being read is closed (its connection released) and
    /// ``next()`` returns `nil` from now on. Calling it again does nothing.
    ///
    /// ```swift
    /// let events = client.events(url)
    /// defer { events.close() }
    /// ```
    public func close() {
        closed = true
        guard let response = iterator?.stop() else { return }
        if Blocking.canWait {
            _ = try? Blocking.run { await response.close() }
        } else {
            Task { await response.close() }
        }
    }
}
