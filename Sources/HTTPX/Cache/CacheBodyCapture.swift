import NIOCore

/// Copies a streamed response body aside for storing while it streams to its reader.
///
/// The reader gets every chunk as soon as the origin sends it, exactly as it would without
/// the cache (failures included, where they happen). The chunks are kept aside up to a limit:
/// when the body ends within it, `settle` gets the whole body to store, before the reader sees
/// the end; when it grows past the limit, the copy is dropped and `settle` gets `nil` at once.
/// A body that fails, or is closed before its end, is not settled.
enum CacheBodyCapture {
    static func tee(
        _ body: ResponseBody, limit: Int, settle: @escaping @Sendable (ByteBuffer?) async -> Void
    ) -> ResponseBody {
        let source = body.chunks
        let chunks = ByteStream(replayable: false) {
            var iterator = source.makeAsyncIterator()
            var copy = Copy(limit: limit)
            return {
                guard let chunk = try await iterator.next() else {
                    if let whole = copy.finish() { await settle(whole) }
                    return nil
                }
                if copy.append(chunk) == .exceeded { await settle(nil) }
                return chunk
            }
        }
        return ResponseBody(stream: chunks, onClose: { await body.close() })
    }

    /// The chunks kept aside, up to a limit.
    struct Copy {
        enum Step: Equatable {
            /// Kept, or nothing to do (the copy was dropped earlier, or the body ended).
            case kept
            /// This chunk took the copy past the limit: it was dropped.
            case exceeded
        }

        let limit: Int
        private var chunks: [ByteBuffer] = []
        private var total = 0
        /// Whether chunks are still being kept (not past the limit, not finished).
        private var copying = true

        init(limit: Int) {
            self.limit = limit
        }

        mutating func append(_ chunk: ByteBuffer) -> Step {
            guard copying else { return .kept }
            total += chunk.readableBytes
            if total > limit {
                copying = false
                chunks = []
                return .exceeded
            }
            chunks.append(chunk)
            return .kept
        }

        /// The whole body, once, when it stayed within the limit.
        mutating func finish() -> ByteBuffer? {
            guard copying else { return nil }
            copying = false
            defer { chunks = [] }
            if chunks.count == 1, let only = chunks.first { return only }
            var whole = ByteBuffer()
            whole.reserveCapacity(total)
            for var chunk in chunks { whole.writeBuffer(&chunk) }
            return whole
        }
    }
}
