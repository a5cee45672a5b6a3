// httpx-memory-probe: runs one large transfer in a process of its own and reports how far its
// resident memory rose above where it stood before the transfer.
//
//     httpx-memory-probe download-upload http://127.0.0.1:8080
//     httpx-memory-probe gzip-bomb Tests/Fixtures/zeros-1gib.gzip.gzip
//     httpx-memory-probe hummingbird -
//
// Prints `baseline=<bytes> peak=<bytes>` and exits 0, or prints the error and exits 1. The test
// suite runs it as a subprocess, so tests running in parallel cannot blur the measurement.
#if canImport(Glibc)
import Glibc
#endif
import HTTPX
import NIOCore

/// `count` copies of one chunk, made as they are asked for.
struct GeneratedChunks: AsyncSequence, Sendable {
    typealias Element = [UInt8]
    let chunk: [UInt8]
    let count: Int

    struct AsyncIterator: AsyncIteratorProtocol {
        let chunk: [UInt8]
        var remaining: Int
        mutating func next() async -> [UInt8]? {
            guard remaining > 0 else { return nil }
            remaining -= 1
            return chunk
        }
    }

    func makeAsyncIterator() -> AsyncIterator { AsyncIterator(chunk: chunk, remaining: count) }
}

enum Memory {
    /// A field of /proc/self/status in bytes (`VmRSS`, `VmHWM`), or 0 where there is none.
    static func status(_ field: String) -> Int {
        #if os(Linux)
        guard let file = fopen("/proc/self/status", "r") else { return 0 }
        defer { fclose(file) }
        var line = [CChar](repeating: 0, count: 256)
        while fgets(&line, Int32(line.count), file) != nil {
            let text = String(decoding: line.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            guard text.hasPrefix(field + ":") else { continue }
            let digits = text.dropFirst(field.count + 1).filter(\.isNumber)
            return (Int(digits) ?? 0) * 1024
        }
        #endif
        return 0
    }

    /// Resets the peak (VmHWM) to the current resident size.
    static func resetPeak() {
        #if os(Linux)
        guard let file = fopen("/proc/self/clear_refs", "w") else { return }
        fputs("5", file)
        fclose(file)
        #endif
    }
}

func downloadAndUpload(_ base: String) async throws {
    let client = AsyncClient(.init(baseURL: base, timeout: Timeout(60)))
    defer { Task { await client.close() } }
    // Warm up, so the pool, the connection and their buffers are counted in the baseline.
    _ = try await client.get("/1k.bin").content
    let baseline = Memory.status("VmRSS")
    Memory.resetPeak()

    let downloaded = try await client.stream(.get, "/1g.bin") { response in
        var total = 0
        for try await chunk in response.bytes() { total += chunk.readableBytes }
        return total
    }
    guard downloaded == 1 << 30 else { throw ProbeFailure("downloaded \(downloaded) bytes, not 1 GiB") }

    let chunk = [UInt8](repeating: 0x5A, count: 64 << 10)
    let upload = RequestBody.stream(bytes: GeneratedChunks(chunk: chunk, count: (1 << 30) / chunk.count), length: 1 << 30)
    let text = try await client.post("/upload", content: upload).text
    guard text == "received \(1 << 30)\n" else { throw ProbeFailure("the server answered \(text)") }
    print("baseline=\(baseline) peak=\(Memory.status("VmHWM"))")
}

struct ProbeFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

let arguments = CommandLine.arguments
do {
    switch (arguments.count == 3 ? arguments[1] : "") {
    case "download-upload": try await downloadAndUpload(arguments[2])
    case "gzip-bomb": try await streamBomb(arguments[2])
    case "hummingbird": try await hummingbirdTransfers()
    case "fault-load": try await faultLoad(arguments[2], http2: false, caBundle: nil)
    case "fault-load-h2":
        try await faultLoad(arguments[2], http2: true, caBundle: getenv("HTTPX_INTEROP_CERTS").map { String(cString: $0) + "/ca.pem" })
    default:
        throw ProbeFailure(
            "usage: httpx-memory-probe download-upload BASE-URL | gzip-bomb FILE | hummingbird - | fault-load[-h2] BASE-URL")
    }
} catch {
    print("error: \(error)")
    exit(1)
}
