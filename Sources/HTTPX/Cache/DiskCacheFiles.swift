#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Crypto
import NIOCore

/// The file operations of ``DiskCacheStore``: blocking calls, run on SwiftNIO's blocking-I/O
/// thread pool, never on the tasks' cooperative threads.
enum DiskCacheFiles {
    /// An entry file found in the directory.
    struct Scanned: Sendable {
        var name: String
        var keyHash: String
        var size: Int
        /// The modification time (seconds since 1970): the last write or use.
        var modified: Double
    }

    /// What reading an entry file found.
    enum ReadResult: Sendable {
        case entry(CacheEntry)
        /// The file is gone, or could not be read (left as it is).
        case missing
        /// The file is not a whole, valid entry (to be deleted).
        case corrupt
    }

    /// Creates `path` and its parents.
    static func createDirectory(_ path: String) throws {
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true, attributes: nil)
        } catch {
            throw HTTPXError(.invalidArgument, "Cannot create the cache directory '\(path)': \(error)", underlying: error)
        }
        var info = stat()
        guard stat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR else {
            throw HTTPXError(.invalidArgument, "The cache directory '\(path)' is not a directory")
        }
    }

    /// The entry files of `directory`, least recently used first; `nil` when the directory
    /// cannot be listed. Temporary files an interrupted write left more than an hour ago are
    /// deleted on the way.
    static func scan(_ directory: String) -> [Scanned]? {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return nil }
        let now = Date().timeIntervalSince1970
        var found: [Scanned] = []
        for name in names {
            let path = directory + "/" + name
            var info = stat()
            guard stat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { continue }
            if name.hasPrefix(DiskCacheFormat.temporaryPrefix) {
                if now - modificationTime(info) > 3600 { unlink(path) }
                continue
            }
            guard let keyHash = DiskCacheFormat.keyHash(ofFileName: name) else { continue }
            found.append(Scanned(name: name, keyHash: keyHash, size: Int(clamping: info.st_size), modified: modificationTime(info)))
        }
        found.sort { ($0.modified, $0.name) < ($1.modified, $1.name) }
        return found
    }

    /// Reads and decodes the entry file at `path`, at most `maxSize` bytes: its header, then
    /// its body only when `loadsBody` accepts the entry (otherwise the body is left empty; its
    /// length is still checked against the file's). Marks the file used (its modification
    /// time) when it is valid and `touch` is set.
    static func readEntry(at path: String, maxSize: Int, touch: Bool, loadsBody: (CacheEntry) -> Bool) -> ReadResult {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return .missing }
        defer { close(descriptor) }
        var info = stat()
        guard fstat(descriptor, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { return .missing }
        let size = Int(clamping: info.st_size)
        guard size >= DiskCacheFormat.prefixLength, size <= maxSize else { return .corrupt }
        let prefix: ByteBuffer
        switch readFully(descriptor, count: DiskCacheFormat.prefixLength) {
        case .bytes(let bytes): prefix = bytes
        case .truncated: return .corrupt
        case .failed: return .missing
        }
        guard let headerLength = DiskCacheFormat.headerLength(ofPrefix: prefix) else { return .corrupt }
        let bodyOffset = DiskCacheFormat.prefixLength + headerLength + 8
        guard bodyOffset <= size else { return .corrupt }
        let head: (entry: CacheEntry, bodyLength: UInt64)
        switch readFully(descriptor, count: headerLength + 8) {
        case .bytes(let bytes):
            guard let decoded = DiskCacheFormat.decodeHead(bytes) else { return .corrupt }
            head = decoded
        case .truncated: return .corrupt
        case .failed: return .missing
        }
        guard head.bodyLength == UInt64(size - bodyOffset) else { return .corrupt }
        var entry = head.entry
        if loadsBody(entry) {
            switch readFully(descriptor, count: size - bodyOffset) {
            case .bytes(let body): entry.body = body
            case .truncated: return .corrupt
            case .failed: return .missing
            }
        }
        if touch { utimes(path, nil) }
        return .entry(entry)
    }

    /// What reading a number of bytes found.
    private enum Chunk {
        case bytes(ByteBuffer)
        /// The file ended first.
        case truncated
        /// Reading failed.
        case failed
    }

    /// The next `count` bytes of `descriptor`.
    private static func readFully(_ descriptor: Int32, count: Int) -> Chunk {
        var buffer = ByteBufferAllocator().buffer(capacity: count)
        while buffer.readableBytes < count {
            let remaining = count - buffer.readableBytes
            var result = 0
            buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: remaining) { raw in
                repeat {
                    result = read(descriptor, raw.baseAddress, remaining)
                } while result < 0 && errno == EINTR
                return max(result, 0)
            }
            if result < 0 { return .failed }
            if result == 0 { return .truncated }
        }
        return .bytes(buffer)
    }

    /// Writes `bytes` to a temporary file in `directory`, then renames it to `path`, so a
    /// reader sees the old file or the new one, never a part.
    ///
    /// - Throws: ``HTTPXError/Kind/cacheStore`` when a file cannot be written or renamed.
    static func writeAtomically(_ bytes: ByteBuffer, to path: String, directory: String) throws {
        let temporary = try writeTemporary(bytes, in: directory)
        guard rename(temporary, path) == 0 else {
            let reason = lastError()
            unlink(temporary)
            throw HTTPXError(.cacheStore, "Cannot rename the cache file '\(temporary)' to '\(path)': \(reason)")
        }
    }

    /// Writes `bytes` to a new temporary file (mode 0600) in `directory`; returns its path.
    private static func writeTemporary(_ bytes: ByteBuffer, in directory: String) throws -> String {
        let temporary = directory + "/" + DiskCacheFormat.temporaryPrefix + String(UInt64.random(in: 0...UInt64.max), radix: 16)
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            throw HTTPXError(.cacheStore, "Cannot create the cache file '\(temporary)': \(lastError())")
        }
        let failure: String? = bytes.withUnsafeReadableBytes { raw -> String? in
            guard let base = raw.baseAddress else { return nil }
            var offset = 0
            while offset < raw.count {
                let written = write(descriptor, base + offset, raw.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    return lastError()
                }
                offset += written
            }
            return nil
        }
        let closed = close(descriptor) == 0
        let closeFailure = closed ? nil : lastError()
        if let reason = failure ?? closeFailure {
            unlink(temporary)
            throw HTTPXError(.cacheStore, "Cannot write the cache file '\(temporary)': \(reason)")
        }
        return temporary
    }

    /// The length of a key of ``varyKey(in:)``.
    static let keyLength = 32

    /// The store's key for ``CacheStore/secondaryKey(for:)``, from the key file in
    /// `directory`; a new random one is written there (mode 0600) when the file is missing or
    /// not a key. Two processes starting on the same directory end up with the same key.
    ///
    /// - Throws: ``HTTPXError/Kind/cacheStore`` when the file cannot be read or written.
    static func varyKey(in directory: String) throws -> [UInt8] {
        let path = directory + "/" + DiskCacheFormat.keyFileName
        for _ in 0..<3 {
            let exists: Bool
            switch readKey(at: path) {
            case .key(let key): return key
            case .absent: exists = false
            case .invalid: exists = true
            case .failed(let reason):
                throw HTTPXError(.cacheStore, "Cannot read the cache key file '\(path)': \(reason)")
            }
            let key = SymmetricKey(size: .bits256).withUnsafeBytes { Array($0) }
            let temporary = try writeTemporary(ByteBuffer(bytes: key), in: directory)
            defer { unlink(temporary) }
            // A missing file is linked into place, which fails when another process made one
            // meanwhile (then that one is read); an invalid one is replaced.
            if (exists ? rename(temporary, path) : link(temporary, path)) == 0 { return key }
            if errno != EEXIST {
                throw HTTPXError(.cacheStore, "Cannot write the cache key file '\(path)': \(lastError())")
            }
        }
        throw HTTPXError(.cacheStore, "Cannot settle the cache key file '\(path)': it keeps changing")
    }

    private enum KeyFile {
        case key([UInt8])
        case absent
        case invalid
        case failed(String)
    }

    private static func readKey(at path: String) -> KeyFile {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return errno == ENOENT ? .absent : .failed(lastError()) }
        defer { close(descriptor) }
        var info = stat()
        guard fstat(descriptor, &info) == 0 else { return .failed(lastError()) }
        guard (info.st_mode & S_IFMT) == S_IFREG, info.st_size == off_t(keyLength) else { return .invalid }
        // Only the owner may read it (a file made by hand with wider rights is narrowed).
        if info.st_mode & 0o077 != 0 { _ = fchmod(descriptor, 0o600) }
        switch readFully(descriptor, count: keyLength) {
        case .bytes(let bytes): return .key(Array(bytes.readableBytesView))
        case .truncated: return .invalid
        case .failed: return .failed(lastError())
        }
    }

    /// Deletes the file at `path`, if it is there.
    static func removeFile(_ path: String) {
        unlink(path)
    }

    /// Deletes every entry file (and temporary file) in `directory`.
    static func removeAllEntries(in directory: String) {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return }
        for name in names where DiskCacheFormat.keyHash(ofFileName: name) != nil || name.hasPrefix(DiskCacheFormat.temporaryPrefix) {
            unlink(directory + "/" + name)
        }
    }

    private static func modificationTime(_ info: stat) -> Double {
        #if canImport(Darwin)
        Double(info.st_mtimespec.tv_sec) + Double(info.st_mtimespec.tv_nsec) / 1e9
        #else
        Double(info.st_mtim.tv_sec) + Double(info.st_mtim.tv_nsec) / 1e9
        #endif
    }

    private static func lastError() -> String {
        String(cString: strerror(errno))
    }
}
