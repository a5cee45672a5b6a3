#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Crypto
import NIOCore
import NIOPosix

/// A ``CacheStore`` in files: one file per entry in a directory, which outlives the process —
/// a new store on the same directory serves what an earlier one stored.
///
/// ```swift
/// let store = try DiskCacheStore(directory: "/var/cache/my-app/http", maxBytes: 512 << 20)
/// let client = AsyncClient(.init(transport: CacheTransport(wrapping: HTTPTransport(), store: store)))
/// ```
///
/// - Each entry is a file named by the SHA-256 of its key (the URL) and variant, holding the
///   response's metadata and body; request header values never appear in it (`Vary`
///   matching uses an HMAC-SHA256 of them under a random key kept in the directory's
///   `vary.key`, readable by its owner only, so that the store can be read again after a
///   restart but the values cannot be guessed from the files).
/// - A lookup reads the metadata of a URL's variants, and the body only of those that match
///   the request.
/// - Writes go to a temporary file that is then renamed, so a crash leaves the old entry or the
///   new one, never a part.
/// - The directory is bounded by `maxBytes` and `maxEntries`: the least recently used entries
///   are deleted first (use is recorded in the files' modification times, so the order
///   survives a restart too).
/// - A file that is corrupt, truncated or not an entry of this format is ignored and deleted.
///
/// File operations run on SwiftNIO's blocking-I/O thread pool, one at a time per store (so a
/// write, a read and an eviction of one file never interleave). Use one store per directory in
/// a process; two processes sharing a directory see each other's entries, but each bounds
/// only what it knows of.
public actor DiskCacheStore: CacheStore {
    /// The directory of the entry files.
    public nonisolated let directory: String
    /// The most bytes the entry files may take together.
    public nonisolated let maxBytes: Int
    /// The most entry files kept.
    public nonisolated let maxEntries: Int
    /// The key of ``secondaryKey(for:)``, from the directory's key file.
    private nonisolated let varyKey: SymmetricKey

    private struct FileRecord {
        var keyHash: String
        var size: Int
    }

    private var files: [String: FileRecord] = [:]
    private var namesByKeyHash: [String: Set<String>] = [:]
    private var order = CacheLRU<String>()
    private var bytes = 0
    private var loaded = false
    /// Whether an operation is running; the others wait their turn in `waiters`.
    private var busy = false
    private var waiters: [CheckedContinuation<Void, Never>] = []

    /// A store in `directory` (created when missing) of at most `maxBytes` (256 MiB by
    /// default) in at most `maxEntries` files.
    ///
    /// - Throws: ``HTTPXError/Kind/invalidArgument`` when the directory cannot be created;
    ///   ``HTTPXError/Kind/cacheStore`` when its key file cannot be read or written.
    public init(directory: String, maxBytes: Int = 256 << 20, maxEntries: Int = 10_000) throws {
        var path = directory
        while path.count > 1, path.hasSuffix("/") { path.removeLast() }
        guard !path.isEmpty else {
            throw HTTPXError(.invalidArgument, "The cache directory must not be empty")
        }
        try DiskCacheFiles.createDirectory(path)
        let keyBytes = try DiskCacheFiles.varyKey(in: path)
        self.varyKey = SymmetricKey(data: keyBytes)
        self.directory = path
        self.maxBytes = max(0, maxBytes)
        self.maxEntries = max(0, maxEntries)
    }

    /// How many entries the directory holds (0 while it cannot be read).
    public var count: Int {
        get async {
            await acquire()
            defer { release() }
            try? await load()
            return files.count
        }
    }

    /// How many bytes the entry files take (0 while the directory cannot be read).
    public var totalBytes: Int {
        get async {
            await acquire()
            defer { release() }
            try? await load()
            return bytes
        }
    }

    /// Every entry stored under `key`, bodies included; each counts as just used.
    public func entries(for key: String) async throws -> [CacheEntry] {
        try await entries(for: key, loadingBodiesWhere: { _ in true })
    }

    /// Every entry stored under `key`: each file's metadata is read, and its body only when
    /// `loadsBody` accepts the entry (the others come with an empty body). Each counts as just
    /// used.
    public func entries(
        for key: String, loadingBodiesWhere loadsBody: @escaping @Sendable (CacheEntry) -> Bool
    ) async throws -> [CacheEntry] {
        await acquire()
        defer { release() }
        try await load()
        let names = Array(namesByKeyHash[DiskCacheFormat.keyHash(key)] ?? [])
        guard !names.isEmpty else { return [] }
        let directory = self.directory
        let limit = maxBytes
        let results = try await NIOThreadPool.singleton.runIfActive {
            names.map { name in
                DiskCacheFiles.readEntry(at: directory + "/" + name, maxSize: limit, touch: true) { entry in
                    // A different key under the same hash is not this key's entry.
                    entry.key == key && loadsBody(entry)
                }
            }
        }
        var found: [CacheEntry] = []
        var broken: [String] = []
        for (name, result) in zip(names, results) {
            switch result {
            case .entry(let entry):
                guard entry.key == key else { continue }
                order.touch(name)
                found.append(entry)
            case .missing:
                forget(name)
            case .corrupt:
                forget(name)
                broken.append(name)
            }
        }
        if !broken.isEmpty { await delete(broken) }
        return found
    }

    /// Writes `entry` to its file (unless it is larger than ``maxBytes``, or has more header
    /// fields than the format reads back: then the entry it would replace is deleted), then
    /// deletes the least recently used files beyond the bounds.
    ///
    /// - Throws: ``HTTPXError/Kind/cacheStore`` when the file cannot be written.
    public func put(_ entry: CacheEntry) async throws {
        await acquire()
        defer { release() }
        try await load()
        let name = DiskCacheFormat.fileName(key: entry.key, variantKey: entry.variantKey)
        let keyHash = DiskCacheFormat.keyHash(entry.key)
        let directory = self.directory
        let path = directory + "/" + name
        let limit = maxEntries > 0 ? maxBytes : 0
        let written: Int? = try await NIOThreadPool.singleton.runIfActive {
            guard let encoded = DiskCacheFormat.encode(entry), encoded.readableBytes <= limit else { return nil }
            try DiskCacheFiles.writeAtomically(encoded, to: path, directory: directory)
            return encoded.readableBytes
        }
        forget(name)
        guard let written else {
            // Not to be kept: the entry it replaces goes too (it may be untracked: deleting a
            // missing file is harmless).
            await delete([name])
            return
        }
        files[name] = FileRecord(keyHash: keyHash, size: written)
        namesByKeyHash[keyHash, default: []].insert(name)
        order.touch(name)
        bytes += written
        await evictIfNeeded()
    }

    /// Deletes every entry stored under `key`.
    public func remove(key: String) async throws {
        await acquire()
        defer { release() }
        try await load()
        let names = Array(namesByKeyHash[DiskCacheFormat.keyHash(key)] ?? [])
        for name in names { forget(name) }
        if !names.isEmpty { await delete(names) }
    }

    /// Deletes the entry stored under `key` with the secondary key `variantKey`.
    public func remove(key: String, variantKey: String) async throws {
        await acquire()
        defer { release() }
        try await load()
        let name = DiskCacheFormat.fileName(key: key, variantKey: variantKey)
        forget(name)
        await delete([name])
    }

    /// Deletes every entry file (the key file stays).
    public func removeAll() async throws {
        await acquire()
        defer { release() }
        loaded = true
        files = [:]
        namesByKeyHash = [:]
        order = CacheLRU<String>()
        bytes = 0
        let directory = self.directory
        try await NIOThreadPool.singleton.runIfActive { DiskCacheFiles.removeAllEntries(in: directory) }
    }

    /// Waits until no other operation runs.
    private func acquire() async {
        if !busy {
            busy = true
            return
        }
        // `release` hands the turn over directly: `busy` stays set.
        await withCheckedContinuation { waiters.append($0) }
    }

    private func release() {
        if waiters.isEmpty {
            busy = false
        } else {
            waiters.removeFirst().resume()
        }
    }

    /// The HMAC-SHA256 of `normalized` under the key kept in the directory's key file.
    public nonisolated func secondaryKey(for normalized: String) -> String {
        CacheHash.hmacHex(normalized, key: varyKey)
    }

    /// Reads the directory the first time the store is used; when that fails, the next use
    /// tries again.
    ///
    /// - Throws: ``HTTPXError/Kind/cacheStore`` when the directory cannot be listed.
    private func load() async throws {
        if loaded { return }
        let directory = self.directory
        guard let scanned = try await NIOThreadPool.singleton.runIfActive({ DiskCacheFiles.scan(directory) }) else {
            throw HTTPXError(.cacheStore, "Cannot list the cache directory '\(directory)'")
        }
        loaded = true
        for file in scanned where files[file.name] == nil {
            files[file.name] = FileRecord(keyHash: file.keyHash, size: file.size)
            namesByKeyHash[file.keyHash, default: []].insert(file.name)
            order.touch(file.name)
            bytes += file.size
        }
        await evictIfNeeded()
    }

    /// Deletes the least recently used files until the bounds hold.
    private func evictIfNeeded() async {
        var victims: [String] = []
        while bytes > maxBytes || files.count > maxEntries, let oldest = order.oldest {
            forget(oldest)
            victims.append(oldest)
        }
        if !victims.isEmpty { await delete(victims) }
    }

    /// Stops tracking a file (without deleting it).
    private func forget(_ name: String) {
        guard let record = files.removeValue(forKey: name) else { return }
        bytes -= record.size
        order.remove(name)
        namesByKeyHash[record.keyHash]?.remove(name)
        if namesByKeyHash[record.keyHash]?.isEmpty == true { namesByKeyHash[record.keyHash] = nil }
    }

    private func delete(_ names: [String]) async {
        let directory = self.directory
        _ = try? await NIOThreadPool.singleton.runIfActive {
            for name in names { DiskCacheFiles.removeFile(directory + "/" + name) }
        }
    }
}
