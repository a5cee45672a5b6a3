#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Synchronization
import Testing

@testable import HTTPX

/// `CacheTransport` over the network transport against nginx's static files, which carry an
/// `ETag` and a `Last-Modified` but no `Cache-Control`: heuristic freshness, and validation
/// answered by nginx's own 304.
@Suite("Interop: HTTP cache against nginx", Interop.enabled(Interop.nginx), .serialized, .timeLimit(.minutes(2)))
struct CacheInteropTests {
    /// The network transport, recording what reaches nginx.
    final class RecordingTransport: Transport {
        let network = HTTPTransport()
        private let seen = Mutex<[Request]>([])

        var requests: [Request] { seen.withLock { $0 } }

        func handle(_ request: Request) async throws -> Response {
            seen.withLock { $0.append(request) }
            return try await network.handle(request)
        }

        func close() async {
            await network.close()
        }
    }

    static func local1k() throws -> [UInt8] {
        Array(try Data(contentsOf: URL(fileURLWithPath: Interop.wwwRoot + "/1k.bin")))
    }

    @Test func aStaticFileIsStoredThenReusedOrRevalidated() async throws {
        let base = try Interop.url(Interop.nginx, "nginx")
        let recording = RecordingTransport()
        try await AsyncClient.withClient(.init(baseURL: base, timeout: Timeout(30), transport: CacheTransport(wrapping: recording))) { client in
            let first = try await client.get("/1k.bin")
            #expect(first.statusCode == 200)
            #expect(first.cacheStatus == .miss)
            #expect(try first.content == Self.local1k())
            let etag = try #require(first.headers["ETag"], "nginx sends an ETag for static files")
            #expect(first.headers["Last-Modified"] != nil)

            // Within the heuristic lifetime (10% of the file's age) it is a hit; a file made
            // moments ago has none, and nginx confirms it with a 304.
            let second = try await client.get("/1k.bin")
            #expect(second.statusCode == 200)
            #expect(try second.content == Self.local1k())
            #expect(second.headers["Age"] != nil)
            switch second.cacheStatus {
            case .hit?:
                #expect(recording.requests.count == 1)
            case .revalidated?:
                #expect(recording.requests.count == 2)
                #expect(recording.requests.last?.headers["If-None-Match"] == etag)
            default:
                Issue.record("expected a hit or a revalidation, got \(String(describing: second.cacheStatus))")
            }
        }
    }

    @Test func requestNoCacheIsRevalidatedByNginxWith304() async throws {
        let base = try Interop.url(Interop.nginx, "nginx")
        let recording = RecordingTransport()
        try await AsyncClient.withClient(.init(baseURL: base, timeout: Timeout(30), transport: CacheTransport(wrapping: recording))) { client in
            let first = try await client.get("/1k.bin")
            #expect(first.cacheStatus == .miss)
            for _ in 0..<3 {
                let r = try await client.get("/1k.bin", headers: ["Cache-Control": "no-cache"])
                #expect(r.statusCode == 200)
                #expect(r.cacheStatus == .revalidated)
                #expect(try r.content == Self.local1k())
                #expect(r.headers["ETag"] == first.headers["ETag"])
                let sent = try #require(recording.requests.last)
                #expect(sent.headers["If-None-Match"] == first.headers["ETag"])
                #expect(sent.headers["If-Modified-Since"] == first.headers["Last-Modified"])
                #expect(sent.headers["Cache-Control"] == "no-cache")
            }
            #expect(recording.requests.count == 4)
        }
    }

    @Test func aDiskStoreServesNginxsFileAfterARestart() async throws {
        let base = try Interop.url(Interop.nginx, "nginx")
        let directory = FileManager.default.temporaryDirectory.path + "/httpx-cache-interop-\(UInt64.random(in: 0...UInt64.max))"
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let before = RecordingTransport()
        try await AsyncClient.withClient(.init(
            baseURL: base, timeout: Timeout(30),
            transport: CacheTransport(wrapping: before, store: try DiskCacheStore(directory: directory))
        )) { client in
            let first = try await client.get("/1k.bin")
            #expect(first.cacheStatus == .miss)
        }
        let after = RecordingTransport()
        try await AsyncClient.withClient(.init(
            baseURL: base, timeout: Timeout(30),
            transport: CacheTransport(wrapping: after, store: try DiskCacheStore(directory: directory))
        )) { client in
            let r = try await client.get("/1k.bin")
            #expect(r.cacheStatus == .hit || r.cacheStatus == .revalidated, "got \(String(describing: r.cacheStatus))")
            #expect(try r.content == Self.local1k())
            #expect(after.requests.count == (r.cacheStatus == .hit ? 0 : 1))
        }
    }

    @Test func aMissingFileIsNotStoredWithoutValidatorsOrFreshness() async throws {
        let base = try Interop.url(Interop.nginx, "nginx")
        let recording = RecordingTransport()
        try await AsyncClient.withClient(.init(baseURL: base, timeout: Timeout(30), transport: CacheTransport(wrapping: recording))) { client in
            // nginx's 404 page has neither Last-Modified nor Cache-Control: nothing to reuse.
            let missing = try await client.get("/no-such-file")
            #expect(missing.statusCode == 404)
            let again = try await client.get("/no-such-file")
            #expect(again.statusCode == 404)
            #expect(again.cacheStatus == .miss)
            #expect(recording.requests.count == 2)
        }
    }
}
