import NIOCore
import Synchronization

/// Carries a response body from a Hummingbird writer (which pushes) to the client (which
/// pulls), with backpressure: the writer waits while more than `limit` bytes are unread.
final class BodyPipe: AsyncSequence, Sendable {
    typealias Element = ByteBuffer

    static let limit = 256 * 1024

    private struct State {
        var buffers: [ByteBuffer] = []
        var head = 0
        var bytes = 0
        var end: Result<Void, any Error>?
        var readerGone = false
        var reader: CheckedContinuation<ByteBuffer?, any Error>?
        var writer: CheckedContinuation<Void, any Error>?
    }

    private let state = Mutex(State())

    // MARK: Writer

    /// Adds `buffer`, waiting while the reader is behind; throws once the reader is gone.
    func write(_ buffer: ByteBuffer) async throws {
        guard buffer.readableBytes > 0 else { return }
        let (reader, mustWait) = try state.withLock { state -> (CheckedContinuation<ByteBuffer?, any Error>?, Bool) in
            if state.readerGone { throw CancellationError() }
            if let reader = state.reader {
                state.reader = nil
                return (reader, false)
            }
            state.buffers.append(buffer)
            state.bytes += buffer.readableBytes
            return (nil, state.bytes > Self.limit)
        }
        if let reader {
            reader.resume(returning: buffer)
            return
        }
        guard mustWait else { return }
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            let ready = state.withLock { state -> Result<Void, any Error>? in
                if state.readerGone { return .failure(CancellationError()) }
                if state.bytes <= Self.limit { return .success(()) }
                state.writer = continuation
                return nil
            }
            if let ready { continuation.resume(with: ready) }
        }
    }

    /// Ends the body, cleanly or with the app's error.
    func finish(_ result: Result<Void, any Error>) {
        let reader = state.withLock { state -> CheckedContinuation<ByteBuffer?, any Error>? in
            guard state.end == nil else { return nil }
            state.end = result
            defer { state.reader = nil }
            return state.reader
        }
        reader?.resume(with: result.map { nil })
    }

    // MARK: Reader

    /// The reader stopped: the writer's next write throws.
    func close() {
        let writer = state.withLock { state -> CheckedContinuation<Void, any Error>? in
            state.readerGone = true
            state.buffers = []
            state.bytes = 0
            defer { state.writer = nil }
            return state.writer
        }
        writer?.resume(throwing: CancellationError())
    }

    func next() async throws -> ByteBuffer? {
        try await withCheckedThrowingContinuation { continuation in
            enum Step {
                case value(ByteBuffer?, wake: CheckedContinuation<Void, any Error>?)
                case failure(any Error)
                case wait
            }
            let step = state.withLock { state -> Step in
                if state.head < state.buffers.count {
                    let buffer = state.buffers[state.head]
                    state.head += 1
                    state.bytes -= buffer.readableBytes
                    if state.head == state.buffers.count {
                        state.buffers.removeAll(keepingCapacity: true)
                        state.head = 0
                    }
                    var wake: CheckedContinuation<Void, any Error>?
                    if state.bytes <= Self.limit {
                        wake = state.writer
                        state.writer = nil
                    }
                    return .value(buffer, wake: wake)
                }
                switch state.end {
                case .success: return .value(nil, wake: nil)
                case .failure(let error): return .failure(error)
                case nil:
                    state.reader = continuation
                    return .wait
                }
            }
            switch step {
            case .value(let buffer, let wake):
                wake?.resume()
                continuation.resume(returning: buffer)
            case .failure(let error):
                continuation.resume(throwing: error)
            case .wait:
                break
            }
        }
    }

    struct AsyncIterator: AsyncIteratorProtocol {
        let pipe: BodyPipe
        mutating func next() async throws -> ByteBuffer? { try await pipe.next() }
    }

    func makeAsyncIterator() -> AsyncIterator { AsyncIterator(pipe: self) }
}
