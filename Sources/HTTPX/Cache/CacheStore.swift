#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import NIOCore

/// A stored response, as a ``CacheStore`` keeps it: the response's status, headers and body
/// (still content-encoded), when it was requested and received, and which variant it is.
///
/// ``CacheTransport`` makes entries; a store of your own only keeps and returns them.
public struct CacheEntry: Sendable {
    /// The primary cache key: the request's URL without userinfo or fragment.
    public var key: String
    /// The secondary key, which tells variants of one URL apart (RFC 9111 §4.1): a SHA-256 of
    /// the request header fields that the response's `Vary` nominates, never those values in
    /// the clear; empty when the response has no `Vary`.
    public var variantKey: String
    /// The status code.
    public var statusCode: Int
    /// The reason phrase.
    public var reasonPhrase: String
    /// The protocol version the response came with.
    public var httpVersion: String
    /// The header fields as stored: hop-by-hop fields and `Set-Cookie` removed, a `Date` added
    /// when the server sent none.
    public var headers: Headers
    /// The body as received (still content-encoded).
    public var body: ByteBuffer
    /// When the request that brought this response (or its last validation) was sent.
    public var requestTime: Date
    /// When the response (or its last validation) was received.
    public var responseTime: Date

    public init(
        key: String, variantKey: String, statusCode: Int, reasonPhrase: String, httpVersion: String,
        headers: Headers, body: ByteBuffer, requestTime: Date, responseTime: Date
    ) {
        self.key = key
        self.variantKey = variantKey
        self.statusCode = statusCode
        self.reasonPhrase = reasonPhrase
        self.httpVersion = httpVersion
        self.headers = headers
        self.body = body
        self.requestTime = requestTime
        self.responseTime = responseTime
    }

    /// About how many bytes the entry takes: its body, header fields and keys.
    public var approximateSize: Int {
        var size = 128 + key.utf8.count + variantKey.utf8.count + reasonPhrase.utf8.count + body.readableBytes
        for field in headers.fields { size += field.name.utf8.count + field.value.utf8.count + 8 }
        return size
    }
}

/// Where a ``CacheTransport`` keeps responses: ``MemoryCacheStore`` (the default),
/// ``DiskCacheStore``, or a store of your own.
///
/// A store holds entries by their ``CacheEntry/key``, several per key when responses vary
/// (one per ``CacheEntry/variantKey``). It decides what to evict; the transport decides what
/// to store and when a stored response may be used.
///
/// ```swift
/// let cached = CacheTransport(wrapping: HTTPTransport(), store: .memory(maxBytes: 32 << 20))
/// let onDisk = CacheTransport(wrapping: HTTPTransport(), store: try .disk(directory: "/var/cache/my-app"))
/// ```
///
/// The transport treats a store's failure as a cache miss (and logs it): a broken store
/// slows requests down, never fails them.
public protocol CacheStore: Sendable {
    /// Every entry stored under `key`, one per variant.
    func entries(for key: String) async throws -> [CacheEntry]
    /// Stores `entry`, replacing the entry with the same key and variant key.
    func put(_ entry: CacheEntry) async throws
    /// Removes every entry stored under `key`.
    func remove(key: String) async throws
    /// Removes every entry.
    func removeAll() async throws
}

extension CacheStore where Self == MemoryCacheStore {
    /// A store in memory: see ``MemoryCacheStore``.
    public static func memory(maxBytes: Int = 64 << 20, maxEntries: Int = 10_000) -> MemoryCacheStore {
        MemoryCacheStore(maxBytes: maxBytes, maxEntries: maxEntries)
    }
}

extension CacheStore where Self == DiskCacheStore {
    /// A store in files under `directory`: see ``DiskCacheStore``.
    ///
    /// - Throws: ``HTTPXError/Kind/invalidArgument`` when the directory cannot be created.
    public static func disk(directory: String, maxBytes: Int = 256 << 20, maxEntries: Int = 10_000) throws -> DiskCacheStore {
        try DiskCacheStore(directory: directory, maxBytes: maxBytes, maxEntries: maxEntries)
    }
}
