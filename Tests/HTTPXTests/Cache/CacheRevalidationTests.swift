#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import NIOCore
import Testing

@testable import HTTPX

/// What a validation does to the store (RFC 9111 §3.2, §4.3.3, §4.3.4): which 304s update the
/// stored response and which fields they replace, and what a 304 with `no-store` or a full
/// response that may not be stored removes.
@Suite("HTTP cache: revalidation", .timeLimit(.minutes(1)))
struct CacheRevalidationTests {
    static let url = "https://example.org/doc"

    /// The one entry stored for `url`.
    static func storedEntry(_ store: MemoryCacheStore) async throws -> CacheEntry {
        let entries = try await store.entries(for: url)
        #expect(entries.count == 1)
        return try #require(entries.first)
    }

    @Test func a304WithAnotherLastModifiedIsNotMerged() async throws {
        let clock = ManualClock()
        let before = clock.httpDate(-100)
        let after = clock.httpDate(-10)
        let origin = ScriptedOrigin { request, index in
            switch index {
            case 0:
                return Response(200, headers: ["Cache-Control": "max-age=0", "Last-Modified": before, "X-Version": "1"], text: "old")
            case 1:
                #expect(request.headers["If-Modified-Since"] == before)
                return Response(304, headers: ["Last-Modified": after, "Cache-Control": "max-age=600", "X-Version": "2"])
            default:
                #expect(request.headers["If-Modified-Since"] == nil)
                return Response(200, headers: ["Cache-Control": "max-age=0", "Last-Modified": after, "X-Version": "3"], text: "new")
            }
        }
        let store = MemoryCacheStore()
        let client = cachingClient(origin, clock: clock, store: store)
        _ = try await client.get(Self.url)
        let r = try await client.get(Self.url)
        #expect(r.cacheStatus == .miss)
        #expect(try r.text == "new")
        #expect(r.headers["X-Version"] == "3")
        #expect(origin.hits == 3)
        // The old response never took the 304's fields: what is stored is the new one.
        let stored = try await Self.storedEntry(store)
        #expect(String(buffer: stored.body) == "new")
        #expect(stored.headers["X-Version"] == "3")
        #expect(stored.headers["Cache-Control"] == "max-age=0")
    }

    @Test func aMatchingLastModifiedIsMerged() async throws {
        let clock = ManualClock()
        let lastModified = clock.httpDate(-100)
        let origin = ScriptedOrigin { _, index in
            if index == 0 {
                return Response(200, headers: ["Cache-Control": "max-age=0", "Last-Modified": lastModified], text: "body")
            }
            return Response(304, headers: ["Last-Modified": lastModified, "X-Version": "2"])
        }
        let client = cachingClient(origin, clock: clock)
        _ = try await client.get(Self.url)
        let r = try await client.get(Self.url)
        #expect(r.cacheStatus == .revalidated)
        #expect(try r.text == "body")
        #expect(r.headers["X-Version"] == "2")
    }

    @Test func entityTagsAreComparedWeaklyOnlyWhenThe304sIsWeak() async throws {
        // (the stored entity tag, the 304's, whether the 304 updates the stored response)
        let cases: [(String, String, Bool)] = [
            (#"W/"a""#, #"W/"a""#, true),
            (#""a""#, #"W/"a""#, true),
            (#""a""#, #""a""#, true),
            (#"W/"a""#, #""a""#, false),
            (#""a""#, #"W/"b""#, false),
            (#""a""#, #""b""#, false),
        ]
        for (stored, fresh, merged) in cases {
            let clock = ManualClock()
            let origin = ScriptedOrigin { _, index in
                switch index {
                case 0: return Response(200, headers: ["Cache-Control": "max-age=0", "ETag": stored], text: "stored")
                case 1: return Response(304, headers: ["ETag": fresh])
                default: return Response(200, headers: ["Cache-Control": "max-age=0", "ETag": fresh], text: "fetched")
                }
            }
            let client = cachingClient(origin, clock: clock)
            _ = try await client.get(Self.url)
            let r = try await client.get(Self.url)
            let label = "stored \(stored), 304 \(fresh)"
            #expect(r.cacheStatus == (merged ? .revalidated : .miss), "\(label)")
            #expect(try r.text == (merged ? "stored" : "fetched"), "\(label)")
            #expect(origin.hits == (merged ? 2 : 3), "\(label)")
        }
    }

    @Test func a304KeepsTheFieldsTheBodyDependsOnAndDropsHopByHopOnes() async throws {
        let clock = ManualClock()
        let origin = ScriptedOrigin { _, index in
            if index == 0 {
                return Response(
                    200, headers: ["Cache-Control": "max-age=0", "ETag": #""e""#, "Content-Type": "text/plain", "X-Version": "1"],
                    text: "body")
            }
            return Response(304, headers: [
                "ETag": #""e""#, "X-Version": "2", "Content-Type": "application/json", "Content-Encoding": "gzip",
                "Content-Length": "999", "Content-Range": "bytes 0-1/2", "Connection": "X-Hop", "X-Hop": "1",
                "Keep-Alive": "timeout=5", "Proxy-Authenticate": "Basic",
            ])
        }
        let store = MemoryCacheStore()
        let client = cachingClient(origin, clock: clock, store: store)
        _ = try await client.get(Self.url)
        let r = try await client.get(Self.url)
        #expect(r.cacheStatus == .revalidated)
        // Still the stored body, read as it was stored: not gzip, not JSON.
        #expect(try r.text == "body")
        let stored = try await Self.storedEntry(store)
        for (headers, what) in [(r.headers, "served"), (stored.headers, "stored")] {
            #expect(headers["X-Version"] == "2", "\(what)")
            #expect(headers["Content-Type"] == "text/plain", "\(what)")
            #expect(headers["Content-Encoding"] == nil, "\(what)")
            #expect(headers["Content-Length"] == "4", "\(what)")
            #expect(headers["Content-Range"] == nil, "\(what)")
            for name in ["Connection", "X-Hop", "Keep-Alive", "Proxy-Authenticate"] {
                #expect(headers[name] == nil, "\(what): \(name)")
            }
        }
    }

    @Test func a304sSetCookieReachesTheCallerButIsNotStored() async throws {
        let clock = ManualClock()
        let origin = ScriptedOrigin { _, index in
            if index == 0 {
                return Response(200, headers: ["Cache-Control": "max-age=0", "ETag": #""e""#], text: "body")
            }
            return Response(304, headers: ["ETag": #""e""#, "Cache-Control": "max-age=60", "Set-Cookie": "id=2; Path=/"])
        }
        let store = MemoryCacheStore()
        let client = cachingClient(origin, clock: clock, store: store)
        _ = try await client.get(Self.url)
        let revalidated = try await client.get(Self.url)
        #expect(revalidated.cacheStatus == .revalidated)
        #expect(revalidated.headers["Set-Cookie"] == "id=2; Path=/")
        #expect(try await Self.storedEntry(store).headers["Set-Cookie"] == nil)
        let hit = try await client.get(Self.url)
        #expect(hit.cacheStatus == .hit)
        #expect(hit.headers["Set-Cookie"] == nil)
    }

    @Test func theStoredAgeIsReplacedByThe304s() async throws {
        let clock = ManualClock()
        let origin = ScriptedOrigin { _, index in
            if index == 0 {
                return Response(
                    200, headers: ["Cache-Control": "max-age=100", "Age": "90", "ETag": #""e""#, "Date": clock.httpDate()],
                    text: "body")
            }
            return Response(304, headers: ["ETag": #""e""#, "Age": "3", "Date": clock.httpDate()])
        }
        let store = MemoryCacheStore()
        let client = cachingClient(origin, clock: clock, store: store)
        _ = try await client.get(Self.url)
        #expect(try await client.get(Self.url).headers["Age"] == "90")
        clock.advance(20)
        let revalidated = try await client.get(Self.url)
        #expect(revalidated.cacheStatus == .revalidated)
        #expect(revalidated.headers["Age"] == "3")
        #expect(try await Self.storedEntry(store).headers["Age"] == "3")
        // Its age now counts from the 304's: 3 + 10 s in the store, far from stale.
        clock.advance(10)
        let hit = try await client.get(Self.url)
        #expect(hit.cacheStatus == .hit)
        #expect(hit.headers["Age"] == "13")
        #expect(origin.hits == 2)
    }

    @Test func a304WithNoStoreRemovesOnlyTheVariantItValidated() async throws {
        let clock = ManualClock()
        let origin = ScriptedOrigin { request, _ in
            let language = request.headers["Accept-Language"] ?? "none"
            if request.headers.contains("If-None-Match") {
                return Response(304, headers: ["ETag": "\"\(language)\"", "Cache-Control": "no-store"])
            }
            return Response(
                200,
                headers: ["Cache-Control": "max-age=60", "Vary": "Accept-Language", "ETag": "\"\(language)\"", "Date": clock.httpDate()],
                text: language)
        }
        let store = MemoryCacheStore()
        let client = cachingClient(origin, clock: clock, store: store)
        _ = try await client.get(Self.url, headers: ["Accept-Language": "en"])
        _ = try await client.get(Self.url, headers: ["Accept-Language": "fr"])
        #expect(store.count == 2)
        let forced = try await client.get(Self.url, headers: ["Accept-Language": "en", "Cache-Control": "no-cache"])
        #expect(forced.cacheStatus == .revalidated)
        #expect(try forced.text == "en")
        #expect(store.count == 1)
        let fr = try await client.get(Self.url, headers: ["Accept-Language": "fr"])
        #expect(fr.cacheStatus == .hit)
        #expect(try fr.text == "fr")
        #expect(try await client.get(Self.url, headers: ["Accept-Language": "en"]).cacheStatus == .miss)
        #expect(origin.hits == 4)
    }

    @Test func aFullResponseThatMayNotBeStoredRemovesTheStaleOne() async throws {
        let clock = ManualClock()
        let origin = ScriptedOrigin { request, index in
            switch index {
            case 0:
                return Response(200, headers: ["Cache-Control": "max-age=10", "ETag": #""0""#], text: "v0")
            case 1:
                #expect(request.headers["If-None-Match"] == #""0""#)
                return Response(200, headers: ["Cache-Control": "no-store"], text: "v1")
            default:
                return Response(200, headers: ["Cache-Control": "max-age=10"], text: "v\(index)")
            }
        }
        let store = MemoryCacheStore()
        let client = cachingClient(origin, clock: clock, store: store)
        _ = try await client.get(Self.url)
        clock.advance(20)
        let replaced = try await client.get(Self.url)
        #expect(replaced.cacheStatus == .miss)
        #expect(try replaced.text == "v1")
        #expect(store.count == 0)
        // Not validated again with the old ETag: asked for plainly.
        let next = try await client.get(Self.url)
        #expect(try next.text == "v2")
        #expect(origin.requests.last?.headers["If-None-Match"] == nil)
    }

    @Test func aServerFailureKeepsTheStaleOne() async throws {
        let clock = ManualClock()
        let origin = ScriptedOrigin { _, index in
            switch index {
            case 0: return Response(200, headers: ["Cache-Control": "max-age=10", "ETag": #""0""#], text: "v0")
            case 1: return Response(503, text: "down")
            default: return Response(304, headers: ["ETag": #""0""#])
            }
        }
        let store = MemoryCacheStore()
        let client = cachingClient(origin, clock: clock, store: store)
        _ = try await client.get(Self.url)
        clock.advance(20)
        #expect(try await client.get(Self.url).statusCode == 503)
        #expect(store.count == 1)
        let revalidated = try await client.get(Self.url)
        #expect(revalidated.cacheStatus == .revalidated)
        #expect(try revalidated.text == "v0")
    }
}
