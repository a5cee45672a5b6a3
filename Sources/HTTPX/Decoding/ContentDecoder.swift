import NIOCore

/// Decodes a body by the codings its `Content-Encoding` lists, last applied first undone.
struct ContentDecoder {
    private var decoders: [ZlibDecoder]

    /// A decoder for `contentEncoding`; unknown codings (`br`, `zstd`) and `identity` pass
    /// through unchanged, as in httpx.
    init(contentEncoding: String?) {
        decoders = Self.codings(contentEncoding).reversed().map(ZlibDecoder.init(format:))
    }

    /// Whether `contentEncoding` leaves the body as it is, answered without setting up zlib.
    static func isIdentity(contentEncoding: String?) -> Bool {
        codings(contentEncoding).isEmpty
    }

    /// The codings this decoder undoes, in the order they were applied.
    private static func codings(_ contentEncoding: String?) -> [ZlibDecoder.Format] {
        guard let contentEncoding, !contentEncoding.isEmpty else { return [] }
        return contentEncoding.split(separator: ",").compactMap { coding in
            switch coding.trimmingSpaces.lowercased() {
            case "gzip", "x-gzip": .gzip
            case "deflate": .deflate
            default: nil
            }
        }
    }

    var isIdentity: Bool { decoders.isEmpty }

    func decode(_ chunk: ByteBuffer) throws -> ByteBuffer {
        var data = chunk
        for decoder in decoders {
            data = try decoder.decode(data)
            if data.readableBytes == 0 { break }
        }
        return data
    }

    /// Checks at the end of the body that every compressed stream was complete.
    func finish() throws {
        for decoder in decoders { try decoder.finish() }
    }
}
