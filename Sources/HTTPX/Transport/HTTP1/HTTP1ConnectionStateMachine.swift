/// The protocol logic of one HTTP/1.1 connection (or one HTTP/2 stream, which carries a single
/// exchange and then closes), apart from any I/O: it takes the events of the channel and of
/// the exchange's two ends, and answers with what the ``HTTP1ClientHandler`` must do.
///
/// It decides when a connection can carry another request, when reads are held back for a
/// slow body reader, which timer runs, and how a failure is reported; the handler only writes,
/// reads, closes and completes promises as told. Every transition is tested without sockets.
struct HTTP1ConnectionStateMachine {
    /// Where the request stands.
    enum RequestState: Equatable {
        /// The head (and perhaps part of the body) went to the channel; the end is not written yet.
        case sending
        /// The end of the request was written to the socket.
        case sent
    }

    /// Where the response stands.
    enum ResponseState: Equatable {
        case waitingForHead
        case receivingBody
    }

    struct Exchange: Equatable {
        /// Tells write completions of one exchange from those of the next.
        var id: UInt64
        var requestKeepAlive: Bool
        var responseKeepAlive = false
        var request = RequestState.sending
        var response = ResponseState.waitingForHead
        var outstandingWrites = 0
    }

    enum State: Equatable {
        /// The channel is not active yet.
        case inactive
        /// Active, and free for an exchange.
        case idle
        case running(Exchange)
        /// The handler asked the channel to close; it is not yet inactive.
        case closing
        /// The channel went inactive.
        case closed
    }

    /// What a timer must do.
    enum TimerCommand: Equatable {
        case none
        /// Start counting the timeout from now.
        case watch
        /// Activity: the timeout counts again from now.
        case touch
        case stop
    }

    /// How an exchange ends.
    struct Completion: Equatable {
        /// Whether the connection goes back to the pool for another request.
        var reusable: Bool
        /// Whether the channel must be closed.
        var close: Bool
        /// Whether to issue the socket read that was held back while the body's reader was
        /// behind (an idle kept-alive connection keeps reading to notice the server closing it).
        var readAgain: Bool
    }

    /// Why the channel failed an exchange, for the handler to word the error.
    enum ChannelFailure: Equatable {
        /// The connection closed before any byte of the response: the request may be sent again.
        case closedBeforeResponse
        /// The connection closed part-way through the response.
        case closedMidResponse
        /// An error while the request was still being written (`.writing`) or after
        /// (`.reading`), and whether any of the response had arrived.
        case error(reading: Bool, responseStarted: Bool)
    }

    private(set) var state: State
    /// A socket read was asked for while the body's reader was behind, and not issued.
    private(set) var readHeld = false
    private var nextID: UInt64 = 0
    let isStream: Bool

    init(isStream: Bool, active: Bool = true) {
        self.isStream = isStream
        self.state = active ? .idle : .inactive
    }

    var isRunning: Bool {
        if case .running = state { return true }
        return false
    }

    var isActive: Bool {
        switch state {
        case .idle, .running, .closing: true
        case .inactive, .closed: false
        }
    }

    // MARK: - Lifecycle of the channel

    mutating func channelActive() {
        if state == .inactive { state = .idle }
    }

    /// The channel went inactive: a running exchange fails; otherwise the pool hears the
    /// connection closed (`true`), once.
    mutating func channelInactive() -> (failure: ChannelFailure?, idleClose: Bool) {
        let previous = state
        state = .closed
        readHeld = false
        switch previous {
        case .running(let exchange):
            return (exchange.response == .waitingForHead ? .closedBeforeResponse : .closedMidResponse, false)
        case .idle, .closing, .inactive:
            return (nil, true)
        case .closed:
            return (nil, false)
        }
    }

    /// An error reached the handler: which failure the running exchange takes, or `nil` when
    /// there is none (the connection is then closed).
    mutating func errorCaught() -> ChannelFailure? {
        guard case .running(let exchange) = state else {
            if isActive { state = .closing }
            return nil
        }
        let started = exchange.response != .waitingForHead
        // Once the whole request is out, a failure is the response's, not the request's.
        return .error(reading: started || exchange.request == .sent, responseStarted: started)
    }

    // MARK: - The request

    /// Starts an exchange; `false` when the connection cannot take one (closed, or busy).
    mutating func start(requestKeepAlive: Bool) -> Bool {
        guard state == .idle else { return false }
        nextID &+= 1
        state = .running(Exchange(id: nextID, requestKeepAlive: requestKeepAlive))
        return true
    }

    /// The id of the running exchange, to hand back with write completions.
    var exchangeID: UInt64? {
        if case .running(let exchange) = state { return exchange.id }
        return nil
    }

    /// A part of the request is about to be written: `nil` when no exchange runs (the write
    /// must fail), otherwise what the write timer does.
    mutating func willWrite() -> TimerCommand? {
        guard case .running(var exchange) = state else { return nil }
        exchange.outstandingWrites += 1
        state = .running(exchange)
        return exchange.outstandingWrites == 1 ? .watch : TimerCommand.none
    }

    /// A write of exchange `id` completed (or failed).
    mutating func writeCompleted(id: UInt64) -> TimerCommand {
        guard case .running(var exchange) = state, exchange.id == id else { return .none }
        exchange.outstandingWrites -= 1
        state = .running(exchange)
        return exchange.outstandingWrites == 0 ? .stop : .touch
    }

    /// The end of the request reached the socket: the read timer starts, unless the body's
    /// reader is behind (reads are held, and the server is not the one keeping us waiting).
    mutating func requestSent(id: UInt64, readerPaused: Bool) -> TimerCommand {
        guard case .running(var exchange) = state, exchange.id == id else { return .none }
        exchange.request = .sent
        state = .running(exchange)
        return readerPaused ? .none : .watch
    }

    /// Whether a failed body (its producer threw, or a write failed) fails the exchange: only
    /// before the response head; after it, the response stands and the connection closes at
    /// its end, as the request was cut short.
    var bodyFailureEndsExchange: Bool {
        if case .running(let exchange) = state { return exchange.response == .waitingForHead }
        return false
    }

    // MARK: - The response

    /// The response head arrived: `true` when it must go to the waiting task (the read timer
    /// is touched).
    mutating func receivedHead(keepAlive: Bool) -> Bool {
        guard case .running(var exchange) = state, exchange.response == .waitingForHead else { return false }
        exchange.response = .receivingBody
        exchange.responseKeepAlive = keepAlive && exchange.requestKeepAlive
        state = .running(exchange)
        return true
    }

    /// A body part arrived: whether it goes to the body's reader.
    func receivedBodyPart() -> Bool {
        if case .running(let exchange) = state { return exchange.response == .receivingBody }
        return false
    }

    /// A body part went to the reader, who is now behind (`readerPaused`) or not.
    func bodyPartForwarded(readerPaused: Bool) -> TimerCommand {
        readerPaused ? .stop : .touch
    }

    /// The response ended: how the exchange completes, or `nil` if none runs. A response that
    /// ended before the request was fully sent leaves the connection unusable.
    mutating func receivedEnd() -> Completion? {
        guard case .running(let exchange) = state, exchange.response == .receivingBody else { return nil }
        return complete(reusable: exchange.request == .sent && exchange.responseKeepAlive)
    }

    /// An HTTP/2 stream closes after its exchange whatever happens; `reusable` then speaks for
    /// its connection.
    private mutating func complete(reusable: Bool) -> Completion {
        let close = !reusable || isStream
        let readAgain = readHeld && !close
        readHeld = false
        state = close ? .closing : .idle
        return Completion(reusable: reusable, close: close, readAgain: readAgain)
    }

    // MARK: - Reading

    /// The channel asks to read from the socket: `true` to read now, `false` to hold the read
    /// while the body's reader is behind.
    mutating func read(readerPaused: Bool) -> Bool {
        guard readerPaused, isRunning else { return true }
        readHeld = true
        return false
    }

    /// The body's reader caught up: whether to issue the held read, and with it restart the
    /// read timer.
    mutating func readerResumed() -> Bool {
        guard readHeld, isActive else { return false }
        readHeld = false
        return true
    }

    // MARK: - Failing

    /// The exchange fails (a timeout, the caller gave up, the request broke its framing):
    /// `true` if one was running; the channel must then be closed.
    mutating func fail() -> Bool {
        guard isRunning else { return false }
        readHeld = false
        state = .closing
        return true
    }
}
