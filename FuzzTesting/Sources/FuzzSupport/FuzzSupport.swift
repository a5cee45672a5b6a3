import Dispatch
import NIOCore

/// Helpers shared by the fuzz targets: bounding an input, splitting it into fields, and
/// running async code from the synchronous `LLVMFuzzerTestOneInput`.
public enum FuzzInput {
    /// The largest input a target looks at; longer ones are skipped, so every run stays small.
    public static let maximumSize = 64 * 1024

    /// The input's bytes, or `nil` when it is longer than ``maximumSize``.
    public static func bytes(_ start: UnsafePointer<UInt8>, _ count: Int) -> [UInt8]? {
        guard count >= 0, count <= maximumSize else { return nil }
        return Array(UnsafeBufferPointer(start: start, count: count))
    }

    /// `bytes` split at every `\n` (an empty input gives one empty line). A trailing `\r` is
    /// kept, as the parsers are to see it.
    public static func lines(_ bytes: some Collection<UInt8>) -> [String] {
        bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
            .map { String(decoding: $0, as: UTF8.self) }
    }

    /// The bytes before the first `\n` as text, and the bytes after it (empty when there is none).
    public static func firstLine(_ bytes: [UInt8]) -> (line: String, rest: [UInt8]) {
        guard let newline = bytes.firstIndex(of: UInt8(ascii: "\n")) else {
            return (String(decoding: bytes, as: UTF8.self), [])
        }
        return (String(decoding: bytes[..<newline], as: UTF8.self), Array(bytes[(newline + 1)...]))
    }

    /// `bytes` cut into pieces of `size` bytes (the last may be shorter); one piece when
    /// `size` is 0 or larger than the input, none when the input is empty.
    public static func pieces(_ bytes: [UInt8], size: Int) -> [[UInt8]] {
        guard !bytes.isEmpty else { return [] }
        guard size > 0, size < bytes.count else { return [bytes] }
        return stride(from: 0, to: bytes.count, by: size).map { Array(bytes[$0..<min($0 + size, bytes.count)]) }
    }

    /// The piece sizes a target picks from with a few bits of its input: the whole input,
    /// single bytes, and sizes around common boundaries.
    public static let pieceSizes = [0, 1, 2, 3, 7, 64, 511, 4096]
}

/// Runs `operation` to its end on the concurrency runtime's threads and waits for it.
///
/// libFuzzer calls the target on its own thread, which is not one of the runtime's, so
/// blocking it while the task runs cannot starve the task.
public func runBlocking(_ operation: @escaping @Sendable () async -> Void) {
    let done = DispatchSemaphore(value: 0)
    Task {
        await operation()
        done.signal()
    }
    done.wait()
}

/// An async sequence over buffers given up front: a response body that arrives in pieces.
public struct Chunks: AsyncSequence, Sendable {
    public typealias Element = ByteBuffer
    let buffers: [ByteBuffer]

    public init(_ pieces: [[UInt8]]) {
        buffers = pieces.map { ByteBuffer(bytes: $0) }
    }

    public struct AsyncIterator: AsyncIteratorProtocol {
        var remaining: ArraySlice<ByteBuffer>

        public mutating func next() async -> ByteBuffer? {
            remaining.popFirst()
        }
    }

    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(remaining: buffers[...])
    }
}
