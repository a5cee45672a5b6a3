import NIOCore
import Synchronization

/// An asynchronous sequence of body chunks, the currency of request and response bodies.
///
/// A stream made from bytes or a file can be iterated again (a redirect or an auth retry
/// re-sends it); one made from a caller's async sequence can be iterated once, and a second
/// iteration throws ``HTTPXError/Kind/streamConsumed``.
///
/// ```swift
/// for try await chunk in response.rawBytes() {
///     print("got \(chunk.readableBytes) bytes")
/// }
/// ```
public struct ByteStream: AsyncSequence, Sendable {
    public typealias Element = ByteBuffer
    public typealias Failure = any Error

    /// Where the chunks come from. Bytes in memory and a connection's body are read without
    /// closures, so the common bodies cost no allocation to wrap and iterate.
    enum Source: Sendable {
        /// One buffer (nothing when empty), on every pass.
        case buffer(ByteBuffer)
        /// One array (nothing when empty), copied into a buffer on every pass.
        case array([UInt8])
        /// The body a connection delivers: one pass.
        case connection(BodyStreamSource)
        /// Each call of the closure starts a pass and returns its `next`.
        case passes(@Sendable () -> (() async throws -> ByteBuffer?))
    }

    let source: Source
    /// Whether the stream can be iterated more than once.
    public let isReplayable: Bool
    /// For a streamed response body's chunks: guards its single read and closes it at the end.
    let control: StreamControl?

    init(_ source: Source, replayable: Bool, control: StreamControl? = nil) {
        self.source = source
        self.isReplayable = replayable
        self.control = control
    }

    /// A stream over the chunks that `makeNext` yields; each call of `makeNext` starts a new pass.
    init(replayable: Bool, makeNext: @escaping @Sendable () -> (() async throws -> ByteBuffer?)) {
        self.init(.passes(makeNext), replayable: replayable)
    }

    /// A stream that yields `buffer` once per pass, or nothing when it is empty.
    public init(_ buffer: ByteBuffer) {
        self.init(.buffer(buffer), replayable: true)
    }

    /// A stream that can be iterated once, over `sequence`'s chunks.
    public init<Chunks: AsyncSequence & Sendable>(_ sequence: Chunks) where Chunks.Element == ByteBuffer {
        let box = UsedFlag()
        self.init(replayable: false) {
            if box.markUsed() {
                return { throw HTTPXError(.streamConsumed, "Attempted to read a stream that was already read; a stream body cannot be replayed") }
            }
            var iterator = sequence.makeAsyncIterator()
            return { try await iterator.next() }
        }
    }

    /// A stream over `sequence`, which can be iterated as many times as `sequence` can (an
    /// array's async view, a body that re-reads a file): each pass makes a new iterator.
    public init<Chunks: AsyncSequence & Sendable>(replayable sequence: Chunks) where Chunks.Element == ByteBuffer {
        self.init(replayable: true) {
            var iterator = sequence.makeAsyncIterator()
            return { try await iterator.next() }
        }
    }

    /// A stream that can be iterated once, over `sequence`'s byte arrays.
    public init<Chunks: AsyncSequence & Sendable>(bytes sequence: Chunks) where Chunks.Element == [UInt8] {
        self.init(sequence.map { @Sendable bytes in ByteBuffer(bytes: bytes) })
    }

    public func makeAsyncIterator() -> AsyncIterator {
        if let control {
            if control.markStarted() {
                return AsyncIterator(.failed(HTTPXError(.streamConsumed, "Attempted to read a response body that was already read; it streams only once")))
            }
            if control.isClosed {
                return AsyncIterator(.failed(HTTPXError(.streamClosed, "Attempted to read a response body after it was closed")))
            }
        }
        let next: AsyncIterator.Next =
            switch source {
            case .buffer(let buffer): .pending(buffer.readableBytes > 0 ? buffer : nil)
            case .array(let bytes): .pendingArray(bytes.isEmpty ? nil : bytes)
            case .connection(let body): .connection(body)
            case .passes(let makeNext): .call(makeNext())
            }
        return AsyncIterator(next, control: control)
    }

    /// Reads every chunk into one buffer.
    ///
    /// - Parameter expectedLength: the length announced for the whole stream, if known: the
    ///   buffer is allocated once at that size (capped at 256 MiB, as a server may lie)
    ///   instead of doubling and copying as it grows.
    public func collect(expectedLength: Int? = nil) async throws -> ByteBuffer {
        var result = ByteBuffer()
        var first = true
        for try await var chunk in self {
            if first {
                first = false
                if let expectedLength, expectedLength > chunk.readableBytes {
                    result.reserveCapacity(Swift.min(expectedLength, 256 << 20))
                    result.writeBuffer(&chunk)
                } else {
                    result = chunk
                }
            } else {
                result.writeBuffer(&chunk)
            }
        }
        return result
    }

    /// The iterator of a ``ByteStream``.
    public struct AsyncIterator: AsyncIteratorProtocol {
        enum Next {
            case pending(ByteBuffer?)
            case pendingArray([UInt8]?)
            case connection(BodyStreamSource)
            case call(() async throws -> ByteBuffer?)
            case failed(HTTPXError)
        }

        private var next: Next
        private let control: StreamControl?
        private var done = false

        init(_ next: Next, control: StreamControl? = nil) {
            self.next = next
            self.control = control
        }

        public mutating func next() async throws -> ByteBuffer? {
            guard let control else { return try await produce() }
            if done { return nil }
            if control.isClosed {
                // Closed while being read: the reader learns at its next chunk.
                done = true
                throw HTTPXError(.streamClosed, "The response body was closed while it was being read")
            }
            do {
                if let expired = control.deadlineError() { throw expired }
                if let chunk = try await produce() {
                    control.countDownloaded(chunk.readableBytes)
                    return chunk
                }
                done = true
                await control.close()
                return nil
            } catch {
                done = true
                await control.close()
                throw error
            }
        }

        private mutating func produce() async throws -> ByteBuffer? {
            switch next {
            case .pending(let buffer):
                next = .pending(nil)
                return buffer
            case .pendingArray(let bytes):
                next = .pendingArray(nil)
                return bytes.map { ByteBuffer(bytes: $0) }
            case .connection(let body): return try await body.next()
            case .call(let call): return try await call()
            case .failed(let error): throw error
            }
        }
    }
}

/// Remembers whether a one-shot stream was started.
private final class UsedFlag: Sendable {
    private let used = Atomic<Bool>(false)
    /// Marks the stream used; returns whether it already was.
    func markUsed() -> Bool {
        used.exchange(true, ordering: .relaxed)
    }
}
