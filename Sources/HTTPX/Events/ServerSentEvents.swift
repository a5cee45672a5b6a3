import NIOCore

/// The events of a server-sent event stream, as an `EventSource` receives them: an async
/// sequence that connects when iterated, parses `text/event-stream`, and reconnects (sending
/// `Last-Event-ID`) when the connection ends or breaks.
///
/// ```swift
/// for try await event in client.events("https://example.org/updates") {
///     print(event.event, event.id, event.data)
/// }
/// ```
///
/// Made by ``AsyncClient/events(_:method:params:headers:cookies:content:data:files:json:auth:followRedirects:timeout:extensions:options:)``.
/// Each iteration opens a stream of its own. The sequence ends when the server answers
/// `204 No Content`, or when a connection ends and reconnecting is off or has given up (see
/// ``EventSourceOptions``: only failed connections count toward giving up, so a quiet but
/// healthy stream, whose connections end cleanly after comments, is reconnected for as
/// long as it goes on). It throws, without reconnecting, when the server answers
/// with a status other than 2xx (``HTTPXError/Kind/httpStatus``, as
/// ``Response/raiseForStatus()`` would), with a 2xx that is not `text/event-stream`, or with
/// an event larger than ``EventSourceOptions/maxEventSize`` (both
/// ``HTTPXError/Kind/decoding``). Network errors, timeouts and broken responses are
/// reconnected; when reconnecting gives up, the last of them is thrown.
///
/// Cancelling the iterating task stops it at once, closing the response (and so releasing
/// or closing its connection); leaving the loop early closes it too, as the iterator is let go.
public struct ServerSentEvents: AsyncSequence, Sendable {
    public typealias Element = ServerSentEvent
    public typealias Failure = any Error

    let connector: EventSourceConnector
    /// How the stream reconnects, and its bound on events.
    public let options: EventSourceOptions

    init(connector: EventSourceConnector, options: EventSourceOptions) {
        self.connector = connector
        self.options = options
    }

    /// Starts a stream of its own: its first ``ServerSentEvents/AsyncIterator/next()`` connects.
    ///
    /// ```swift
    /// var iterator = client.events("https://example.org/updates").makeAsyncIterator()
    /// let first = try await iterator.next()
    /// ```
    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(connector: connector, options: options)
    }

    /// The iterator of ``ServerSentEvents``: one stream, its connections one after another.
    public struct AsyncIterator: AsyncIteratorProtocol {
        private enum State {
            /// To connect, after waiting this long (`nil`: at once).
            case connecting(after: Duration?)
            /// Reading the body of a connection.
            case reading(Response, ByteStream.AsyncIterator)
            /// Over: ``next()`` returns `nil`.
            case finished
        }

        private let connector: EventSourceConnector
        private let options: EventSourceOptions
        private var parser: ServerSentEventParser
        private var state = State.connecting(after: nil)
        /// Events parsed and not yet returned, from `readyIndex` on.
        private var ready: [ServerSentEvent] = []
        private var readyIndex = 0
        /// An error to throw once the events parsed before it are returned.
        private var failure: (any Error)?
        /// Failed connections in a row: ones that could not be established, broke, or ended
        /// without a byte. An event, or a connection that ends cleanly after delivering
        /// something, resets it.
        private var failures = 0
        /// Whether the connection being read delivered any byte of its body.
        private var delivered = false

        init(connector: EventSourceConnector, options: EventSourceOptions) {
            self.connector = connector
            self.options = options
            self.parser = ServerSentEventParser(maxEventSize: options.maxEventSize, lastEventID: options.lastEventID)
        }

        /// The next event; `nil` when the stream is over.
        public mutating func next() async throws -> ServerSentEvent? {
            while true {
                if readyIndex < ready.count {
                    let event = ready[readyIndex]
                    readyIndex += 1
                    if readyIndex == ready.count {
                        ready.removeAll(keepingCapacity: true)
                        readyIndex = 0
                    }
                    return event
                }
                if let failure {
                    self.failure = nil
                    throw failure
                }
                switch state {
                case .finished:
                    return nil
                case .connecting(let delay):
                    try await connect(after: delay)
                case .reading(let response, var chunks):
                    // The state holds no second copy of the chunk iterator while it is read.
                    state = .finished
                    let chunk: ByteBuffer?
                    do {
                        chunk = try await chunks.next()
                    } catch {
                        try connectionEnded(with: error)  // the body closed itself
                        continue
                    }
                    guard let chunk else {
                        try connectionEnded(with: nil)  // the body ended (and closed itself)
                        continue
                    }
                    if chunk.readableBytes > 0 { delivered = true }
                    state = .reading(response, chunks)
                    await parse(chunk, of: response)
                }
            }
        }

        /// The last event ID, as the next connection would send it.
        var lastEventID: String { parser.lastEventID }

        /// Ends the stream now and returns the response being read, for its owner to close
        /// (the blocking client's ``BlockingServerSentEvents/close()``).
        mutating func stop() -> Response? {
            defer {
                state = .finished
                ready.removeAll()
                readyIndex = 0
                failure = nil
            }
            if case .reading(let response, _) = state { return response }
            return nil
        }

        private mutating func connect(after delay: Duration?) async throws {
            if let delay {
                do {
                    try await Task.sleep(for: delay)
                } catch {
                    state = .finished
                    throw error
                }
            }
            if Task.isCancelled {
                state = .finished
                throw CancellationError()
            }
            do {
                guard let response = try await connector.connect(lastEventID: parser.lastEventID) else {
                    state = .finished  // 204: the server says the stream is over
                    return
                }
                parser.owner = "the response to \(response.request)"
                delivered = false
                state = .reading(response, response.bytes().makeAsyncIterator())
            } catch {
                try connectionEnded(with: error)
            }
        }

        /// Parses a chunk into `ready` (empty before: the events parsed earlier were returned).
        private mutating func parse(_ chunk: ByteBuffer, of response: Response) async {
            do {
                try parser.feed(chunk.readableBytesView, into: &ready)
            } catch {
                // The events before the oversized one are returned first, then the error.
                await response.close()
                failure = error
                state = .finished
            }
            if !ready.isEmpty { failures = 0 }
        }

        /// A connection ended (or could not be made), cleanly when `error` is `nil`: plans a
        /// reconnection, or ends the stream (throwing `error` when there is one).
        ///
        /// A clean end of a connection that delivered bytes is a healthy stream's (a server
        /// that closes it now and then, a quiet one that sends only comments): it reconnects
        /// after the retry delay without counting. Errors, and clean ends that delivered
        /// nothing (a server that accepts and closes at once), are failures: they count
        /// toward ``EventSourceOptions/maxReconnects`` and back off.
        private mutating func connectionEnded(with error: (any Error)?) throws {
            parser.finish()
            state = .finished
            let deliveredSomething = delivered
            delivered = false
            if Task.isCancelled || error is CancellationError { throw CancellationError() }
            if let error, !Self.isWorthReconnecting(error) { throw error }
            guard options.maxReconnects > 0 else {
                if let error { throw error }
                return
            }
            if error == nil && deliveredSomething {
                failures = 0
                state = .connecting(after: options.delay(beforeAttempt: 1, serverTime: parser.reconnectionTime))
                return
            }
            failures += 1
            guard failures <= options.maxReconnects else {
                if let error { throw gaveUp(error) }
                return
            }
            state = .connecting(after: options.delay(beforeAttempt: failures, serverTime: parser.reconnectionTime))
        }

        /// Failures that another connection may not meet: the network's, timeouts and broken
        /// responses. A status, a wrong content type, an oversized event or an error of the
        /// caller's (a body that cannot be sent again, a closed client) would recur.
        static func isWorthReconnecting(_ error: any Error) -> Bool {
            guard let error = error as? HTTPXError else { return false }
            return error.is(.network) || error.is(.timeout) || error.is(.remoteProtocol)
        }

        /// `error`, saying that reconnecting gave up.
        private func gaveUp(_ error: any Error) -> any Error {
            guard var error = error as? HTTPXError else { return error }
            error.message += " (gave up after \(failures) failed connection(s) in a row; see EventSourceOptions.maxReconnects)"
            return error
        }
    }
}
