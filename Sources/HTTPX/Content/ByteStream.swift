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

    private let maker: @Sendable () -> AsyncIterator
    /// Whether the stream can be iterated more than once.
    public let isReplayable: Bool

    /// A stream over the chunks that `makeNext` yields; each call of `makeNext` starts a new pass.
    init(replayable: Bool, makeNext: @escaping @Sendable () -> (() async throws -> ByteBuffer?)) {
        self.isReplayable = replayable
        self.maker = { AsyncIterator(nextChunk: makeNext()) }
    }

    /// A stream that yields `buffer` once per pass, or nothing when it is empty.
    public init(_ buffer: ByteBuffer) {
        self.init(replayable: true) {
            var pending: ByteBuffer? = buffer.readableBytes > 0 ? buffer : nil
            return {
                defer { pending = nil }
                return pending
            }
        }
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

    /// A stream that can be iterated once, over `sequence`'s byte arrays.
    public init<Chunks: AsyncSequence & Sendable>(bytes sequence: Chunks) where Chunks.Element == [UInt8] {
        self.init(sequence.map { @Sendable bytes in ByteBuffer(bytes: bytes) })
    }

    public func makeAsyncIterator() -> AsyncIterator {
        maker()
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
        let nextChunk: () async throws -> ByteBuffer?

        public mutating func next() async throws -> ByteBuffer? {
            try await nextChunk()
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
