#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Testing

@testable import HTTPX

/// Freshness, ages, validation and the response's directives of `CacheTransport` (RFC 9111
/// §4), against a scripted origin and a clock moved by hand. The request's directives are in
/// `CacheRequestDirectiveTests`, what a 304 updates in `CacheRevalidationTests`.
@Suite("HTTP cache: freshness and validation", .timeLimit(.minutes(1)))
struct CacheTransportTests {
    static let url = "https://example.org/doc"

    /// An origin answering `v<n>` with `headers` plus a `Date` of the clock's now.
    static func origin(_ clock: ManualClock, _ headers: Headers) -> ScriptedOrigin {
        ScriptedOrigin { _, index in
            var all = headers
            if !all.contains("Date") { all.add("Date", clock.httpDate()) }
            return Response(200, headers: all, text: "v\(index)")
        }
    }

    @Test func maxAgeIsFreshUntilItPasses() async throws {
        let clock = ManualClock()
        let origin = Self.origin(clock, ["Cache-Control": "max-age=60"])
        let client = cachingClient(origin, clock: clock)

        let first = try await client.get(Self.url)
        #expect(first.cacheStatus == .miss)
        #expect(try first.text == "v0")

        clock.advance(30)
        let second = try await client.get(Self.url)
        #expect(second.cacheStatus == .hit)
        #expect(try second.text == "v0")
        #expect(second.headers["Age"] == "30")
        #expect(origin.hits == 1)

        clock.advance(31)
        let third = try await client.get(Self.url)
        #expect(third.cacheStatus == .miss)
        #expect(try third.text == "v1")
        #expect(origin.hits == 2)
    }

    @Test func theServersAgeAndTheResponseDelayCount() async throws {
        let clock = ManualClock()
        let origin = ScriptedOrigin { _, index in
            let sent = clock.httpDate()
            clock.advance(5)  // the server takes 5 s to answer
            return Response(200, headers: ["Cache-Control": "max-age=60", "Age": "10", "Date": sent], text: "v\(index)")
        }
        let client = cachingClient(origin, clock: clock)
        _ = try await client.get(Self.url)
        // Age 10 from upstream, plus the 5 s the response took.
        let hit = try await client.get(Self.url)
        #expect(hit.cacheStatus == .hit)
        #expect(hit.headers["Age"] == "15")
        clock.advance(44)
        #expect(try await client.get(Self.url).headers["Age"] == "59")
        clock.advance(1)
        #expect(try await client.get(Self.url).cacheStatus == .miss)
    }

    @Test func anOldDateMakesTheApparentAge() async throws {
        let clock = ManualClock()
        let origin = Self.origin(clock, ["Cache-Control": "max-age=60", "Date": ManualClock().httpDate(-50)])
        let client = cachingClient(origin, clock: clock)
        _ = try await client.get(Self.url)
        let hit = try await client.get(Self.url)
        #expect(hit.headers["Age"] == "50")
        clock.advance(10)
        #expect(try await client.get(Self.url).cacheStatus == .miss)
    }

    @Test func sMaxAgeIsForSharedCachesOnly() async throws {
        for shared in [false, true] {
            let clock = ManualClock()
            let origin = Self.origin(clock, ["Cache-Control": "max-age=10, s-maxage=100"])
            let client = cachingClient(origin, clock: clock, shared: shared)
            _ = try await client.get(Self.url)
            clock.advance(50)
            let r = try await client.get(Self.url)
            #expect(r.cacheStatus == (shared ? .hit : .miss), "shared: \(shared)")
            #expect(origin.hits == (shared ? 1 : 2))
        }
    }

    @Test func expiresCountsFromDate() async throws {
        let clock = ManualClock()
        let origin = Self.origin(clock, ["Expires": clock.httpDate(60)])
        let client = cachingClient(origin, clock: clock)
        _ = try await client.get(Self.url)
        clock.advance(59)
        #expect(try await client.get(Self.url).cacheStatus == .hit)
        clock.advance(2)
        #expect(try await client.get(Self.url).cacheStatus == .miss)
        #expect(origin.hits == 2)
    }

    @Test func maxAgeOverridesExpiresAndAnInvalidExpiresIsExpired() async throws {
        let clock = ManualClock()
        let overridden = Self.origin(clock, ["Expires": clock.httpDate(-100), "Cache-Control": "max-age=60"])
        let client = cachingClient(overridden, clock: clock)
        _ = try await client.get(Self.url)
        #expect(try await client.get(Self.url).cacheStatus == .hit)

        let invalid = Self.origin(clock, ["Expires": "0"])
        let other = cachingClient(invalid, clock: clock)
        _ = try await other.get(Self.url)
        #expect(try await other.get(Self.url).cacheStatus == .miss)
        #expect(invalid.hits == 2)
    }

    @Test func heuristicFreshnessFromLastModifiedFor200And301Only() async throws {
        let clock = ManualClock()
        let tenDaysAgo = clock.httpDate(-10 * 86_400)
        let origin = ScriptedOrigin { request, index in
            let status = Int(request.url.path.dropFirst()) ?? 200
            var headers: Headers = ["Date": clock.httpDate(), "Last-Modified": tenDaysAgo]
            if status == 301 || status == 302 { headers.add("Location", "/elsewhere") }
            return Response(status, headers: headers, text: "v\(index)")
        }
        let client = cachingClient(origin, clock: clock)
        for status in [200, 301, 302] {
            _ = try await client.get("https://example.org/\(status)")
        }
        clock.advance(3600)
        #expect(try await client.get("https://example.org/200").cacheStatus == .hit)
        #expect(try await client.get("https://example.org/301").cacheStatus == .hit)
        // 302 is not heuristically cacheable: not even stored.
        #expect(try await client.get("https://example.org/302").cacheStatus == .miss)
        #expect(origin.hits == 4)
    }

    @Test func heuristicFreshnessIsTenPercentCappedAtADay() async throws {
        let clock = ManualClock()
        let origin = ScriptedOrigin { request, _ in
            if request.headers.contains("If-Modified-Since") { return Response(304, headers: ["Date": clock.httpDate()]) }
            let age = request.url.path == "/young" ? 1000.0 : 100 * 86_400
            return Response(200, headers: ["Date": clock.httpDate(), "Last-Modified": clock.httpDate(-age)], text: "x")
        }
        let client = cachingClient(origin, clock: clock)
        _ = try await client.get("https://example.org/young")
        _ = try await client.get("https://example.org/old")
        clock.advance(99)
        #expect(try await client.get("https://example.org/young").cacheStatus == .hit)
        clock.advance(2)
        #expect(try await client.get("https://example.org/young").cacheStatus == .revalidated)
        clock.advance(86_400 - 101 - 1)
        #expect(try await client.get("https://example.org/old").cacheStatus == .hit)
        clock.advance(2)
        #expect(try await client.get("https://example.org/old").cacheStatus == .revalidated)
    }

    @Test func anETagIsValidatedAndA304UpdatesTheStoredHeaders() async throws {
        let clock = ManualClock()
        let origin = ScriptedOrigin { request, index in
            if index == 0 {
                return Response(
                    200, headers: ["Date": clock.httpDate(), "ETag": #""v1""#, "Cache-Control": "max-age=10", "X-Version": "1"],
                    text: "body")
            }
            #expect(request.headers["If-None-Match"] == #""v1""#)
            return Response(304, headers: [
                "Date": clock.httpDate(), "ETag": #""v1""#, "Cache-Control": "max-age=100", "X-Version": "2",
                "Content-Length": "999",
            ])
        }
        let client = cachingClient(origin, clock: clock)
        _ = try await client.get(Self.url)
        clock.advance(11)
        let revalidated = try await client.get(Self.url)
        #expect(revalidated.cacheStatus == .revalidated)
        #expect(revalidated.statusCode == 200)
        #expect(try revalidated.text == "body")
        #expect(revalidated.headers["X-Version"] == "2")
        #expect(revalidated.headers["Content-Length"] == "4")
        #expect(revalidated.headers["Age"] == "0")
        #expect(origin.hits == 2)
        // Stored again with the 304's max-age=100.
        clock.advance(50)
        let hit = try await client.get(Self.url)
        #expect(hit.cacheStatus == .hit)
        #expect(hit.headers["X-Version"] == "2")
        #expect(origin.hits == 2)
        // The cache's validators never show on the caller's request.
        #expect(revalidated.request.headers["If-None-Match"] == nil)
    }

    @Test func lastModifiedIsValidatedWithIfModifiedSince() async throws {
        let clock = ManualClock()
        let lastModified = clock.httpDate(-5)
        let origin = ScriptedOrigin { request, index in
            if index == 0 {
                return Response(200, headers: ["Cache-Control": "max-age=0", "Last-Modified": lastModified], text: "body")
            }
            #expect(request.headers["If-Modified-Since"] == lastModified)
            #expect(request.headers["If-None-Match"] == nil)
            return Response(304)
        }
        let client = cachingClient(origin, clock: clock)
        #expect(try await client.get(Self.url).cacheStatus == .miss)
        let r = try await client.get(Self.url)
        #expect(r.cacheStatus == .revalidated)
        #expect(try r.text == "body")
        #expect(origin.hits == 2)
    }

    @Test func aFullResponseToValidationReplacesTheStoredOne() async throws {
        let clock = ManualClock()
        let origin = ScriptedOrigin { _, index in
            Response(200, headers: ["Cache-Control": "max-age=10", "ETag": "\"\(index)\"", "Date": clock.httpDate()], text: "v\(index)")
        }
        let client = cachingClient(origin, clock: clock)
        _ = try await client.get(Self.url)
        clock.advance(20)
        let replaced = try await client.get(Self.url)
        #expect(replaced.cacheStatus == .miss)
        #expect(try replaced.text == "v1")
        #expect(origin.requests.last?.headers["If-None-Match"] == "\"0\"")
        let hit = try await client.get(Self.url)
        #expect(hit.cacheStatus == .hit)
        #expect(try hit.text == "v1")
    }

    @Test func a304ForAnotherETagFetchesTheResponseAgain() async throws {
        let clock = ManualClock()
        let origin = ScriptedOrigin { request, index in
            switch index {
            case 0: return Response(200, headers: ["Cache-Control": "max-age=0", "ETag": #""a""#], text: "a")
            case 1: return Response(304, headers: ["ETag": #""b""#])
            default:
                #expect(request.headers["If-None-Match"] == nil)
                return Response(200, headers: ["Cache-Control": "max-age=0", "ETag": #""b""#], text: "b")
            }
        }
        let client = cachingClient(origin, clock: clock)
        _ = try await client.get(Self.url)
        let r = try await client.get(Self.url)
        #expect(r.cacheStatus == .miss)
        #expect(try r.text == "b")
        #expect(origin.hits == 3)
    }

    @Test func noCacheInTheResponseAlwaysValidates() async throws {
        let clock = ManualClock()
        let origin = ScriptedOrigin { request, index in
            if index > 0 {
                #expect(request.headers["If-None-Match"] == #""x""#)
                return Response(304)
            }
            return Response(200, headers: ["Cache-Control": "no-cache, max-age=3600", "ETag": #""x""#], text: "x")
        }
        let client = cachingClient(origin, clock: clock)
        _ = try await client.get(Self.url)
        #expect(try await client.get(Self.url).cacheStatus == .revalidated)
        #expect(try await client.get(Self.url).cacheStatus == .revalidated)
        #expect(origin.hits == 3)
    }

    @Test func mustRevalidateForbidsServingStale() async throws {
        for mustRevalidate in [false, true] {
            let clock = ManualClock()
            let directives = mustRevalidate ? "max-age=10, must-revalidate" : "max-age=10"
            let origin = ScriptedOrigin { request, index in
                if index > 0 { return Response(304) }
                return Response(200, headers: ["Cache-Control": directives, "ETag": #""e""#], text: "e")
            }
            let client = cachingClient(origin, clock: clock)
            _ = try await client.get(Self.url)
            clock.advance(20)
            let r = try await client.get(Self.url, headers: ["Cache-Control": "max-stale=100"])
            #expect(r.cacheStatus == (mustRevalidate ? .revalidated : .stale))
            #expect(origin.hits == (mustRevalidate ? 2 : 1))
        }
    }
}
