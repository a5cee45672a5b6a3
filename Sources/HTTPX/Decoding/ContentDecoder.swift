import NIOCore

/// Decodes a body by the codings its `Content-Encoding` lists, last applied first undone.
struct ContentDecoder {
    private var decoders: [ZlibDecoder]

    /// A decoder for `contentEncoding`; unknown codings (`br`, `zstd`) and `identity` pass
    /// through unchanged, as in httpx.
    init(contentEncoding: String?) {
        let codings = (contentEncoding ?? "").split(separator: ",").map { $0.trimmingSpaces.lowercased() }
        decoders = codings.reversed().compactMap { coding in
            switch coding {
            case "gzip", "x-gzip": ZlibDecoder(format: .gzip)
            case "deflate": ZlibDecoder(format: .deflate)
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
