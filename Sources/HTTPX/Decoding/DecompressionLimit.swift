/// How far a compressed response body may expand as it is decoded: a bound on what a server
/// can make the client allocate and compute with a few bytes (a "decompression bomb").
///
/// Past either bound, reading the body fails with ``HTTPXError/Kind/decoding`` naming the
/// bound. Streamed bodies are decoded in slices of at most 64 KiB whatever the limit, so memory
/// stays constant; the limit bounds the work, and with ``Limits/maxBodySize`` the memory of
/// bodies read whole.
///
/// ```swift
/// let client = AsyncClient(.init(limits: Limits(decompression: .ratio(100))))
/// let unlimited = AsyncClient(.init(limits: Limits(decompression: .none)))
/// ```
public struct DecompressionLimit: Hashable, Sendable {
    /// The most decoded bytes per received byte, checked once more than 1 MiB is decoded (so
    /// small, highly compressible bodies pass); `nil` for no bound.
    public var maxRatio: Int?
    /// The most decoded bytes in all; `nil` for no bound.
    public var maxSize: Int?

    public init(maxRatio: Int? = nil, maxSize: Int? = nil) {
        self.maxRatio = maxRatio.map { max(1, $0) }
        self.maxSize = maxSize.map { max(0, $0) }
    }

    /// No bound (slices still keep streamed bodies in constant memory).
    public static let none = DecompressionLimit()

    /// At most `ratio` decoded bytes per received byte.
    public static func ratio(_ ratio: Int) -> DecompressionLimit { DecompressionLimit(maxRatio: ratio) }

    /// At most `bytes` decoded bytes.
    public static func size(_ bytes: Int) -> DecompressionLimit { DecompressionLimit(maxSize: bytes) }

    /// 1000 decoded bytes per received byte: above what real content reaches (text and JSON
    /// compress 5 to 50 times, long runs of one byte about 1000 times with one gzip layer),
    /// below what stacked codings or crafted bombs do.
    public static let `default` = DecompressionLimit(maxRatio: 1000)

    /// Bodies decoding to at most this many bytes are not checked against ``maxRatio``.
    static let ratioFloor = 1 << 20
}
