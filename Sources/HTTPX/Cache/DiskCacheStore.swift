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
///   matching uses their hash).
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
    /// - Throws: ``HTTPXError/Kind/invalidArgument`` when the directory cannot be created.
    public init(directory: String, maxBytes: Int = 256 << 20, maxEntries: Int = 10_000) throws {
        var path = directory
        while path.count > 1, path.hasSuffix("/") { path.removeLast() }
        guard !path.isEmpty else {
            throw HTTPXError(.invalidArgument, "The cache directory must not be empty")
        }
        try DiskCacheFiles.createDirectory(path)
        self.directory = path
        self.maxBytes = max(0, maxBytes)
        self.maxEntries = max(0, maxEntries)
    }

    /// How many entries the directory holds.
    public var count: Int {
        get async {
            await acquire()
            defer { release() }
            await load()
            return files.count
        }
    }

    /// How many bytes the entry files take.
    public var totalBytes: Int {
        get async {
            await acquire()
            defer { release() }
            await load()
            return bytes
        }
    }

    public func entries(for key: String) async throws -> [CacheEntry] {
        await acquire()
        defer { release() }
        await load()
        let names = Array(namesByKeyHash[DiskCacheFormat.keyHash(key)] ?? [])
        guard !names.isEmpty else { return [] }
        let directory = self.directory
        let limit = maxBytes
        let results = try await NIOThreadPool.singleton.runIfActive {
            names.map { DiskCacheFiles.readEntry(at: directory + "/" + $0, maxSize: limit, touch: true) }
        }
        var found: [CacheEntry] = []
        var broken: [String] = []
        for (name, result) in zip(names, results) {
            switch result {
            case .entry(let entry):
                // A different key under the same hash is not this key's entry.
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

    public func put(_ entry: CacheEntry) async throws {
        await acquire()
        defer { release() }
        await load()
        let name = DiskCacheFormat.fileName(key: entry.key, variantKey: entry.variantKey)
        let keyHash = DiskCacheFormat.keyHash(entry.key)
        let directory = self.directory
        let path = directory + "/" + name
        let limit = maxEntries > 0 ? maxBytes : 0
        let written: Int? = try await NIOThreadPool.singleton.runIfActive {
            let encoded = DiskCacheFormat.encode(entry)
            guard encoded.readableBytes <= limit else { return nil }
            try DiskCacheFiles.writeAtomically(encoded, to: path, directory: directory)
            return encoded.readableBytes
        }
        let replaced = files[name] != nil
        forget(name)
        guard let written else {
            // Too large to keep: the entry it replaces goes too.
            if replaced { await delete([name]) }
            return
        }
        files[name] = FileRecord(keyHash: keyHash, size: written)
        namesByKeyHash[keyHash, default: []].insert(name)
        order.touch(name)
        bytes += written
        await evictIfNeeded()
    }

    public func remove(key: String) async throws {
        await acquire()
        defer { release() }
        await load()
        let names = Array(namesByKeyHash[DiskCacheFormat.keyHash(key)] ?? [])
        for name in names { forget(name) }
        if !names.isEmpty { await delete(names) }
    }

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

    /// Reads the directory the first time the store is used.
    private func load() async {
        if loaded { return }
        loaded = true
        let directory = self.directory
        let scanned = (try? await NIOThreadPool.singleton.runIfActive { DiskCacheFiles.scan(directory) }) ?? []
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
