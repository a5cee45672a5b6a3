#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The `Retry-After` header (RFC 9110 §10.2.3): seconds to wait, or the date to wait until.
enum RetryAfter {
    /// How long `response` asks to wait, if it says: `120`, or an HTTP-date (a date in the past
    /// asks for no wait).
    static func delay(in response: Response, now: Date = Date()) -> Duration? {
        guard let value = response.headers.first("Retry-After")?.trimmingSpaces, !value.isEmpty else { return nil }
        if value.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) {
            // A number too long for an Int is a very long wait.
            return .seconds(Int(value).map { min($0, 1 << 40) } ?? (1 << 40))
        }
        guard let date = CookieDate.parse(String(value)) else { return nil }
        let seconds = date.timeIntervalSince(now)
        return seconds > 0 ? .milliseconds(Int64(min(seconds, 1e12) * 1000)) : .zero
    }
}
