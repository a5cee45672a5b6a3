import Synchronization

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
/// ``ServerSentEvents`` does. Read it from one thread at a time (a ``next()`` called while
/// another is waiting throws ``HTTPXError/Kind/stream``). ``close()`` may be called from any
/// thread, also while a ``next()`` waits for a quiet stream: that ``next()`` then returns
/// `nil` at once. Closing it (or letting it go) ends the stream and releases its connection.
public final class BlockingServerSentEvents: @unchecked Sendable {
    // Safety: `iterator` is touched only by the task of the `next()` in progress (the one
    // registered in `state.running`, which clears it under the lock when done with the
    // iterator), or, once closed, by `close()` when it found no such task. Whichever of the
    // two finds the other gone, under the lock, stops the iterator; the lock orders the
    // accesses of the two.

    private struct State {
        var closed = false
        /// The task of the `next()` in progress, reading `iterator`.
        var running: Task<ServerSentEvent?, any Error>?
    }

    private let events: ServerSentEvents
    private var iterator: ServerSentEvents.AsyncIterator
    private let state = Mutex(State())

    init(_ events: ServerSentEvents) {
        self.events = events
        self.iterator = events.makeAsyncIterator()
    }

    /// How the stream reconnects, and its bound on events.
    public var options: EventSourceOptions { events.options }

    /// Whether a ``next()`` is reading (waiting for an event) now.
    var isReading: Bool { state.withLock { $0.running != nil } }

    /// The next event, waiting for it; `nil` when the stream is over or was closed.
    ///
    /// ```swift
    /// if let first = try events.next() { print(first.data) }
    /// ```
    ///
    /// When ``close()`` is called from another thread while this waits, it returns `nil`
    /// promptly; once the stream is closed, it returns `nil` without waiting.
    ///
    /// - Throws: as ``ServerSentEvents`` does; ``HTTPXError/Kind/blockingInAsyncContext`` when
    ///   called inside a Swift concurrency task; ``HTTPXError/Kind/stream`` when another
    ///   thread's ``next()`` is still waiting.
    public func next() throws -> ServerSentEvent? {
        if state.withLock({ $0.closed }) { return nil }
        return try Blocking.run { [self] in
            try await self.step()
        }
    }

    /// Ends the stream: the response being read is closed (its connection released) and
    /// ``next()`` returns `nil` from now on. A ``next()`` waiting on another thread is
    /// cancelled and returns `nil`; its task closes the response. Calling it again does nothing.
    ///
    /// ```swift
    /// let events = client.events(url)
    /// defer { events.close() }
    /// ```
    public func close() {
        let (wasClosed, running) = state.withLock { state -> (Bool, Task<ServerSentEvent?, any Error>?) in
            defer { state.closed = true }
            return (state.closed, state.running)
        }
        if wasClosed { return }
        if let running {
            // The reading task stops: cancelled, the iterator closes its response, and the
            // task, finding the stream closed, leaves the iterator stopped.
            running.cancel()
            return
        }
        // No `next()` is reading, and none can start: the iterator is this call's.
        guard let response = iterator.stop() else { return }
        if Blocking.canWait {
            _ = try? Blocking.run { await response.close() }
        } else {
            Task { await response.close() }
        }
    }

    /// Starts the task reading the next event, unless the stream is closed or being read,
    /// and waits for it.
    private func step() async throws -> ServerSentEvent? {
        enum Start: Sendable {
            case closed
            case busy
            case started(Task<ServerSentEvent?, any Error>)
        }
        let start = state.withLock { state -> Start in
            if state.closed { return .closed }
            if state.running != nil { return .busy }
            // Registered before it can finish: its end takes this lock.
            let task = Task { [self] in try await self.advance() }
            state.running = task
            return .started(task)
        }
        switch start {
        case .closed:
            return nil
        case .busy:
            throw HTTPXError(
                .stream,
                "BlockingServerSentEvents.next() was called while another thread's next() was waiting; read the events from one thread at a time")
        case .started(let task):
            return try await task.value
        }
    }

    /// Reads the next event from the iterator; run by the task `step()` registered.
    private func advance() async throws -> ServerSentEvent? {
        let result: Result<ServerSentEvent?, any Error>
        do {
            result = .success(try await iterator.next())
        } catch {
            result = .failure(error)
        }
        let closed = state.withLock { state -> Bool in
            state.running = nil
            return state.closed
        }
        guard closed else { return try result.get() }
        // `close()` came while this read, and left the iterator to this task.
        if let response = iterator.stop() { await response.close() }
        return nil
    }
}
