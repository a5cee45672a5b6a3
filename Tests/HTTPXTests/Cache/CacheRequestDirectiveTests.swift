#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Testing

@testable import HTTPX

/// The request's own `Cache-Control` (RFC 9111 §5.2.1, RFC 5861): `no-cache`, `no-store`,
/// `max-age`, `max-stale`, `min-fresh`, `only-if-cached` and `stale-if-error`.
@Suite("HTTP cache: request directives", .timeLimit(.minutes(1)))
struct CacheRequestDirectiveTests {
    static let url = "https://example.org/doc"

    /// An origin answering `v<n>` with `headers` plus a `Date` of the clock's now.
    static func origin(_ clock: ManualClock, _ headers: Headers) -> ScriptedOrigin {
        CacheTransportTests.origin(clock, headers)
    }

    @Test func noCacheInTheRequestValidatesAndIsForwarded() async throws {
        let clock = ManualClock()
        let origin = ScriptedOrigin { request, index in
            if index > 0 {
                // The first validation comes from Cache-Control, the second from Pragma.
                #expect(request.headers[index == 1 ? "Cache-Control" : "Pragma"] == "no-cache")
                #expect(request.headers["If-None-Match"] == #""x""#)
                return Response(304)
            }
            return Response(200, headers: ["Cache-Control": "max-age=3600", "ETag": #""x""#], text: "x")
        }
        let client = cachingClient(origin, clock: clock)
        _ = try await client.get(Self.url)
        #expect(try await client.get(Self.url).cacheStatus == .hit)
        let forced = try await client.get(Self.url, headers: ["Cache-Control": "no-cache"])
        #expect(forced.cacheStatus == .revalidated)
        #expect(origin.hits == 2)
        let pragma = try await client.get(Self.url, headers: ["Pragma": "no-cache"])
        #expect(pragma.cacheStatus == .revalidated)
    }

    @Test func noStoreInTheResponseOrTheRequestIsNotStored() async throws {
        let clock = ManualClock()
        let refused = Self.origin(clock, ["Cache-Control": "no-store, max-age=60"])
        let client = cachingClient(refused, clock: clock)
        _ = try await client.get(Self.url)
        #expect(try await client.get(Self.url).cacheStatus == .miss)
        #expect(refused.hits == 2)

        let origin = Self.origin(clock, ["Cache-Control": "max-age=60"])
        let other = cachingClient(origin, clock: clock)
        _ = try await other.get(Self.url, headers: ["Cache-Control": "no-store"])
        #expect(try await other.get(Self.url).cacheStatus == .miss)
        #expect(origin.hits == 2)
        // A stored response may still answer a no-store request (RFC 9111 §5.2.1.5).
        #expect(try await other.get(Self.url, headers: ["Cache-Control": "no-store"]).cacheStatus == .hit)
    }

    @Test func requestMaxAgeLimitsTheAgeAccepted() async throws {
        let clock = ManualClock()
        let origin = Self.origin(clock, ["Cache-Control": "max-age=60"])
        let client = cachingClient(origin, clock: clock)
        _ = try await client.get(Self.url)
        clock.advance(30)
        #expect(try await client.get(Self.url, headers: ["Cache-Control": "max-age=40"]).cacheStatus == .hit)
        let refused = try await client.get(Self.url, headers: ["Cache-Control": "max-age=10"])
        #expect(refused.cacheStatus == .miss)
        #expect(try refused.text == "v1")
        #expect(origin.hits == 2)
    }

    @Test func maxStaleAllowsThatMuchStaleness() async throws {
        let clock = ManualClock()
        let origin = Self.origin(clock, ["Cache-Control": "max-age=10"])
        let client = cachingClient(origin, clock: clock)
        _ = try await client.get(Self.url)
        clock.advance(20)  // 10 s stale
        let stale = try await client.get(Self.url, headers: ["Cache-Control": "max-stale=15"])
        #expect(stale.cacheStatus == .stale)
        #expect(stale.headers["Age"] == "20")
        #expect(try await client.get(Self.url, headers: ["Cache-Control": "max-stale"]).cacheStatus == .stale)
        #expect(origin.hits == 1)
        #expect(try await client.get(Self.url, headers: ["Cache-Control": "max-stale=5"]).cacheStatus == .miss)
        #expect(origin.hits == 2)
    }

    @Test func minFreshAsksForThatMuchFreshnessLeft() async throws {
        let clock = ManualClock()
        let origin = Self.origin(clock, ["Cache-Control": "max-age=60"])
        let client = cachingClient(origin, clock: clock)
        _ = try await client.get(Self.url)
        clock.advance(30)
        #expect(try await client.get(Self.url, headers: ["Cache-Control": "min-fresh=20"]).cacheStatus == .hit)
        #expect(try await client.get(Self.url, headers: ["Cache-Control": "min-fresh=40"]).cacheStatus == .miss)
        #expect(origin.hits == 2)
    }

    @Test func onlyIfCachedAnswers504WhenNothingFreshIsStored() async throws {
        let clock = ManualClock()
        let origin = Self.origin(clock, ["Cache-Control": "max-age=60"])
        let client = cachingClient(origin, clock: clock)
        let only: Headers = ["Cache-Control": "only-if-cached"]

        let empty = try await client.get(Self.url, headers: only)
        #expect(empty.statusCode == 504)
        #expect(empty.cacheStatus == .onlyIfCachedMiss)
        #expect(origin.hits == 0)

        _ = try await client.get(Self.url)
        let hit = try await client.get(Self.url, headers: only)
        #expect(hit.statusCode == 200)
        #expect(hit.cacheStatus == .hit)

        clock.advance(61)
        let stale = try await client.get(Self.url, headers: only)
        #expect(stale.statusCode == 504)
        #expect(stale.cacheStatus == .onlyIfCachedMiss)
        #expect(origin.hits == 1)
    }

    @Test func staleIfErrorServesStaleWhenTheServerFails() async throws {
        for mustRevalidate in [false, true] {
            let clock = ManualClock()
            let directives = "max-age=10, stale-if-error=100" + (mustRevalidate ? ", must-revalidate" : "")
            let origin = ScriptedOrigin { _, index in
                index == 0 ? Response(200, headers: ["Cache-Control": directives], text: "ok") : Response(503, text: "down")
            }
            let client = cachingClient(origin, clock: clock)
            _ = try await client.get(Self.url)
            clock.advance(20)
            let r = try await client.get(Self.url)
            #expect(r.statusCode == (mustRevalidate ? 503 : 200))
            #expect(r.cacheStatus == (mustRevalidate ? .miss : .stale))
        }
    }

    @Test func staleIfErrorCoversAnUnreachableServer() async throws {
        let clock = ManualClock()
        let origin = ScriptedOrigin { _, index in
            if index > 0 { throw HTTPXError(.connectError, "connection refused") }
            return Response(200, headers: ["Cache-Control": "max-age=10", "ETag": #""e""#], text: "ok")
        }
        let client = cachingClient(origin, clock: clock)
        _ = try await client.get(Self.url)
        clock.advance(20)
        await expectHTTPXError(.connectError) { _ = try await client.get(Self.url) }
        let r = try await client.get(Self.url, headers: ["Cache-Control": "stale-if-error=60"])
        #expect(r.cacheStatus == .stale)
        #expect(try r.text == "ok")
    }
}
