#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import NIOCore
import NIOPosix

/// A file on disk used as a body, read in chunks when the body is sent.
struct FileSource: Sendable, Hashable {
    let path: String
    let size: Int

    static let chunkSize = 64 * 1024

    /// Checks that `path` names a readable regular file and records its size.
    init(path: String, purpose: String) throws {
        var info = stat()
        guard stat(path, &info) == 0 else {
            throw HTTPXError(.invalidArgument, "Cannot read \(purpose) '\(path)': \(Self.lastError())")
        }
        guard (info.st_mode & S_IFMT) == S_IFREG else {
            throw HTTPXError(.invalidArgument, "Cannot read \(purpose) '\(path)': not a regular file")
        }
        guard access(path, R_OK) == 0 else {
            throw HTTPXError(.invalidArgument, "Cannot read \(purpose) '\(path)': \(Self.lastError())")
        }
        self.path = path
        self.size = Int(info.st_size)
    }

    /// A reader that yields the file's chunks and closes the file at its end or on an error.
    /// Each read runs on SwiftNIO's blocking-I/O thread pool, not on the cooperative pool
    /// that runs the tasks.
    func makeReader() -> () async throws -> ByteBuffer? {
        let reader = FileReader(path: path)
        return { try await reader.next() }
    }

    static func lastError() -> String {
        String(cString: strerror(errno))
    }
}

/// Reads a file sequentially; the descriptor is closed at the end of the file, on an error,
/// or when the reader is dropped early.
private final class FileReader {
    private let path: String
    private var descriptor: Int32 = -1
    private var finished = false

    init(path: String) {
        self.path = path
    }

    func next() async throws -> ByteBuffer? {
        if finished { return nil }
        if descriptor < 0 {
            let path = self.path
            descriptor = try await NIOThreadPool.singleton.runIfActive { open(path, O_RDONLY | O_CLOEXEC) }
            if descriptor < 0 {
                finished = true
                throw HTTPXError(.invalidArgument, "Cannot open file '\(path)': \(FileSource.lastError())")
            }
        }
        let fd = descriptor
        let (buffer, count, failure) = try await NIOThreadPool.singleton.runIfActive { Self.readChunk(fd) }
        if let failure {
            finish()
            throw HTTPXError(.invalidArgument, "Cannot read file '\(path)': \(failure)")
        }
        if count == 0 {
            finish()
            return nil
        }
        return buffer
    }

    /// Reads the next chunk of `fd`: the bytes, how many, or why it failed.
    private static func readChunk(_ fd: Int32) -> (ByteBuffer, Int, String?) {
        var buffer = ByteBuffer()
        var count = 0
        buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: FileSource.chunkSize) { raw in
            repeat {
                count = read(fd, raw.baseAddress, FileSource.chunkSize)
            } while count < 0 && errno == EINTR
            return max(count, 0)
        }
        return (buffer, count, count < 0 ? FileSource.lastError() : nil)
    }

    private func finish() {
        finished = true
        if descriptor >= 0 {
            close(descriptor)
            descriptor = -1
        }
    }

    deinit {
        if descriptor >= 0 { close(descriptor) }
    }
}
