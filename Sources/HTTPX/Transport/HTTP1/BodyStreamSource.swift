import NIOCore
import Synchronization

/// The response body between a connection's event loop (which produces chunks) and the task
/// reading it (which consumes them), with backpressure: the connection stops reading from the
/// socket while more than `highWatermark` bytes wait, and resumes below `lowWatermark`.
final class BodyStreamSource: Sendable {
    private struct State {
        var buffer = CircularBuffer<ByteBuffer>(initialCapacity: 4)
        var bufferedBytes = 0
        var end: Result<Void, any Error>?
        var waiter: UnsafeContinuation<ByteBuffer?, any Error>?
        var paused = false
        var consumerGone = false
    }

    static let highWatermark = 1 << 20
    static let lowWatermark = 1 << 18

    private let state = Mutex(State())
    /// Asks the connection to read again after a pause; runs on any thread.
    private let resumeReading: @Sendable () -> Void

    /// The HTTP/2 stream the body comes on; `nil` over HTTP/1.1.
    let streamID: Int?

    init(streamID: Int? = nil, resumeReading: @escaping @Sendable () -> Void) {
        self.streamID = streamID
        self.resumeReading = resumeReading
    }

    // MARK: Producer (the event loop)

    /// Adds a chunk; returns whether the producer may keep reading. A waiting reader is woken
    /// by ``flush()`` at the end of the socket read, so it takes a whole batch of chunks per
    /// wake-up instead of one (HTTP/2 delivers bodies in many small frames).
    func yield(_ chunk: ByteBuffer) -> Bool {
        state.withLock { state -> Bool in
            if state.consumerGone || state.end != nil { return true }
            state.buffer.append(chunk)
            state.bufferedBytes += chunk.readableBytes
            if state.bufferedBytes >= Self.highWatermark { state.paused = true }
            return !state.paused
        }
    }

    /// Wakes a waiting reader if chunks arrived: called when a socket read completes.
    func flush() {
        let (waiter, chunk, resume) = state.withLock {
            state -> (UnsafeContinuation<ByteBuffer?, any Error>?, ByteBuffer?, Bool) in
            guard let waiter = state.waiter, let (chunk, resume) = Self.pop(&state) else { return (nil, nil, false) }
            state.waiter = nil
            return (waiter, chunk, resume)
        }
        if resume { resumeReading() }
        if let waiter, let chunk { waiter.resume(returning: chunk) }
    }

    /// Takes the first buffered chunk, and says whether reading must resume because the
    /// buffer fell below the low watermark. Every consumer of chunks goes through here, so a
    /// paused producer is always resumed.
    private static func pop(_ state: inout State) -> (ByteBuffer, resume: Bool)? {
        guard let chunk = state.buffer.popFirst() else { return nil }
        state.bufferedBytes -= chunk.readableBytes
        guard state.paused && state.bufferedBytes < lowWatermark else { return (chunk, false) }
        state.paused = false
        return (chunk, true)
    }

    /// Ends the body, cleanly or with an error; a waiting reader first gets what is buffered.
    func finish(_ result: Result<Void, any Error>) {
        let (waiter, chunk) = state.withLock { state -> (UnsafeContinuation<ByteBuffer?, any Error>?, ByteBuffer?) in
            guard state.end == nil else { return (nil, nil) }
            state.end = result
            guard let waiter = state.waiter else { return (nil, nil) }
            state.waiter = nil
            if case .success = result, let chunk = state.buffer.popFirst() {
                state.bufferedBytes -= chunk.readableBytes
                return (waiter, chunk)
            }
            return (waiter, nil)
        }
        guard let waiter else { return }
        if let chunk {
            waiter.resume(returning: chunk)
            return
        }
        switch result {
        case .success: waiter.resume(returning: nil)
        case .failure(let error): waiter.resume(throwing: error)
        }
    }

    /// Whether a reader is waiting for data (so a read timeout applies).
    var isReaderWaiting: Bool { state.withLock { $0.waiter != nil } }

    /// Whether the producer is paused because the buffer is full.
    var isPaused: Bool { state.withLock { $0.paused } }

    // MARK: Consumer (the reading task)

    /// The next chunk, or `nil` at the end of the body.
    func next() async throws -> ByteBuffer? {
        enum Step {
            case chunk(ByteBuffer, resume: Bool)
            case end(Result<Void, any Error>)
            case wait
        }
        let step = state.withLock { state -> Step in
            if let (chunk, resume) = Self.pop(&state) { return .chunk(chunk, resume: resume) }
            if let end = state.end { return .end(end) }
            return .wait
        }
        switch step {
        case .chunk(let chunk, let resume):
            if resume { resumeReading() }
            return chunk
        case .end(let result):
            try result.get()
            return nil
        case .wait:
            return try await withTaskCancellationHandler {
                try await withUnsafeThrowingContinuation { continuation in
                    let (immediate, resume) = state.withLock { state -> (Result<ByteBuffer?, any Error>?, Bool) in
                        if let (chunk, resume) = Self.pop(&state) { return (.success(chunk), resume) }
                        if let end = state.end { return (end.map { nil }, false) }
                        if Task.isCancelled { return (.failure(CancellationError()), false) }
                        state.waiter = continuation
                        return (nil, false)
                    }
                    if resume { resumeReading() }
                    if let immediate { continuation.resume(with: immediate) }
                }
            } onCancel: {
                let waiter = state.withLock { state -> UnsafeContinuation<ByteBuffer?, any Error>? in
                    defer { state.waiter = nil }
                    return state.waiter
                }
                waiter?.resume(throwing: CancellationError())
            }
        }
    }

    /// The reader stopped before the end, or its task was cancelled (`reason`): drops what is
    /// buffered; a later read fails with `reason`, so a cancellation that races the response
    /// head is still reported as one.
    func abandon(_ reason: any Error = HTTPXError(.streamClosed, "The response body was closed")) {
        let waiter = state.withLock { state -> UnsafeContinuation<ByteBuffer?, any Error>? in
            state.consumerGone = true
            state.buffer.removeAll()
            state.bufferedBytes = 0
            if state.end == nil { state.end = .failure(reason) }
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume(throwing: reason)
    }

    /// Whether the body ended (cleanly or not).
    var isFinished: Bool { state.withLock { $0.end != nil } }
}
