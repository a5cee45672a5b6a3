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

    /// The entry files of `directory`, least recently used first. Temporary files an
    /// interrupted write left more than an hour ago are deleted on the way.
    static func scan(_ directory: String) -> [Scanned] {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return [] }
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

    /// Reads and decodes the entry file at `path`, at most `maxSize` bytes; marks it used
    /// (its modification time) when it is valid and `touch` is set.
    static func readEntry(at path: String, maxSize: Int, touch: Bool) -> ReadResult {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return .missing }
        defer { close(descriptor) }
        var info = stat()
        guard fstat(descriptor, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { return .missing }
        let size = Int(clamping: info.st_size)
        guard size >= 0, size <= maxSize else { return .corrupt }
        var buffer = ByteBufferAllocator().buffer(capacity: size + 1)
        while true {
            var count = 0
            buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: 1) { raw in
                repeat {
                    count = read(descriptor, raw.baseAddress, raw.count)
                } while count < 0 && errno == EINTR
                return max(count, 0)
            }
            if count < 0 { return .missing }
            if count == 0 { break }
            if buffer.readableBytes > maxSize { return .corrupt }
        }
        guard let entry = DiskCacheFormat.decode(buffer) else { return .corrupt }
        if touch { utimes(path, nil) }
        return .entry(entry)
    }

    /// Writes `bytes` to a temporary file in `directory`, then renames it to `path`, so a
    /// reader sees the old file or the new one, never a part.
    static func writeAtomically(_ bytes: ByteBuffer, to path: String, directory: String) throws {
        let temporary = directory + "/" + DiskCacheFormat.temporaryPrefix + String(UInt64.random(in: 0...UInt64.max), radix: 16)
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            throw HTTPXError(.invalidArgument, "Cannot create the cache file '\(temporary)': \(lastError())")
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
        if let failure {
            unlink(temporary)
            throw HTTPXError(.invalidArgument, "Cannot write the cache file '\(temporary)': \(failure)")
        }
        guard closed, rename(temporary, path) == 0 else {
            let reason = lastError()
            unlink(temporary)
            throw HTTPXError(.invalidArgument, "Cannot write the cache file '\(path)': \(reason)")
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
