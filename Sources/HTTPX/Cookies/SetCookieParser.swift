#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Parses `Set-Cookie` header values (RFC 6265 §5.2) into cookies ready to store.
enum SetCookieParser {
    /// The cookie a `Set-Cookie` value sets for a response from `url`, or `nil` when the
    /// value must be ignored (no `=`, a domain that does not cover the host or is a public
    /// suffix, `Secure` over plain HTTP, more than 4096 bytes).
    static func parse(_ header: String, from url: HTTPURL, now: Date) -> Cookie? {
        var parts = header.split(separator: ";", omittingEmptySubsequences: false)
        guard !parts.isEmpty else { return nil }
        let pair = parts.removeFirst()
        guard let equals = pair.firstIndex(of: "=") else { return nil }
        let name = String(pair[..<equals].trimmingSpaces)
        let value = String(pair[pair.index(after: equals)...].trimmingSpaces)
        guard !name.isEmpty || !value.isEmpty else { return nil }

        var cookie = Cookie(name: name, value: value, domain: url.rawHost, path: Cookie.defaultPath(for: url),
                            isHostOnly: true, created: now)
        var maxAge: Int?
        var expires: Date?
        var domainAttribute: String?
        for attribute in parts {
            let split = attribute.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let key = split[0].trimmingSpaces.lowercased()
            let argument = split.count > 1 ? String(split[1].trimmingSpaces) : ""
            switch key {
            case "expires": expires = CookieDate.parse(argument) ?? expires
            case "max-age":
                if let seconds = Int(argument) { maxAge = seconds }
            case "domain":
                var domain = Substring(argument.lowercased())
                while domain.hasPrefix(".") { domain = domain.dropFirst() }
                domainAttribute = domain.isEmpty ? nil : String(domain)
            case "path":
                cookie.path = argument.hasPrefix("/") ? argument : Cookie.defaultPath(for: url)
            case "secure": cookie.isSecure = true
            case "httponly": cookie.isHTTPOnly = true
            case "samesite": cookie.sameSite = argument
            default: break
            }
        }
        if let maxAge {
            cookie.expires = maxAge <= 0 ? Date.distantPast : now.addingTimeInterval(TimeInterval(maxAge))
        } else {
            cookie.expires = expires
        }
        if let domainAttribute {
            guard Cookie.domainMatches(host: url.rawHost, domain: domainAttribute),
                domainAttribute.contains(".") || domainAttribute == url.rawHost
            else { return nil }
            // RFC 6265 §5.3 step 5: a public suffix (`co.uk`, `github.io`) may only name the
            // host itself, which then gets a host-only cookie; for any other host the cookie
            // would reach every site under the suffix, so it is ignored.
            if PublicSuffixList.shared.isPublicSuffix(domainAttribute) {
                guard domainAttribute == url.rawHost else { return nil }
            } else {
                cookie.domain = domainAttribute
                cookie.isHostOnly = false
            }
        }
        // Browsers' bound on one cookie: a name and value of at most 4096 bytes.
        if name.utf8.count + value.utf8.count > Cookies.maxCookieSize { return nil }
        if cookie.isSecure && url.scheme != "https" && url.scheme != "wss" { return nil }
        return cookie
    }
}

/// The cookie date format of RFC 6265 §5.1.1, which accepts every date style servers send.
enum CookieDate {
    static func parse(_ text: String) -> Date? {
        var time: (Int, Int, Int)?
        var day: Int?
        var month: Int?
        var year: Int?
        let tokens = text.split { !($0.isLetter || $0.isNumber || $0 == ":") }
        for token in tokens {
            if time == nil, let parsed = parseTime(token) {
                time = parsed
            } else if day == nil, token.count <= 2, let value = leadingNumber(token) {
                day = value
            } else if month == nil, let value = monthNumber(token) {
                month = value
            } else if year == nil, (2...4).contains(token.count), let value = leadingNumber(token) {
                year = value
            }
        }
        guard var year, let day, let month, let (hour, minute, second) = time else { return nil }
        if (70...99).contains(year) { year += 1900 } else if (0...69).contains(year) { year += 2000 }
        guard (1...31).contains(day), year >= 1601, hour <= 23, minute <= 59, second <= 59 else { return nil }
        let days = daysFromCivil(year: year, month: month, day: day)
        return Date(timeIntervalSince1970: TimeInterval(days * 86400 + hour * 3600 + minute * 60 + second))
    }

    private static func parseTime(_ token: Substring) -> (Int, Int, Int)? {
        let fields = token.split(separator: ":", omittingEmptySubsequences: false)
        guard fields.count == 3 else { return nil }
        let numbers = fields.compactMap { $0.count <= 2 ? Int($0) : nil }
        return numbers.count == 3 ? (numbers[0], numbers[1], numbers[2]) : nil
    }

    private static func leadingNumber(_ token: Substring) -> Int? {
        let digits = token.prefix { $0.isASCII && $0.isNumber }
        return digits.isEmpty ? nil : Int(digits)
    }

    private static func monthNumber(_ token: Substring) -> Int? {
        let names = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
        return names.firstIndex(of: token.prefix(3).lowercased()).map { $0 + 1 }
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
    static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146097 + dayOfEra - 719468
    }
}
