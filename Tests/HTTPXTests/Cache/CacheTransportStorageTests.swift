#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import NIOCore
import Testing

@testable import HTTPX

/// What `CacheTransport` stores and for whom (RFC 9111 §3, §4.1, §4.4): methods, `private`,
/// `Vary`, invalidation, bodies, and the cache status it reports.
@Suite("HTTP cache: storage, variants and invalidation", .timeLimit(.minutes(1)))
struct CacheTransportStorageTests {
    static let url = "https://example.org/items"

    static func origin(_ clock: ManualClock, _ headers: Headers = ["Cache-Control": "max-age=60"]) -> ScriptedOrigin {
        ScriptedOrigin { request, index in
            var all = headers
            all.add("Date", clock.httpDate())
            return Response(200, headers: all, text: "\(request.method) v\(index)")
        }
    }

    @Test func onlyGETIsCached() async throws {
        let clock = ManualClock()
        let origin = Self.origin(clock)
        let client = cachingClient(origin, clock: clock)
        _ = try await client.post(Self.url, content: .text("a"))
        _ = try await client.request(.options, Self.url)
        _ = try await client.head(Self.url)
        let post = try await client.post(Self.url, content: .text("b"))
        #expect(post.cacheStatus == .miss)
        #expect(try await client.request(.options, Self.url).cacheStatus == .miss)
        #expect(try await client.head(Self.url).cacheStatus == .miss)
        #expect(origin.hits == 6)
        // HEAD did not store a response for GET either.
        #expect(try await client.get(Self.url).cacheStatus == .miss)
    }

    @Test func privateResponsesAreNotStoredBySharedCaches() async throws {
        for shared in [false, true] {
            let clock = ManualClock()
            let origin = Self.origin(clock, ["Cache-Control": "private, max-age=60"])
            let client = cachingClient(origin, clock: clock, shared: shared)
            _ = try await client.get(Self.url)
            #expect(try await client.get(Self.url).cacheStatus == (shared ? .miss : .hit), "shared: \(shared)")
        }
    }

    @Test func sharedCachesStoreAnswersToAuthorizedRequestsOnlyWhenAllowed() async throws {
        for (directives, stored) in [("max-age=60", false), ("public, max-age=60", true), ("s-maxage=60", true), ("max-age=60, must-revalidate", true)] {
            let clock = ManualClock()
            let origin = Self.origin(clock, ["Cache-Control": directives])
            let client = cachingClient(origin, clock: clock, shared: true)
            let auth: Headers = ["Authorization": "Bearer secret"]
            _ = try await client.get(Self.url, headers: auth)
            #expect(try await client.get(Self.url, headers: auth).cacheStatus == (stored ? .hit : .miss), "\(directives)")
        }
        // A private cache is one user's: it stores them.
        let clock = ManualClock()
        let origin = Self.origin(clock)
        let client = cachingClient(origin, clock: clock)
        _ = try await client.get(Self.url, headers: ["Authorization": "Bearer secret"])
        #expect(try await client.get(Self.url, headers: ["Authorization": "Bearer secret"]).cacheStatus == .hit)
    }

    @Test func varyKeepsOneResponsePerVariant() async throws {
        let clock = ManualClock()
        let origin = ScriptedOrigin { request, _ in
            Response(
                200, headers: ["Cache-Control": "max-age=60", "Vary": "Accept-Language", "Date": clock.httpDate()],
                text: request.headers["Accept-Language"] ?? "none")
        }
        let client = cachingClient(origin, clock: clock)
        #expect(try await client.get(Self.url, headers: ["Accept-Language": "en"]).text == "en")
        #expect(try await client.get(Self.url, headers: ["Accept-Language": "fr"]).text == "fr")
        #expect(try await client.get(Self.url).text == "none")
        let en = try await client.get(Self.url, headers: ["Accept-Language": "en"])
        #expect(en.cacheStatus == .hit)
        #expect(try en.text == "en")
        let fr = try await client.get(Self.url, headers: ["Accept-Language": "fr"])
        #expect(fr.cacheStatus == .hit)
        #expect(try fr.text == "fr")
        let none = try await client.get(Self.url)
        #expect(none.cacheStatus == .hit)
        #expect(try none.text == "none")
        #expect(origin.hits == 3)
        // An empty value is not an absent one.
        #expect(try await client.get(Self.url, headers: ["Accept-Language": ""]).cacheStatus == .miss)
    }

    @Test func varyValuesAreNormalisedAndCombined() async throws {
        let clock = ManualClock()
        let origin = ScriptedOrigin { _, index in
            Response(200, headers: ["Cache-Control": "max-age=60", "Vary": "accept-language, X-Flags"], text: "v\(index)")
        }
        let client = cachingClient(origin, clock: clock)
        _ = try await client.get(Self.url, headers: ["Accept-Language": "en,fr", "X-Flags": "a"])
        let spaced = try await client.get(Self.url, headers: ["Accept-Language": " en ,  fr ", "x-flags": "a"])
        #expect(spaced.cacheStatus == .hit)
        let split = try await client.get(Self.url, headers: [("Accept-Language", "en"), ("Accept-Language", "fr"), ("X-Flags", "a")])
        #expect(split.cacheStatus == .hit)
        #expect(try await client.get(Self.url, headers: ["Accept-Language": "en,fr", "X-Flags": "b"]).cacheStatus == .miss)
    }

    @Test func varyStarIsNeverServedFromTheCache() async throws {
        let clock = ManualClock()
        let origin = Self.origin(clock, ["Cache-Control": "max-age=60", "Vary": "Accept, *"])
        let client = cachingClient(origin, clock: clock)
        _ = try await client.get(Self.url)
        #expect(try await client.get(Self.url).cacheStatus == .miss)
        #expect(origin.hits == 2)
    }

    @Test func credentialsInVariedFieldsAreStoredOnlyAsAKeyedHash() async throws {
        let clock = ManualClock()
        let store = MemoryCacheStore()
        let origin = ScriptedOrigin { _, index in
            Response(
                200,
                headers: [
                    "Cache-Control": "max-age=60", "Vary": "Authorization, Cookie", "Set-Cookie": "refresh=rotated-token",
                    "Date": clock.httpDate(),
                ],
                text: "v\(index)")
        }
        let credentials: Headers = ["Authorization": "Bearer top-secret", "Cookie": "session=hunter2"]
        _ = try await cachingClient(origin, clock: clock, store: store).get(Self.url, headers: credentials)
        let entries = try await store.entries(for: Self.url)
        #expect(entries.count == 1)
        let entry = try #require(entries.first)
        // Nothing the store holds carries the request's credentials, nor the cookie the
        // response set: not the key, the variant key, any field name or value, the body.
        var held = [entry.key, entry.variantKey, entry.reasonPhrase, entry.httpVersion, String(buffer: entry.body)]
        for field in entry.headers.fields { held += [field.name, field.value] }
        for secret in ["top-secret", "hunter2", "rotated-token"] {
            #expect(!held.contains { $0.contains(secret) }, "the store holds \(secret)")
        }
        #expect(!entry.headers.contains("Set-Cookie"))
        // The variant key is the store's HMAC of the normalised fields: not their plain
        // SHA-256, which anyone could recompute from a guess, and another store's key differs.
        let normalized = "authorization:Bearer top-secret\ncookie:session=hunter2\n"
        #expect(entry.variantKey == store.secondaryKey(for: normalized))
        #expect(entry.variantKey != CacheHash.sha256Hex(normalized))
        #expect(MemoryCacheStore().secondaryKey(for: normalized) != entry.variantKey)
        #expect(entry.variantKey.count == 64)
        // A client of its own (no cookie jar in common), on the same store.
        let other = cachingClient(origin, clock: clock, store: store)
        #expect(try await other.get(Self.url, headers: credentials).cacheStatus == .hit)
        #expect(try await other.get(Self.url, headers: ["Authorization": "Bearer other", "Cookie": "session=hunter2"]).cacheStatus == .miss)
    }

    @Test func unsafeMethodsInvalidateTheirTarget() async throws {
        for method in [HTTPMethod.post, .put, .delete, .patch, "PURGE"] {
            let clock = ManualClock()
            let origin = Self.origin(clock)
            let client = cachingClient(origin, clock: clock)
            _ = try await client.get(Self.url)
            #expect(try await client.get(Self.url).cacheStatus == .hit)
            let changed = try await client.request(method, Self.url)
            #expect(changed.cacheStatus == .miss)
            #expect(try await client.get(Self.url).cacheStatus == .miss, "after \(method)")
        }
    }

    @Test func anErrorAnswerDoesNotInvalidate() async throws {
        let clock = ManualClock()
        let origin = ScriptedOrigin { request, index in
            if request.method == .post { return Response(500, text: "failed") }
            return Response(200, headers: ["Cache-Control": "max-age=60"], text: "v\(index)")
        }
        let client = cachingClient(origin, clock: clock)
        _ = try await client.get(Self.url)
        _ = try await client.post(Self.url, content: .text("x"))
        #expect(try await client.get(Self.url).cacheStatus == .hit)
    }

    @Test func locationAndContentLocationAreInvalidatedWhenSameOrigin() async throws {
        let clock = ManualClock()
        let origin = ScriptedOrigin { request, index in
            switch (request.method.rawValue, request.url.path) {
            case ("POST", "/new"):
                return Response(201, headers: ["Location": "/a", "Content-Location": "https://example.org/b"], text: "made")
            case ("PUT", "/x"):
                return Response(200, headers: ["Location": "https://other.example/c"], text: "moved")
            default:
                return Response(200, headers: ["Cache-Control": "max-age=60"], text: "v\(index)")
            }
        }
        let client = cachingClient(origin, clock: clock)
        for url in ["https://example.org/a", "https://example.org/b", "https://example.org/c", "https://other.example/c"] {
            _ = try await client.get(url)
        }
        _ = try await client.post("https://example.org/new", content: .text("x"))
        _ = try await client.put("https://example.org/x", content: .text("x"))
        #expect(try await client.get("https://example.org/a").cacheStatus == .miss)
        #expect(try await client.get("https://example.org/b").cacheStatus == .miss)
        #expect(try await client.get("https://example.org/c").cacheStatus == .hit)
        // Another origin's URL is never invalidated from here.
        #expect(try await client.get("https://other.example/c").cacheStatus == .hit)
    }

    @Test func cacheStatusIsInTheExtensions() async throws {
        let clock = ManualClock()
        let origin = Self.origin(clock)
        let client = cachingClient(origin, clock: clock)
        let miss = try await client.get(Self.url)
        #expect(miss.extensions[Response.ExtensionKey.cacheStatus] as? CacheStatus == .miss)
        #expect(miss.extensions["cache_status"] as? CacheStatus == .miss)
        #expect(miss.cacheStatus?.isFromCache == false)
        let hit = try await client.get(Self.url)
        #expect(hit.extensions["cache_status"] as? CacheStatus == .hit)
        #expect(hit.cacheStatus?.isFromCache == true)
        #expect(CacheStatus.onlyIfCachedMiss.description == "only-if-cached-miss")
        // Not through a cache: no status.
        let plain = AsyncClient(.init(transport: origin.transport))
        #expect(try await plain.get(Self.url).cacheStatus == nil)
    }

    @Test func setCookieIsNotStoredNorReplayed() async throws {
        let clock = ManualClock()
        let origin = Self.origin(clock, ["Cache-Control": "max-age=60", "Set-Cookie": "id=1", "Connection": "X-Hop", "X-Hop": "1"])
        let client = cachingClient(origin, clock: clock)
        let first = try await client.get(Self.url)
        #expect(first.headers["Set-Cookie"] == "id=1")
        let hit = try await client.get(Self.url)
        #expect(hit.cacheStatus == .hit)
        #expect(hit.headers["Set-Cookie"] == nil)
        #expect(hit.headers["X-Hop"] == nil)
        #expect(hit.headers["Cache-Control"] == "max-age=60")
    }

    @Test func rangeRequestsPassThroughUnstored() async throws {
        let clock = ManualClock()
        let origin = ScriptedOrigin { request, _ in
            if request.headers.contains("Range") {
                return Response(206, headers: ["Content-Range": "bytes 0-1/10", "Cache-Control": "max-age=60"], text: "01")
            }
            return Response(200, headers: ["Cache-Control": "max-age=60"], text: "0123456789")
        }
        let client = cachingClient(origin, clock: clock)
        _ = try await client.get(Self.url, headers: ["Range": "bytes=0-1"])
        let whole = try await client.get(Self.url)
        #expect(whole.cacheStatus == .miss)
        #expect(try whole.text == "0123456789")
        let range = try await client.get(Self.url, headers: ["Range": "bytes=0-1"])
        #expect(range.statusCode == 206)
        #expect(range.cacheStatus == .miss)
        #expect(origin.hits == 3)
    }
}
