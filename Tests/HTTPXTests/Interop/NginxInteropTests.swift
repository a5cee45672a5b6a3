#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import NIOCore
import Synchronization
import Testing

@testable import HTTPX

@Suite("Interop: nginx", Interop.enabled(Interop.nginx), .serialized, .timeLimit(.minutes(5)))
struct NginxInteropTests {
    func client() throws -> AsyncClient {
        AsyncClient(baseURL: try Interop.url(Interop.nginx, "nginx"), timeout: Timeout(30))
    }

    @Test func keepAliveAgainstNginx() async throws {
        let client = try client()
        for _ in 0..<50 {
            #expect(try await client.get("/1k.bin").content.count == 1024)
        }
        #expect(try await client.post("/upload", content: .bytes(Array(repeating: 7, count: 1 << 20))).text == "received 1048576\n")
    }

    @Test func byteRangesOfALargeBody() async throws {
        let client = try client()
        let local = try Data(contentsOf: URL(fileURLWithPath: Interop.wwwRoot + "/64m.bin"))
        for (start, end) in [(0, 99), (1 << 20, (1 << 20) + 65_535), ((64 << 20) - 10, (64 << 20) - 1)] {
            let r = try await client.get("/64m.bin", headers: ["Range": "bytes=\(start)-\(end)"])
            #expect(r.statusCode == 206)
            #expect(r.headers["Content-Range"] == "bytes \(start)-\(end)/\(64 << 20)")
            #expect(r.content == Array(local[start...end]))
        }
        let whole = try await client.get("/64m.bin")
        #expect(whole.contentBuffer.readableBytes == local.count)
        #expect(Interop.sameBytes(whole.contentBuffer, local))
    }

    @Test func gigabyteDownloadAndUploadRunInConstantMemory() async throws {
        let client = try client()
        let baseline = Interop.residentMemory()
        #if os(Linux)
        #expect(baseline > 1 << 20, "resident memory is measured")
        #endif
        let peak = PeakMemory()
        let sampler = Task {
            while !Task.isCancelled {
                peak.sample()
                try? await Task.sleep(for: .milliseconds(20))
            }
        }
        let downloaded = try await client.stream(.get, "/1g.bin") { response in
            var total = 0
            for try await chunk in response.bytes() { total += chunk.readableBytes }
            return total
        }
        #expect(downloaded == 1 << 30)

        let chunk = [UInt8](repeating: 0x5A, count: 64 << 10)
        let upload = RequestBody.stream(bytes: GeneratedChunks(chunk: chunk, count: (1 << 30) / chunk.count), length: 1 << 30)
        let r = try await client.post("/upload", content: upload)
        #expect(r.text == "received \(1 << 30)\n")
        sampler.cancel()
        peak.sample()
        let growth = peak.value - baseline
        #expect(growth < 64 << 20, "resident memory grew by \(growth >> 20) MiB")
    }
}

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

final class PeakMemory: Sendable {
    private let peak = Mutex(0)
    func sample() {
        let now = Interop.residentMemory()
        peak.withLock { $0 = max($0, now) }
    }
    var value: Int { peak.withLock { $0 } }
}
