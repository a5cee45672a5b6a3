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
        AsyncClient(.init(baseURL: try Interop.url(Interop.nginx, "nginx"), timeout: Timeout(30)))
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
            #expect(try r.content == Array(local[start...end]))
        }
        let whole = try await client.get("/64m.bin")
        #expect(try whole.contentBuffer.readableBytes == local.count)
        #expect(try Interop.sameBytes(whole.contentBuffer, local))
    }

    /// Run by `httpx-memory-probe` in a process of its own: tests running in parallel in this
    /// process would add their own memory to what is measured.
    @Test func gigabyteDownloadAndUploadRunInConstantMemory() async throws {
        let growth = try await Interop.memoryGrowth(probe: "download-upload", try Interop.url(Interop.nginx, "nginx"))
        #expect(growth < 16 << 20, "resident memory grew by \(growth >> 20) MiB")
    }
}
