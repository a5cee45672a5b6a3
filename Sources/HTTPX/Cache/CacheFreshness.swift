#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The age and freshness lifetime of a stored response at a moment (RFC 9111 §4.2), in
/// seconds.
struct CacheFreshness: Sendable {
    /// How old the response is (§4.2.3): its corrected initial age plus its time in the store.
    let currentAge: Double
    /// How long it stays fresh from its creation (§4.2.1), explicitly or by heuristic.
    let lifetime: Double

    /// Statuses that are heuristically cacheable (RFC 9110 §15.1). 206 is one too, but partial
    /// responses are never stored (range requests pass through), so it is left out.
    static let heuristicallyCacheable: Set<Int> = [200, 203, 204, 300, 301, 308, 404, 405, 410, 414, 501]

    /// Whether the response is fresh: its age has not reached its lifetime.
    var isFresh: Bool { lifetime > currentAge }

    /// How long past its lifetime the response is (negative while fresh).
    var staleness: Double { currentAge - lifetime }

    init(currentAge: Double, lifetime: Double) {
        self.currentAge = currentAge
        self.lifetime = lifetime
    }

    /// The freshness of `entry` at `now`, for a shared or a private cache.
    ///
    /// - Parameter heuristicLimit: the longest lifetime a heuristic may give (seconds).
    init(_ entry: CacheEntry, now: Date, shared: Bool, heuristicLimit: Double) {
        let headers = entry.headers
        let requestTime = entry.requestTime.timeIntervalSince1970
        let responseTime = entry.responseTime.timeIntervalSince1970
        let date = CacheDate.parse(headers.first("Date"))?.timeIntervalSince1970 ?? responseTime
        currentAge = Self.currentAge(
            ageValue: Self.ageValue(headers), date: date, requestTime: requestTime, responseTime: responseTime,
            now: now.timeIntervalSince1970)
        lifetime = Self.lifetime(
            headers: headers, statusCode: entry.statusCode, date: date, shared: shared, heuristicLimit: heuristicLimit)
    }

    /// The `Age` field's seconds: 0 when absent or invalid, at most 2³¹ (RFC 9111 §5.1).
    static func ageValue(_ headers: Headers) -> Double {
        guard let value = headers.first("Age") else { return 0 }
        return Double(CacheControl.deltaSeconds(value))
    }

    /// RFC 9111 §4.2.3, with times in seconds since 1970.
    static func currentAge(ageValue: Double, date: Double, requestTime: Double, responseTime: Double, now: Double) -> Double {
        let apparentAge = max(0, responseTime - date)
        let responseDelay = max(0, responseTime - requestTime)
        let correctedAgeValue = ageValue + responseDelay
        let correctedInitialAge = max(apparentAge, correctedAgeValue)
        let residentTime = max(0, now - responseTime)
        let age = correctedInitialAge + residentTime
        return age.isFinite ? age : Double(CacheControl.maxDeltaSeconds)
    }

    /// RFC 9111 §4.2.1 and §4.2.2: `s-maxage` (shared caches only), `max-age`, `Expires`
    /// relative to `Date`, else 10% of the time since `Last-Modified` (at most
    /// `heuristicLimit`) for a heuristically cacheable status or a `public` response, else 0.
    static func lifetime(headers: Headers, statusCode: Int, date: Double, shared: Bool, heuristicLimit: Double) -> Double {
        let cacheControl = CacheControl(headers)
        if shared, let sMaxAge = cacheControl.sMaxAge { return Double(sMaxAge) }
        if let maxAge = cacheControl.maxAge { return Double(maxAge) }
        if let expires = headers.first("Expires") {
            // An invalid date (`0`, say) means already expired.
            guard let expiry = CacheDate.parse(expires)?.timeIntervalSince1970 else { return 0 }
            return max(0, expiry - date)
        }
        guard heuristicallyCacheable.contains(statusCode) || cacheControl.isPublic,
            let lastModified = CacheDate.parse(headers.first("Last-Modified"))?.timeIntervalSince1970,
            lastModified <= date
        else { return 0 }
        return min((date - lastModified) / 10, max(0, heuristicLimit))
    }

    /// Whether a response has explicit freshness (`max-age`, `Expires`, or `s-maxage` for a
    /// shared cache).
    static func hasExplicitFreshness(_ headers: Headers, cacheControl: CacheControl, shared: Bool) -> Bool {
        cacheControl.maxAge != nil || headers.contains("Expires") || (shared && cacheControl.sMaxAge != nil)
    }
}
