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
/// answered by nginx's own 304. The cache's clock is the test's, so which of a hit and a
/// revalidation each request gets is computed from nginx's headers, never left open.
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

    /// What a second request for `first` gets with the cache's clock at `now`: nginx's file has
    /// no explicit freshness, so it is fresh for a tenth of its age at the time of `Date`
    /// (RFC 9111 §4.2.2, at most a day), against the response's age (`now` − `Date`: nginx
    /// sends no `Age`, and the test's clock does not move during the exchange). The file was
    /// written when the peers were set up, so either is possible; the headers decide which.
    static func expectedReuse(of first: Response, at now: Date) throws -> CacheStatus {
        let date = try #require(CacheDate.parse(first.headers["Date"]), "nginx sends a Date")
        let lastModified = try #require(CacheDate.parse(first.headers["Last-Modified"]), "nginx sends a Last-Modified")
        let lifetime = min(max(0, date.timeIntervalSince(lastModified)) / 10, 86_400)
        let age = max(0, now.timeIntervalSince(date))
        return lifetime > age ? .hit : .revalidated
    }

    @Test func aStaticFileIsReusedWhileHeuristicallyFreshThenRevalidated() async throws {
        let base = try Interop.url(Interop.nginx, "nginx")
        let recording = RecordingTransport()
        let clock = ManualClock(Date())
        let cache = CacheTransport(wrapping: recording, now: clock.closure)
        try await AsyncClient.withClient(.init(baseURL: base, timeout: Timeout(30), transport: cache)) { client in
            let first = try await client.get("/1k.bin")
            #expect(first.statusCode == 200)
            #expect(first.cacheStatus == .miss)
            #expect(try first.content == Self.local1k())
            let etag = try #require(first.headers["ETag"], "nginx sends an ETag for static files")

            let expected = try Self.expectedReuse(of: first, at: clock.now)
            let second = try await client.get("/1k.bin")
            #expect(second.statusCode == 200)
            #expect(second.cacheStatus == expected)
            #expect(try second.content == Self.local1k())
            #expect(second.headers["Age"] != nil)
            #expect(recording.requests.count == (expected == .hit ? 1 : 2))
            if expected == .revalidated { #expect(recording.requests.last?.headers["If-None-Match"] == etag) }

            // Two days on, past any heuristic lifetime (a day at most): nginx's 304 confirms it.
            clock.advance(2 * 86_400)
            let third = try await client.get("/1k.bin")
            #expect(third.statusCode == 200)
            #expect(third.cacheStatus == .revalidated)
            #expect(try third.content == Self.local1k())
            #expect(third.headers["ETag"] == etag)
            #expect(recording.requests.count == (expected == .hit ? 2 : 3))
            #expect(recording.requests.last?.headers["If-None-Match"] == etag)
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
        let clock = ManualClock(Date())
        let before = RecordingTransport()
        let expected = try await AsyncClient.withClient(.init(
            baseURL: base, timeout: Timeout(30),
            transport: CacheTransport(wrapping: before, store: try DiskCacheStore(directory: directory), now: clock.closure)
        )) { client -> CacheStatus in
            let first = try await client.get("/1k.bin")
            #expect(first.cacheStatus == .miss)
            return try Self.expectedReuse(of: first, at: clock.now)
        }
        let after = RecordingTransport()
        try await AsyncClient.withClient(.init(
            baseURL: base, timeout: Timeout(30),
            transport: CacheTransport(wrapping: after, store: try DiskCacheStore(directory: directory), now: clock.closure)
        )) { client in
            // Served from what the first process stored: at once while fresh, else after a 304.
            let r = try await client.get("/1k.bin")
            #expect(r.cacheStatus == expected)
            #expect(try r.content == Self.local1k())
            #expect(after.requests.count == (expected == .hit ? 0 : 1))
        }
    }

    @Test func aMissingFileIsNotStoredWithoutValidatorsOrFreshness() async throws {
        let base = try Interop.url(Interop.nginx, "nginx")
        let recording = RecordingTransport()
        let store = MemoryCacheStore()
        let cache = CacheTransport(wrapping: recording, store: store)
        try await AsyncClient.withClient(.init(baseURL: base, timeout: Timeout(30), transport: cache)) { client in
            // nginx's 404 page has neither Last-Modified nor Cache-Control: nothing to reuse.
            let missing = try await client.get("/no-such-file")
            #expect(missing.statusCode == 404)
            #expect(missing.cacheStatus == .miss)
            #expect(store.count == 0)
            let again = try await client.get("/no-such-file")
            #expect(again.statusCode == 404)
            #expect(again.cacheStatus == .miss)
            #expect(recording.requests.count == 2)
            #expect(store.count == 0)
        }
    }
}
