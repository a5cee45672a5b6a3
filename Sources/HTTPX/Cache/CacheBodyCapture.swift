import NIOCore

/// Reads a response body (as received, still content-encoded) for storing, up to a limit.
///
/// A body within the limit comes back whole, to store and to deliver from memory. A longer one
/// (or one whose reading failed) is not stored: the caller gets a body that replays the chunks
/// already read, then reads on from the origin (or throws the failure where it happened), so
/// the reader sees exactly the bytes it would have seen without the cache.
enum CacheBodyCapture {
    enum Outcome: Sendable {
        /// The whole body, within the limit.
        case complete(ByteBuffer)
        /// The body to deliver instead of the original one; not to be stored.
        case passThrough(ResponseBody)
    }

    static func capture(_ body: ResponseBody, limit: Int) async -> Outcome {
        if case .buffer(let buffer) = body.storage {
            return buffer.readableBytes <= limit ? .complete(buffer) : .passThrough(body)
        }
        var iterator = body.chunks.makeAsyncIterator()
        var prefix: [ByteBuffer] = []
        var total = 0
        do {
            while let chunk = try await iterator.next() {
                total += chunk.readableBytes
                prefix.append(chunk)
                if total > limit {
                    return .passThrough(replaying(prefix, then: ReplayTail(iterator: iterator), closing: body))
                }
            }
        } catch {
            return .passThrough(replaying(prefix, then: ReplayTail(failure: error), closing: body))
        }
        if prefix.count == 1, let only = prefix.first { return .complete(only) }
        var whole = ByteBuffer()
        whole.reserveCapacity(total)
        for var chunk in prefix { whole.writeBuffer(&chunk) }
        return .complete(whole)
    }

    /// A streamed body of `prefix`, then what `tail` yields; closing it closes `original`.
    private static func replaying(_ prefix: [ByteBuffer], then tail: ReplayTail, closing original: ResponseBody) -> ResponseBody {
        let chunks = ByteStream(replayable: false) {
            var pending = prefix[...]
            return {
                if let next = pending.popFirst() { return next }
                return try await tail.next()
            }
        }
        return ResponseBody(stream: chunks, onClose: { await original.close() })
    }
}

/// The rest of a body after the replayed prefix: the origin's remaining chunks, or the failure
/// that stopped reading. Read by one reader at a time (a body streams once).
private final class ReplayTail: @unchecked Sendable {
    private var iterator: ByteStream.AsyncIterator?
    private var failure: (any Error)?

    init(iterator: ByteStream.AsyncIterator) {
        self.iterator = iterator
    }

    init(failure: any Error) {
        self.failure = failure
    }

    func next() async throws -> ByteBuffer? {
        if let failure {
            self.failure = nil
            throw failure
        }
        guard var current = iterator else { return nil }
        iterator = nil
        let chunk = try await current.next()
        if chunk != nil { iterator = current }
        return chunk
    }
}
