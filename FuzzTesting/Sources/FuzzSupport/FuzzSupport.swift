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

    /// The most pieces ``pieces(_:size:)`` cuts an input into: each piece is a trip through
    /// the async or channel machinery, which is slow under the sanitizers (64 Ki one-byte
    /// pieces take seconds), so the rest of a long input comes as one last piece.
    public static let maximumPieces = 1024

    /// `bytes` cut into pieces of `size` bytes (the last may be shorter, or longer to keep to
    /// ``maximumPieces``); one piece when `size` is 0 or larger than the input, none when the
    /// input is empty.
    public static func pieces(_ bytes: [UInt8], size: Int) -> [[UInt8]] {
        guard !bytes.isEmpty else { return [] }
        guard size > 0, size < bytes.count else { return [bytes] }
        var pieces: [[UInt8]] = []
        var start = 0
        while start < bytes.count {
            let end = pieces.count == maximumPieces - 1 ? bytes.count : min(start + size, bytes.count)
            pieces.append(Array(bytes[start..<end]))
            start = end
        }
        return pieces
    }

    /// The piece sizes a target picks from with a few bits of its input: the whole input,
    /// single bytes, and sizes around common boundaries.
    public static let pieceSizes = [0, 1, 2, 3, 7, 64, 511, 4096]
}

/// Runs `operation` to its end and waits for it.
///
/// The task starts on the calling thread and runs there until it first suspends (the bodies
/// the targets read are in memory, so usually it never does), so what it allocates is freed
/// before the target returns; libFuzzer would otherwise see allocations outlive the input
/// and run a leak check after every one. Where the task does suspend, it goes on on the
/// concurrency runtime's threads, and the calling thread (libFuzzer's, not one of the
/// runtime's) waits for it.
public func runBlocking(_ operation: @escaping @Sendable () async -> Void) {
    let done = DispatchSemaphore(value: 0)
    let body: @Sendable () async -> Void = {
        await operation()
        done.signal()
    }
    if #available(macOS 26.0, *) {
        Task.immediate(operation: body)
    } else {
        Task(operation: body)
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
