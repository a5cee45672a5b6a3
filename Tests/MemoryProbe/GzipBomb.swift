#if canImport(Glibc)
import Glibc
#endif
import HTTPX
import NIOCore

/// Streams a body that decodes to 1 GiB (`Content-Encoding: gzip, gzip`, the file at `path`)
/// with no decompression limit, counting the decoded bytes.
func streamBomb(_ path: String) async throws {
    guard let file = fopen(path, "rb") else { throw ProbeFailure("cannot open \(path)") }
    var compressed: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 4096)
    while true {
        let count = fread(&buffer, 1, buffer.count, file)
        if count <= 0 { break }
        compressed += buffer[0..<count]
    }
    fclose(file)
    let body = compressed
    let transport = MockTransport { _ in
        Response(200, headers: ["Content-Encoding": "gzip, gzip"], body: ResponseBody(stream: OneChunk(bytes: body)))
    }
    let client = AsyncClient(.init(limits: Limits(decompression: .none), transport: transport))
    let baseline = Memory.status("VmRSS")
    Memory.resetPeak()
    let decoded = try await client.stream(.get, "https://example.org/bomb") { response in
        var total = 0
        for try await chunk in response.bytes() { total += chunk.readableBytes }
        return total
    }
    guard decoded == 1 << 30 else { throw ProbeFailure("decoded \(decoded) bytes, not 1 GiB") }
    print("baseline=\(baseline) peak=\(Memory.status("VmHWM"))")
}

/// One buffer, as a one-element async sequence.
struct OneChunk: AsyncSequence, Sendable {
    typealias Element = ByteBuffer
    let bytes: [UInt8]
    struct AsyncIterator: AsyncIteratorProtocol {
        var bytes: [UInt8]?
        mutating func next() async -> ByteBuffer? {
            defer { bytes = nil }
            return bytes.map { ByteBuffer(bytes: $0) }
        }
    }
    func makeAsyncIterator() -> AsyncIterator { AsyncIterator(bytes: bytes) }
}

