import NIOCore

/// Decodes a body by the codings its `Content-Encoding` lists, last applied first undone, in
/// slices of at most ``sliceSize`` bytes, and within a ``DecompressionLimit``.
///
/// Feed it what arrives with ``feed(_:)``, then take slices with ``next()`` until it returns
/// `nil`; after the last input, ``finish()`` checks that every compressed stream ended.
final class ContentDecoder {
    /// The largest slice of decoded bytes ``next()`` returns.
    static let sliceSize = 64 << 10
    /// The most codings one body may stack (`gzip, gzip, …`), as curl allows.
    static let maxCodings = 5

    private let stages: [any ContentCodingDecoder]
    private let limit: DecompressionLimit
    /// Whose body this is, for messages.
    private let owner: String
    private var received = 0
    private var produced = 0

    /// A decoder for `contentEncoding`; unknown codings (`compress`, or `br` and `zstd` on a
    /// machine without libbrotlidec or libzstd) and `identity` pass through unchanged, as in httpx.
    ///
    /// - Throws: ``HTTPXError/Kind/decoding`` when more than ``maxCodings`` codings are stacked,
    ///   or a decoder cannot start.
    init(contentEncoding: String?, limit: DecompressionLimit = .default, owner: String = "the response") throws {
        let codings = Self.codings(contentEncoding)
        guard codings.count <= Self.maxCodings else {
            throw HTTPXError(
                .decoding,
                "The body of \(owner) stacks \(codings.count) content codings; at most \(Self.maxCodings) are decoded")
        }
        stages = try codings.reversed().map { try ContentDecoder.makeStage($0) }
        self.limit = limit
        self.owner = owner
    }

    /// Whether `contentEncoding` leaves the body as it is, answered without setting up zlib.
    static func isIdentity(contentEncoding: String?) -> Bool {
        codings(contentEncoding).isEmpty
    }

    /// The codings this client decodes, for `Accept-Encoding`: gzip and deflate, then br and
    /// zstd when this machine has their libraries.
    static let supportedEncodings: String = {
        var names = ["gzip", "deflate"]
        if BrotliLibrary.shared != nil { names.append("br") }
        if ZstdLibrary.shared != nil { names.append("zstd") }
        return names.joined(separator: ", ")
    }()

    /// A coding this decoder undoes, with the library that undoes it.
    private enum Coding {
        case zlib(ZlibDecoder.Format)
        case brotli(BrotliLibrary)
        case zstd(ZstdLibrary)
    }

    /// The codings this decoder undoes, in the order they were applied.
    private static func codings(_ contentEncoding: String?) -> [Coding] {
        guard let contentEncoding, !contentEncoding.isEmpty else { return [] }
        return contentEncoding.split(separator: ",").compactMap { coding -> Coding? in
            switch coding.trimmingSpaces.lowercased() {
            case "gzip", "x-gzip": .zlib(.gzip)
            case "deflate": .zlib(.deflate)
            case "br": BrotliLibrary.shared.map { Coding.brotli($0) }
            case "zstd": ZstdLibrary.shared.map { Coding.zstd($0) }
            default: nil
            }
        }
    }

    /// The decoder for one coding.
    private static func makeStage(_ coding: Coding) throws -> any ContentCodingDecoder {
        switch coding {
        case .zlib(let format): return ZlibDecoder(format: format)
        case .brotli(let library): return try BrotliDecoder(library: library)
        case .zstd(let library): return try ZstdDecoder(library: library)
        }
    }

    var isIdentity: Bool { stages.isEmpty }

    /// Adds bytes of the body as received.
    func feed(_ chunk: ByteBuffer) {
        received += chunk.readableBytes
        stages.first?.feed(chunk)
    }

    /// The next slice of decoded bytes, or `nil` when more input is needed.
    ///
    /// - Throws: ``HTTPXError/Kind/decoding`` for a corrupt body or one past the limit.
    func next() throws -> ByteBuffer? {
        guard let last = stages.indices.last, let slice = try pull(last) else { return nil }
        produced += slice.readableBytes
        try checkLimit()
        return slice
    }

    /// Decodes the whole of `body` at once (for a body already in memory).
    func decodeAll(_ body: ByteBuffer) throws -> ByteBuffer {
        feed(body)
        var output = ByteBuffer()
        while var slice = try next() { output.writeBuffer(&slice) }
        try finish()
        return output
    }

    /// Checks at the end of the body that every compressed stream was complete.
    func finish() throws {
        for stage in stages { try stage.finish() }
    }

    /// A slice from stage `index`, feeding it from the stage before as it runs dry.
    private func pull(_ index: Int) throws -> ByteBuffer? {
        let stage = stages[index]
        while true {
            let output = try stage.inflate(upTo: Self.sliceSize)
            if output.readableBytes > 0 { return output }
            guard index > 0, let upstream = try pull(index - 1) else { return nil }
            stage.feed(upstream)
        }
    }

    private func checkLimit() throws {
        let coding = stages.map { $0.encodingName }.reversed().joined(separator: ", ")
        if let maxSize = limit.maxSize, produced > maxSize {
            throw HTTPXError(
                .decoding,
                "The \(coding)-encoded body of \(owner) decodes to more than \(maxSize) bytes, the decompression limit's maxSize")
        }
        if let maxRatio = limit.maxRatio, produced > DecompressionLimit.ratioFloor,
            produced / max(1, received) > maxRatio
        {
            throw HTTPXError(
                .decoding,
                "The \(coding)-encoded body of \(owner) decodes to more than \(maxRatio) times its \(received) received bytes, the decompression limit's maxRatio (a decompression bomb?)")
        }
    }
}
