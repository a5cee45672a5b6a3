import NIOCore
import Synchronization

/// The body of a response as a transport delivers it: held in memory, or a stream that is
/// read as the caller consumes it.
///
/// A transport of your own makes one from bytes or from any async sequence of buffers:
///
/// ```swift
/// let transport = MockTransport { request in
///     Response(200, body: ResponseBody(stream: chunks, onClose: { await release() }))
/// }
/// ```
///
/// A streamed body can be read once. `onClose` runs exactly once: when the body has been
/// read to its end, or when the response is closed before that (its connection can then be
/// released or dropped).
public struct ResponseBody: Sendable {
    enum Storage: Sendable {
        case buffer(ByteBuffer)
        case stream(ByteStream, StreamControl)
    }

    let storage: Storage

    /// A body held in memory.
    public init(_ buffer: ByteBuffer = ByteBuffer()) {
        storage = .buffer(buffer)
    }

    /// A body of the given bytes.
    public init(bytes: some Sequence<UInt8>) {
        storage = .buffer(ByteBuffer(bytes: Array(bytes)))
    }

    /// A body of the given text in UTF-8.
    public init(text: String) {
        storage = .buffer(ByteBuffer(string: text))
    }

    /// A streamed body over `chunks`; `onClose` runs once when the stream ends or is closed.
    public init<Chunks: AsyncSequence & Sendable>(
        stream chunks: Chunks, onClose: @escaping @Sendable () async -> Void = {}
    ) where Chunks.Element == ByteBuffer {
        storage = .stream(ByteStream(chunks), StreamControl(onClose: onClose))
    }

    /// The body a connection delivers, read without wrapping.
    init(connection body: BodyStreamSource, onClose: @escaping @Sendable () async -> Void) {
        storage = .stream(ByteStream(.connection(body), replayable: false), StreamControl(onClose: onClose))
    }

    /// Whether the whole body is in memory.
    public var isBuffered: Bool {
        if case .buffer = storage { return true }
        return false
    }

    /// The raw chunks, as received (still content-encoded).
    ///
    /// A streamed body can be iterated once; later attempts throw
    /// ``HTTPXError/Kind/streamConsumed``, or ``HTTPXError/Kind/streamClosed`` after ``close()``.
    public var chunks: ByteStream {
        switch storage {
        case .buffer(let buffer):
            ByteStream(buffer)
        case .stream(let stream, let control):
            ByteStream(stream.source, replayable: false, control: control)
        }
    }

    /// Makes a streamed body's reads fail once `expiry` passed (a request's deadline).
    func setExpiry(_ expiry: ContinuousClock.Instant, deadline: Duration, request: Request) {
        if case .stream(_, let control) = storage { control.setExpiry(expiry, deadline: deadline, request: request) }
    }

    /// When a streamed body was read to its end or closed; `nil` before, and for a body in memory.
    var closedAt: ContinuousClock.Instant? {
        if case .stream(_, let control) = storage { return control.closedAt }
        return nil
    }

    /// Whether both bodies are the same stream (copies of one response).
    func isSameStream(as other: ResponseBody) -> Bool {
        guard case .stream(_, let mine) = storage, case .stream(_, let theirs) = other.storage else { return false }
        return mine === theirs
    }

    /// Ends a streamed body early, releasing what the transport holds for it. Safe to call
    /// more than once, and a no-op for a body in memory.
    public func close() async {
        if case .stream(_, let control) = storage { await control.close() }
    }
}

/// Runs a stream's close handler once.
final class StreamControl: Sendable {
    private struct State {
        var closed = false
        var started = false
        var onClose: (@Sendable () async -> Void)?
        var closedAt: ContinuousClock.Instant?
        var expiry: (instant: ContinuousClock.Instant, deadline: Duration, request: Request)?
    }

    private let state: Mutex<State>
    /// Raw bytes read so far (httpx's `num_bytes_downloaded`).
    private let downloaded = Atomic<Int>(0)
    /// Whether a deadline was set, read without the lock on every chunk.
    private let hasExpiry = Atomic<Bool>(false)

    init(onClose: @escaping @Sendable () async -> Void) {
        state = Mutex(State(onClose: onClose))
    }

    /// A streamed response dropped unread and unclosed still releases its connection (it is
    /// closed, as its body can no longer be read), as AsyncHTTPClient does.
    deinit {
        let handler = state.withLock { state -> (@Sendable () async -> Void)? in
            defer { state.onClose = nil }
            return state.closed ? nil : state.onClose
        }
        if let handler { Task { await handler() } }
    }

    /// Records that reading began; returns whether it had already.
    func markStarted() -> Bool {
        state.withLock { state in
            defer { state.started = true }
            return state.started
        }
    }

    var isClosed: Bool { state.withLock { $0.closed } }

    /// Whether reading began.
    var isStarted: Bool { state.withLock { $0.started } }

    func setExpiry(_ instant: ContinuousClock.Instant, deadline: Duration, request: Request) {
        state.withLock { $0.expiry = (instant, deadline, request) }
        hasExpiry.store(true, ordering: .releasing)
    }

    /// ``HTTPXError/Kind/deadlineExceeded`` when the request's deadline has passed.
    func deadlineError() -> HTTPXError? {
        guard hasExpiry.load(ordering: .acquiring), let expiry = state.withLock({ $0.expiry }), ContinuousClock.now >= expiry.instant else { return nil }
        return Deadline.exceeded(expiry.deadline, expiry.request, underlying: nil)
    }

    /// When the body was closed (read to its end, or closed early).
    var closedAt: ContinuousClock.Instant? { state.withLock { $0.closedAt } }

    var bytesDownloaded: Int { downloaded.load(ordering: .relaxed) }

    func countDownloaded(_ bytes: Int) {
        downloaded.add(bytes, ordering: .relaxed)
    }

    func close() async {
        let handler = state.withLock { state -> (@Sendable () async -> Void)? in
            if !state.closed { state.closedAt = .now }
            state.closed = true
            defer { state.onClose = nil }
            return state.onClose
        }
        await handler?()
    }
}
