// Fuzzes `Set-Cookie` parsing (`SetCookieParser`, `CookieDate`, the Public Suffix List
// look-ups) and the cookie jar's handling of a response's headers
// (`Cookies.extract(from:for:now:)`, then `header(for:)`).
//
// Input: when the first line is an `http(s)://` URL it is the response's URL (else
// `https://www.example.com/a/b` is); every other line is one `Set-Cookie` header value.
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import FuzzSupport
@testable import HTTPX

private let defaultURL = try? HTTPURL("https://www.example.com/a/b")
/// A fixed clock, so an input behaves the same on every run.
private let now = Date(timeIntervalSince1970: 1_700_000_000)

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ start: UnsafePointer<UInt8>, _ count: Int) -> CInt {
    guard let bytes = FuzzInput.bytes(start, count) else { return 0 }
    var lines = FuzzInput.lines(bytes)
    var responseURL = defaultURL
    if lines[0].hasPrefix("http://") || lines[0].hasPrefix("https://"), let given = try? HTTPURL(lines[0]) {
        responseURL = given
        lines.removeFirst()
    }
    guard let url = responseURL else { return 0 }

    var headers = Headers()
    for line in lines {
        _ = CookieDate.parse(line)
        // A `Domain` attribute is checked against the Public Suffix List.
        _ = PublicSuffixList.shared.isPublicSuffix(line)
        _ = PublicSuffixList.shared.registrableDomain(line)
        if let cookie = SetCookieParser.parse(line, from: url, now: now) {
            _ = cookie.description
            _ = cookie.matches(url, at: now)
            _ = cookie.isExpired(at: now)
        }
        headers.add("Set-Cookie", line)
    }

    var jar = Cookies()
    jar.extract(from: headers, for: url, now: now)
    _ = jar.header(for: url, now: now)
    _ = jar.description
    // A few of them only: each look-up scans the jar, which holds up to 3000 cookies.
    for cookie in jar.prefix(16) {
        _ = try? jar.get(cookie.name)
        _ = try? jar.get(cookie.name, domain: cookie.domain, path: cookie.path)
        // The cookie's own domain and path, as the next request could address them.
        if let other = try? HTTPURL("https://\(cookie.domain)\(cookie.path)") {
            _ = jar.header(for: other, now: now)
        }
    }
    // A later response replacing and expiring what the first stored.
    jar.extract(from: headers, for: url, now: now.addingTimeInterval(3600))
    _ = jar.header(for: url, now: now.addingTimeInterval(3600))
    return 0
}
