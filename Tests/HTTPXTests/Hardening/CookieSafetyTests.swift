import Foundation
import Testing

@testable import HTTPX

/// What a hostile or careless server must not do to the cookie jar: set cookies for a whole
/// public suffix, overwrite a `Secure` cookie over plain HTTP, or grow the jar without bound.
@Suite("Cookie safety", .timeLimit(.minutes(1)))
struct CookieSafetyTests {
    func url(_ text: String) throws -> HTTPURL { try HTTPURL(text) }

    func jar(_ setCookies: [String], from origin: String, into jar: Cookies = Cookies()) throws -> Cookies {
        var jar = jar
        jar.extract(from: Headers(setCookies.map { ("Set-Cookie", $0) }), for: try url(origin))
        return jar
    }

    // MARK: - Public suffixes

    @Test func theListKnowsSuffixesWildcardsAndExceptions() {
        let list = PublicSuffixList.shared
        for suffix in ["com", "co.uk", "github.io", "blogspot.com", "anything.ck", "unlistedtld"] {
            #expect(list.isPublicSuffix(suffix), "\(suffix)")
        }
        for domain in ["example.com", "example.co.uk", "user.github.io", "www.ck", "a.unlistedtld"] {
            #expect(!list.isPublicSuffix(domain), "\(domain)")
        }
        #expect(list.registrableDomain("a.b.example.co.uk") == "example.co.uk")
        #expect(list.registrableDomain("deep.user.github.io") == "user.github.io")
        #expect(list.registrableDomain("www.ck") == "www.ck")
        #expect(list.registrableDomain("co.uk") == nil)
        #expect(list.isPublicSuffix("xn--55qx5d.cn"), "Unicode rules are matched in punycode (公司.cn)")
    }

    @Test(arguments: [
        ("https://evil.github.io/", "github.io"),
        ("https://shop.example.co.uk/", "co.uk"),
        ("https://www.example.com/", "com"),
    ])
    func aCookieForAPublicSuffixIsIgnored(origin: String, domain: String) throws {
        let cookies = try jar(["a=1; Domain=\(domain)"], from: origin)
        #expect(cookies.isEmpty)
        #expect(cookies.header(for: try url("https://victim.\(domain)/")) == nil)
    }

    @Test func aPublicSuffixNamingItsOwnHostGetsAHostOnlyCookie() throws {
        let cookies = try jar(["a=1; Domain=github.io"], from: "https://github.io/")
        let cookie = try #require(cookies.all.first)
        #expect(cookie.domain == "github.io")
        #expect(cookie.isHostOnly)
        #expect(cookies.header(for: try url("https://user.github.io/")) == nil)
    }

    @Test func aRegistrableDomainStillWorks() throws {
        let cookies = try jar(["a=1; Domain=example.co.uk"], from: "https://www.example.co.uk/")
        #expect(cookies.header(for: try url("https://shop.example.co.uk/")) == "a=1")
    }

    // MARK: - Secure cookies

    @Test func plainHTTPCannotReplaceOrShadowASecureCookie() throws {
        var cookies = try jar(["session=good; Secure; Path=/"], from: "https://example.com/")
        cookies = try jar(
            ["session=evil", "session=evil2; Domain=example.com; Path=/app", "other=fine"], from: "http://example.com/",
            into: cookies)
        cookies = try jar(["session=evil3; Domain=example.com"], from: "http://sub.example.com/", into: cookies)
        #expect(cookies.header(for: try url("https://example.com/app")) == "session=good; other=fine")
        #expect(cookies.count == 2)
        // Over HTTPS the server may replace it.
        cookies = try jar(["session=new; Secure; Path=/"], from: "https://example.com/", into: cookies)
        #expect(try cookies.get("session") == "new")
    }

    // MARK: - Bounds

    @Test func tenThousandSetCookieKeepTheNewestWithinTheDomainLimit() throws {
        let headers = (0..<10_000).map { "c\($0)=\(String(repeating: "v", count: 8))" }
        let cookies = try jar(headers, from: "https://example.com/")
        #expect(cookies.count == Cookies.maxCookiesPerDomain)
        #expect(try cookies.get("c9999") != nil)
        #expect(try cookies.get("c0") == nil, "the oldest went first")
        let header = try #require(cookies.header(for: try url("https://example.com/")))
        #expect(header.utf8.count < 4 << 10)
    }

    @Test func theWholeJarIsBounded() throws {
        var cookies = Cookies()
        for site in 0..<40 {
            cookies = try jar((0..<100).map { "c\($0)=v" }, from: "https://site\(site).example/", into: cookies)
        }
        #expect(cookies.count == Cookies.maxCookies)
        #expect(cookies.header(for: try url("https://site0.example/")) == nil, "the oldest site's cookies went first")
        #expect(cookies.header(for: try url("https://site39.example/"))?.contains("c99=v") == true)
    }

    @Test func anOversizedCookieIsIgnored() throws {
        let cookies = try jar(["big=\(String(repeating: "x", count: 5000))", "small=1"], from: "https://example.com/")
        #expect(cookies.all.map(\.name) == ["small"])
    }

    @Test func replacingKeepsTheOrderAndDeletingFreesRoom() throws {
        var cookies = try jar(["a=1", "b=2", "c=3"], from: "https://example.com/")
        cookies = try jar(["a=10"], from: "https://example.com/", into: cookies)
        #expect(cookies.all.map(\.value) == ["10", "2", "3"])
        cookies = try jar(["b=; Max-Age=0"], from: "https://example.com/", into: cookies)
        #expect(cookies.all.map(\.name) == ["a", "c"])
        for index in 0..<Cookies.maxCookiesPerDomain { cookies.set("n\(index)", "v", domain: "example.com") }
        #expect(cookies.count == Cookies.maxCookiesPerDomain)
        #expect(try cookies.get("a") == nil)
    }
}
