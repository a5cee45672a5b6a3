#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Testing

@testable import HTTPX

/// Parsing `Cache-Control` (RFC 9111 §5.2): names, arguments, quotes, repeats, bad numbers.
@Suite("Cache-Control parsing")
struct CacheControlTests {
    @Test func namesAreCaseInsensitiveAndValuesKept() {
        let cc = CacheControl(parsing: "Max-Age=60, NO-CACHE, Private")
        #expect(cc.maxAge == 60)
        #expect(cc.noCache)
        #expect(cc.isPrivate)
        #expect(!cc.noStore)
        #expect(cc.directives.map(\.name) == ["max-age", "no-cache", "private"])
    }

    @Test func quotedArgumentsAreUnquotedAndCommasInsideDoNotSplit() {
        let cc = CacheControl(parsing: #"no-cache="Set-Cookie, X-Token", max-age="30", ext="a\"b", public"#)
        #expect(cc.value(of: "no-cache") == "Set-Cookie, X-Token")
        #expect(cc.noCache)
        #expect(cc.maxAge == 30)
        #expect(cc.value(of: "ext") == #"a"b"#)
        #expect(cc.isPublic)
        #expect(cc.directives.count == 4)
    }

    @Test func spacesAndEmptyItemsAreTolerated() {
        let cc = CacheControl(parsing: " ,  max-age = 10 ,, s-maxage=20 ,")
        #expect(cc.maxAge == 10)
        #expect(cc.sMaxAge == 20)
        #expect(cc.directives.count == 2)
    }

    @Test func theFirstOfRepeatedDirectivesWins() {
        #expect(CacheControl(parsing: "max-age=5, max-age=100").maxAge == 5)
        let headers: Headers = [("Cache-Control", "max-age=7"), ("Cache-Control", "max-age=9, no-store")]
        let cc = CacheControl(headers)
        #expect(cc.maxAge == 7)
        #expect(cc.noStore)
    }

    @Test func invalidNumbersCountAsZero() {
        #expect(CacheControl(parsing: "max-age=abc").maxAge == 0)
        #expect(CacheControl(parsing: "max-age=-5").maxAge == 0)
        #expect(CacheControl(parsing: "max-age=1.5").maxAge == 0)
        #expect(CacheControl(parsing: "max-age").maxAge == 0)
        #expect(CacheControl(parsing: "max-age=").maxAge == 0)
        #expect(CacheControl(parsing: "no-cache").maxAge == nil)
    }

    @Test func hugeNumbersClampToTwoToTheThirtyFirst() {
        #expect(CacheControl(parsing: "max-age=99999999999999999999999999").maxAge == 2_147_483_648)
        #expect(CacheControl(parsing: "max-age=2147483647").maxAge == 2_147_483_647)
        #expect(CacheControl(parsing: "max-age=2147483649").maxAge == 2_147_483_648)
    }

    @Test func maxStaleWithoutAnArgumentAllowsAnyStaleness() {
        #expect(CacheControl(parsing: "max-stale").maxStale == CacheControl.maxDeltaSeconds)
        #expect(CacheControl(parsing: "max-stale=30").maxStale == 30)
        #expect(CacheControl(parsing: "no-cache").maxStale == nil)
    }

    @Test func requestDirectives() {
        let cc = CacheControl(parsing: "only-if-cached, min-fresh=5, stale-if-error=60, no-store")
        #expect(cc.onlyIfCached)
        #expect(cc.minFresh == 5)
        #expect(cc.staleIfError == 60)
        #expect(cc.noStore)
    }

    @Test func anUnterminatedQuoteRunsToTheEnd() {
        let cc = CacheControl(parsing: #"private="a, b"#)
        #expect(cc.value(of: "private") == "a, b")
        #expect(cc.directives.count == 1)
    }

    @Test func descriptionWritesAFieldValue() {
        #expect(CacheControl(parsing: #"max-age=60, no-cache="a, b", public"#).description == #"max-age=60, no-cache="a, b", public"#)
    }

    @Test func pragmaNoCacheCountsWithoutCacheControl() throws {
        let plain = try Request(.get, "https://example.org/", headers: ["Pragma": "no-cache"])
        #expect(CacheTransport.directives(of: plain).noCache)
        let both = try Request(.get, "https://example.org/", headers: ["Pragma": "no-cache", "Cache-Control": "max-age=5"])
        #expect(!CacheTransport.directives(of: both).noCache)
    }

    @Test func httpDatesRoundTrip() throws {
        let date = try #require(CacheDate.parse("Sun, 06 Nov 1994 08:49:37 GMT"))
        #expect(CacheDate.format(date) == "Sun, 06 Nov 1994 08:49:37 GMT")
        #expect(CacheDate.parse("Sunday, 06-Nov-94 08:49:37 GMT") == date)
        #expect(CacheDate.parse("Sun Nov  6 08:49:37 1994") == date)
        #expect(CacheDate.parse("0") == nil)
        let leap = try #require(CacheDate.parse("Thu, 29 Feb 2024 23:59:59 GMT"))
        #expect(CacheDate.format(leap) == "Thu, 29 Feb 2024 23:59:59 GMT")
    }
}
