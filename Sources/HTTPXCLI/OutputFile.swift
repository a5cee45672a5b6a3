#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import HTTPX
import NIOCore

/// A file a download is written to, created or truncated.
final class OutputFile {
    let path: String
    private var descriptor: Int32

    init(path: String) throws {
        self.path = path
        descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard descriptor >= 0 else {
            throw HTTPXError(.invalidArgument, "Cannot write the download to '\(path)': \(String(cString: strerror(errno)))")
        }
    }

    func write(_ buffer: ByteBuffer) throws {
        try buffer.withUnsafeReadableBytes { bytes in
            var offset = 0
            while offset < bytes.count {
                guard let base = bytes.baseAddress else { return }
                #if canImport(Darwin)
                let written = Darwin.write(descriptor, base + offset, bytes.count - offset)
                #elseif canImport(Musl)
                let written = Musl.write(descriptor, base + offset, bytes.count - offset)
                #else
                let written = Glibc.write(descriptor, base + offset, bytes.count - offset)
                #endif
                if written < 0 && errno == EINTR { continue }
                guard written > 0 else {
                    throw HTTPXError(.invalidArgument, "Cannot write the download to '\(path)': \(String(cString: strerror(errno)))")
                }
                offset += written
            }
        }
    }

    func close() {
        guard descriptor >= 0 else { return }
        #if canImport(Darwin)
        _ = Darwin.close(descriptor)
        #elseif canImport(Musl)
        _ = Musl.close(descriptor)
        #else
        _ = Glibc.close(descriptor)
        #endif
        descriptor = -1
    }

    deinit { close() }
}
