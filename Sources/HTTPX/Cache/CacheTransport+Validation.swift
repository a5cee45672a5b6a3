#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Logging

extension CacheTransport {
    /// Fields a 304 does not update in the stored response (RFC 9111 §3.2): those never
    /// stored, and those the stored body depends on.
    static let fieldsKeptOn304: Set<String> = CacheTransport.unstoredFields.union([
        "content-length", "content-encoding", "content-range", "content-type",
    ])

    /// Validates `entry` with the server (RFC 9111 §4.3): a conditional request with its
    /// validators; a 304 serves the stored response updated, a full response replaces it.
    /// Without validators, the request goes as it is.
    func validate(
        _ entry: CacheEntry, _ request: Request, key: String, directives: CacheControl, existing: [CacheEntry]
    ) async throws -> Response {
        let etag = entry.headers.first("ETag")
        let lastModified = entry.headers.first("Last-Modified")
        guard etag != nil || lastModified != nil else {
            return try await fetch(request, key: key, directives: directives, existing: existing, stale: entry)
        }
        var conditional = request
        if let etag { conditional.headers.set("If-None-Match", etag) }
        if let lastModified { conditional.headers.set("If-Modified-Since", lastModified) }
        let requestTime = now()
        let response: Response
        do {
            response = try await transport.handle(conditional)
        } catch let error as HTTPXError where error.is(.transport) {
            if let served = staleOnError(entry, request, directives) { return served }
            throw error
        }
        let responseTime = now()
        guard response.statusCode == 304 else {
            return await complete(
                response, request, key: key, directives: directives, existing: existing, stale: entry,
                requestTime: requestTime, responseTime: responseTime)
        }
        await Self.discardBody(of: response)
        guard Self.validatorsMatch(response.headers, entry.headers) else {
            // The 304 confirms another representation than the one stored: the stored one is
            // left as it is, and the response asked for whole.
            request.extensions.logger?.debug("HTTP cache: the 304 to \(request) names other validators; requesting it again")
            return try await fetch(request, key: key, directives: directives, existing: existing)
        }
        var updated = entry
        updated.headers = Self.updatedHeaders(entry.headers, with: response.headers, responseTime: responseTime)
        updated.requestTime = requestTime
        updated.responseTime = responseTime
        let names = CacheVary.names(in: updated.headers)
        let updatedDirectives = CacheControl(updated.headers)
        if updatedDirectives.noStore || names == ["*"] || (shared && updatedDirectives.isPrivate) {
            // The server no longer lets it be stored: this variant goes (the others stay).
            await removeVariant(of: entry, request: request)
        } else if !directives.noStore {
            updated.variantKey = CacheVary.key(for: request, names: names, store: store)
            if updated.variantKey != entry.variantKey { await removeVariant(of: entry, request: request) }
            await put(updated, existing: existing, request: request)
        }
        let freshness = CacheFreshness(updated, now: now(), shared: shared, heuristicLimit: heuristicLimit)
        // Cookies the 304 sets reach the client (they are never stored).
        let cookies = Headers(response.headers.fields.filter { Headers.equalNames($0.name, "Set-Cookie") }.map { ($0.name, $0.value) })
        return serve(updated, request, age: freshness.currentAge, .revalidated, extra: cookies)
    }

    /// The stored fields updated from a 304's (RFC 9111 §3.2): each field the 304 has replaces
    /// the stored ones of its name, except the ones the stored body depends on and hop-by-hop
    /// ones; the stored `Age` goes (it described the old response), and a `Date` is added when
    /// the 304 has none.
    static func updatedHeaders(_ stored: Headers, with fresh: Headers, responseTime: Date) -> Headers {
        let named = connectionNamed(fresh)
        var result = stored
        result.remove("Age")
        var replaced = Set<String>()
        for field in fresh.fields {
            let name = field.name.lowercased()
            if fieldsKeptOn304.contains(name) || named.contains(name) { continue }
            if replaced.insert(name).inserted {
                result.set(field.name, field.value)
            } else {
                result.add(field.name, field.value)
            }
        }
        if !fresh.contains("Date") { result.set("Date", CacheDate.format(responseTime)) }
        return result
    }

    /// Whether a 304 is about the stored response (RFC 9111 §4.3.4).
    ///
    /// - A 304 with an entity tag matches a stored response with the same one: compared
    ///   strongly when the 304's is strong (both strong and equal), weakly when it is weak
    ///   (equal once `W/` is set aside). A stored response without an entity tag does not match.
    /// - A 304 without an entity tag but with `Last-Modified` matches a stored response with the
    ///   same `Last-Modified` (the same instant, or the same text when it is not a date).
    /// - A 304 without validators matches: it answers the validators the cache sent.
    static func validatorsMatch(_ fresh: Headers, _ stored: Headers) -> Bool {
        if let new = fresh.first("ETag") {
            guard let old = stored.first("ETag") else { return false }
            let (newTag, oldTag) = (EntityTag(new), EntityTag(old))
            if newTag.isWeak { return newTag.opaque == oldTag.opaque }
            return !oldTag.isWeak && newTag.opaque == oldTag.opaque
        }
        if let new = fresh.first("Last-Modified") {
            guard let old = stored.first("Last-Modified") else { return false }
            if let newDate = CacheDate.parse(new), let oldDate = CacheDate.parse(old) { return newDate == oldDate }
            return new.trimmingSpaces == old.trimmingSpaces
        }
        return true
    }

    /// An entity tag as a field carries it: `"xyzzy"` (strong) or `W/"xyzzy"` (weak).
    struct EntityTag: Equatable {
        /// Whether it is weak (`W/`).
        var isWeak: Bool
        /// The quoted part, quotes included.
        var opaque: Substring

        init(_ text: String) {
            let trimmed = text.trimmingSpaces
            isWeak = trimmed.hasPrefix("W/")
            opaque = isWeak ? trimmed.dropFirst(2) : trimmed
        }
    }

    /// `entry` served stale because the server failed, when `stale-if-error` (of the request,
    /// else of the stored response) allows it and nothing forbids serving it stale.
    func staleOnError(_ entry: CacheEntry, _ request: Request, _ directives: CacheControl) -> Response? {
        let stored = CacheControl(entry.headers)
        guard !staleForbidden(stored), let allowance = directives.staleIfError ?? stored.staleIfError else { return nil }
        let freshness = CacheFreshness(entry, now: now(), shared: shared, heuristicLimit: heuristicLimit)
        guard freshness.staleness <= Double(allowance) else { return nil }
        request.extensions.logger?.info("HTTP cache: the server failed; serving the stored response to \(request) stale")
        return serve(entry, request, age: freshness.currentAge, .stale)
    }
}
