#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Testing

@testable import HTTPX

@Suite("Cookies")
struct CookieTests {
    let now = Date(timeIntervalSince1970: 1_700_000_000)

    func url(_ text: String) throws -> HTTPURL { try HTTPURL(text) }

    @Test func setGetDeleteClear() async throws {
        var jar: Cookies = ["a": "1"]
        jar.set("b", "2", domain: "example.org")
        jar.set("b", "3", domain: "other.org")
        #expect(try jar.get("a") == "1")
        #expect(try jar.get("b", domain: "other.org") == "3")
        await expectHTTPXError(.cookieConflict) { _ = try jar.get("b") }
        #expect(jar["b"] == nil)
        jar.delete("b", domain: "example.org")
        #expect(try jar.get("b") == "3")
        jar.clear(domain: "other.org")
        #expect(jar.count == 1)
        jar.clear()
        #expect(jar.isEmpty)
    }

    @Test func hostOnlyAndDomainMatching() throws {
        var jar = Cookies()
        jar.extract(from: ["Set-Cookie": "host=1"], for: try url("http://www.example.com/"), now: now)
        jar.extract(from: ["Set-Cookie": "dom=2; Domain=.example.com"], for: try url("http://www.example.com/"), now: now)
        #expect(jar.header(for: try url("http://www.example.com/"), now: now) == "host=1; dom=2")
        #expect(jar.header(for: try url("http://sub.example.com/"), now: now) == "dom=2")
        #expect(jar.header(for: try url("http://example.com/"), now: now) == "dom=2")
        #expect(jar.header(for: try url("http://notexample.com/"), now: now) == nil)
    }

    @Test func rejectsForeignAndTopLevelDomains() throws {
        var jar = Cookies()
        jar.extract(from: ["Set-Cookie": "x=1; Domain=evil.com"], for: try url("http://example.com/"), now: now)
        jar.extract(from: ["Set-Cookie": "y=1; Domain=com"], for: try url("http://example.com/"), now: now)
        jar.extract(from: ["Set-Cookie": "no-equals-sign"], for: try url("http://example.com/"), now: now)
        #expect(jar.isEmpty)
    }

    @Test func pathMatchingAndOrder() throws {
        var jar = Cookies()
        let origin = try url("http://h.com/docs/guide/page")
        jar.extract(from: [("Set-Cookie", "root=1; Path=/"), ("Set-Cookie", "deep=2; Path=/docs/guide"),
                           ("Set-Cookie", "implicit=3")], for: origin, now: now)
        // The default path is the request path's directory.
        #expect(jar.all.first { $0.name == "implicit" }?.path == "/docs/guide")
        #expect(jar.header(for: try url("http://h.com/docs/guide/x"), now: now) == "deep=2; implicit=3; root=1")
        #expect(jar.header(for: try url("http://h.com/docs/guidebook"), now: now) == "root=1")
        #expect(jar.header(for: try url("http://h.com/"), now: now) == "root=1")
    }

    @Test func secureCookiesOnlyOverHTTPS() throws {
        var jar = Cookies()
        jar.extract(from: ["Set-Cookie": "s=1; Secure; HttpOnly; SameSite=Lax"], for: try url("https://h.com/"), now: now)
        jar.extract(from: ["Set-Cookie": "t=1; Secure"], for: try url("http://h.com/"), now: now)
        #expect(jar.count == 1)
        let cookie = try #require(jar.all.first)
        #expect(cookie.isSecure && cookie.isHTTPOnly && cookie.sameSite == "Lax")
        #expect(jar.header(for: try url("https://h.com/"), now: now) == "s=1")
        #expect(jar.header(for: try url("http://h.com/"), now: now) == nil)
    }

    @Test func expiresAndMaxAge() throws {
        var jar = Cookies()
        let origin = try url("http://h.com/")
        jar.extract(from: [
            ("Set-Cookie", "old=1; Expires=Wed, 21 Oct 2015 07:28:00 GMT"),
            ("Set-Cookie", "future=1; Expires=Wed, 21 Oct 2037 07:28:00 GMT"),
            ("Set-Cookie", "brief=1; Max-Age=60; Expires=Wed, 21 Oct 2015 07:28:00 GMT"),
            ("Set-Cookie", "odd=1; expires=Sunday, 06-Nov-94 08:49:37 GMT"),
        ], for: origin, now: now)
        #expect(jar.header(for: origin, now: now) == "future=1; brief=1")
        #expect(jar.header(for: origin, now: now.addingTimeInterval(61)) == "future=1")
        jar.extract(from: ["Set-Cookie": "future=gone; Max-Age=0"], for: origin, now: now)
        #expect(jar.header(for: origin, now: now) == "brief=1")
        #expect(CookieDate.parse("Sun, 06 Nov 1994 08:49:37 GMT") == Date(timeIntervalSince1970: 784_111_777))
        #expect(CookieDate.parse("Sun Nov  6 08:49:37 1994") == Date(timeIntervalSince1970: 784_111_777))
        #expect(CookieDate.parse("garbage") == nil)
    }

    @Test func replacingKeepsCreationOrder() throws {
        var jar = Cookies()
        let origin = try url("http://h.com/")
        jar.extract(from: [("Set-Cookie", "a=1"), ("Set-Cookie", "b=1")], for: origin, now: now)
        jar.extract(from: ["Set-Cookie": "a=2"], for: origin, now: now.addingTimeInterval(5))
        #expect(jar.header(for: origin, now: now) == "a=2; b=1")
    }

    @Test func clientStoresAndSendsOnlyMatchingCookies() async throws {
        let recorder = Recorder()
        let client = mockClient(cookies: ["everywhere": "1"], recorder: recorder) { request in
            request.url.path == "/login"
                ? Response(200, headers: [("Set-Cookie", "session=abc; Path=/app"), ("Set-Cookie", "theme=dark")])
                : Response(200)
        }
        let login = try await client.get("http://a.com/login")
        #expect(try login.cookies.get("session") == "abc")
        _ = try await client.get("http://a.com/app/home")
        #expect(recorder.last?.headers["Cookie"] == "session=abc; everywhere=1; theme=dark")
        _ = try await client.get("http://b.com/app/home")
        #expect(recorder.last?.headers["Cookie"] == "everywhere=1")
        _ = try await client.get("http://a.com/app", cookies: ["extra": "x"])
        #expect(recorder.last?.headers["Cookie"]?.contains("extra=x") == true)
        #expect(try client.cookies.get("extra") == nil, "request cookies are not stored in the client")
        client.cookies.set("manual", "m", domain: "a.com")
        _ = try await client.get("http://a.com/")
        #expect(recorder.last?.headers["Cookie"]?.contains("manual=m") == true)
    }
}
