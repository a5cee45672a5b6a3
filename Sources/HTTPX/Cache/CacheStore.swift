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
    /// The secondary key, which tells variants of one URL apart (RFC 9111 §4.1): the store's
    /// keyed hash (``CacheStore/secondaryKey(for:)``) of the request header fields that the
    /// response's `Vary` nominates, never those values in the clear; empty when the response
    /// has no `Vary`.
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

    /// An entry of the given parts, as ``CacheTransport`` makes one (a store of your own makes
    /// one when it reads back what it kept).
    ///
    /// - Parameters:
    ///   - key: the primary key: the request's URL without userinfo or fragment.
    ///   - variantKey: the secondary key (see ``variantKey``); empty when the response has no `Vary`.
    ///   - statusCode: the response's status code.
    ///   - reasonPhrase: its reason phrase.
    ///   - httpVersion: the protocol version it came with, such as `HTTP/1.1`.
    ///   - headers: its header fields as stored.
    ///   - body: its body as received (still content-encoded).
    ///   - requestTime: when the request that brought it (or its last validation) was sent.
    ///   - responseTime: when it (or its last validation) was received.
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
///
/// Only the first four requirements must be written; the others have default implementations
/// built on them, which a store can replace with better ones (``DiskCacheStore`` reads only the
/// bodies it is asked for, and keeps its ``secondaryKey(for:)`` key across restarts).
public protocol CacheStore: Sendable {
    /// Every entry stored under `key`, one per variant.
    func entries(for key: String) async throws -> [CacheEntry]
    /// Stores `entry`, replacing the entry with the same key and variant key.
    func put(_ entry: CacheEntry) async throws
    /// Removes every entry stored under `key`.
    func remove(key: String) async throws
    /// Removes every entry.
    func removeAll() async throws

    /// Every entry stored under `key`, one per variant, with the body only of those that
    /// `loadsBody` accepts: the others may come with an empty body, and are used only for
    /// their metadata. ``CacheTransport`` looks entries up this way, asking for the bodies of
    /// the variants that match the request.
    ///
    /// By default, ``entries(for:)``: every body is read.
    func entries(for key: String, loadingBodiesWhere loadsBody: @escaping @Sendable (CacheEntry) -> Bool) async throws -> [CacheEntry]

    /// Removes the entry stored under `key` with the secondary key `variantKey`, and no other.
    ///
    /// By default, the other variants are read, all are removed, and the others put back.
    func remove(key: String, variantKey: String) async throws

    /// The secondary key (``CacheEntry/variantKey``) for the normalised values of the request
    /// header fields a response's `Vary` nominates, which may include credentials
    /// (`Authorization`, `Cookie`): an HMAC-SHA256 of them under a random key of the store, so
    /// that neither the values nor a hash anyone could recompute from a guess are stored.
    ///
    /// It must return the same key for the same text as long as the store keeps its entries.
    /// By default, a key random for the life of the process: a store that outlives the process
    /// should keep a key of its own (a variant stored by an earlier process then never matches:
    /// a miss, not a wrong answer).
    func secondaryKey(for normalized: String) -> String
}

extension CacheStore {
    /// Every entry stored under `key`, bodies included: ``entries(for:)``.
    public func entries(
        for key: String, loadingBodiesWhere loadsBody: @escaping @Sendable (CacheEntry) -> Bool
    ) async throws -> [CacheEntry] {
        try await entries(for: key)
    }

    /// Removes the entry stored under `key` with the secondary key `variantKey`: reads the
    /// others, removes every entry of `key`, and puts the others back.
    public func remove(key: String, variantKey: String) async throws {
        let others = try await entries(for: key).filter { $0.variantKey != variantKey }
        try await remove(key: key)
        for entry in others { try await put(entry) }
    }

    /// An HMAC-SHA256 of `normalized` under a key random for the life of the process.
    public func secondaryKey(for normalized: String) -> String {
        CacheHash.hmacHex(normalized, key: CacheHash.processKey)
    }
}

extension HTTPXError.Kind {
    /// A cache store's failure: a file of ``DiskCacheStore`` that cannot be written, a
    /// directory that cannot be read. ``CacheTransport`` logs such failures and answers as if
    /// nothing were stored; they reach you only from a store's own methods.
    public static let cacheStore = Self("CacheStoreError", parent: .httpError)
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
    /// - Throws: ``HTTPXError/Kind/invalidArgument`` when the directory cannot be created;
    ///   ``HTTPXError/Kind/cacheStore`` when its key file cannot be read or made.
    public static func disk(directory: String, maxBytes: Int = 256 << 20, maxEntries: Int = 10_000) throws -> DiskCacheStore {
        try DiskCacheStore(directory: directory, maxBytes: maxBytes, maxEntries: maxEntries)
    }
}
