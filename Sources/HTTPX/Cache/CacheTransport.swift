#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Logging
import NIOCore

/// An HTTP cache (RFC 9111) in front of another transport, as Python's hishel is for httpx:
/// responses that may be stored are kept in a ``CacheStore``, and reused while fresh or after
/// the server confirms them.
///
/// ```swift
/// let cache = CacheTransport(wrapping: HTTPTransport(), store: .memory(maxBytes: 64 << 20))
/// let client = AsyncClient(.init(transport: cache))
///
/// let first = try await client.get("https://example.org/logo.png")    // first.cacheStatus == .miss
/// let second = try await client.get("https://example.org/logo.png")   // .hit while fresh, no request sent
/// second.headers["Age"]                                               // seconds since the server made it
/// ```
///
/// What it does:
/// - **Stores** responses to `GET` whose status is final and understood (not `206` or `304`)
///   and which have explicit freshness (`max-age`, `Expires`, `s-maxage` in a shared cache),
///   `public` or `private` (private caches), or a heuristically cacheable status (200, 301,
///   404, ...), unless the request or response says `no-store`, or the response has
///   `Vary: *`. A response that could never be reused (stale at once and without a validator)
///   is not kept. Range requests go through and are not stored. Hop-by-hop fields and
///   `Set-Cookie` are never stored.
/// - **Freshness**: `s-maxage` (shared caches only), `max-age`, `Expires` relative to `Date`,
///   else 10% of the time since `Last-Modified` (at most `maxHeuristicFreshness`). Ages follow
///   RFC 9111 §4.2.3 (the `Age` field, the response delay and the time in the store), and a
///   served response carries its `Age`.
/// - **Validation**: a stored response that is stale (or marked `no-cache`, or asked for with
///   `no-cache`) is validated with `If-None-Match` and `If-Modified-Since`; on a `304` whose
///   validators match it (RFC 9111 §4.3.4) the stored response is served with the 304's header
///   fields (except those its body depends on, and hop-by-hop ones), and stored again, or
///   removed when the 304 says `no-store`; a full response replaces it (or removes it, when it
///   may not be stored itself). `must-revalidate` (and `proxy-revalidate` or `s-maxage` in a
///   shared cache) forbids serving it stale.
/// - **Request directives**: `no-cache`, `no-store`, `max-age`, `max-stale`, `min-fresh` and
///   `only-if-cached` (a `504` made by the cache when nothing stored is fresh enough);
///   `Pragma: no-cache` without `Cache-Control` counts as `no-cache`. `stale-if-error` (RFC 5861)
///   in the request or the stored response lets a stale response stand in when the server
///   answers 5xx or cannot be reached.
/// - **Variants**: responses with `Vary` are stored per value of the header fields it
///   nominates; those values are kept only as a keyed hash (``CacheStore/secondaryKey(for:)``).
/// - **Invalidation**: a 2xx or 3xx answer to an unsafe method (`POST`, `PUT`, `DELETE`,
///   `PATCH`, any unknown one) removes what is stored for its URL and for the same-origin URLs
///   in its `Location` and `Content-Location`.
///
/// Every response it returns has a ``CacheStatus`` in ``Response/cacheStatus``. The body of a
/// response that may be stored streams to the caller as it arrives, and a copy is kept aside;
/// it is stored when the body ends, if it was no longer than `maxEntrySize` (a longer one, one
/// that fails or one closed early is not). `text/event-stream` responses are never stored.
///
/// The cache is private by default: one user's cache, as a browser's. Its key is the URL (and
/// the `Vary` fields), not who asked: every identity a client uses (its `auth`, cookies,
/// `Authorization` headers, userinfo in URLs) shares its entries, so a response stored for one
/// can answer another. Give each identity its own cache (its own client, or at least its own
/// store), or set `Cache-Control: no-store` on requests that must not be shared. Pass
/// `shared: true` for a cache that serves several users, where `private` responses are not
/// stored, `s-maxage` applies, and responses to requests with `Authorization` are stored only
/// when marked `public`, `must-revalidate` or `s-maxage` (RFC 9111 §3.5).
///
/// A store that fails is logged and treated as empty: it never fails a request.
public struct CacheTransport: Transport {
    /// The transport that reaches the server.
    public let transport: any Transport
    /// Where responses are kept.
    public let store: any CacheStore
    /// Whether this is a shared cache (serving several users) rather than a private one.
    public let shared: Bool
    /// The largest body stored; longer ones pass through unstored.
    public let maxEntrySize: Int
    /// The longest freshness a heuristic (from `Last-Modified`) may give a response.
    public let maxHeuristicFreshness: Duration
    /// The clock of freshness and ages.
    let now: @Sendable () -> Date
    /// `maxHeuristicFreshness` in seconds.
    let heuristicLimit: Double

    /// A cache in `store` in front of `transport`.
    ///
    /// - Parameters:
    ///   - transport: the transport requests go to when the cache cannot answer.
    ///   - store: where responses are kept: `.memory()`, `try .disk(directory:)` or your own.
    ///   - shared: whether the cache serves several users (RFC 9111's shared cache).
    ///   - maxEntrySize: the largest body (as received) that is stored; 10 MiB by default.
    ///   - maxHeuristicFreshness: the longest freshness a heuristic may give; a day by default.
    ///   - now: the clock used for freshness and ages (a test can pass its own).
    public init(
        wrapping transport: any Transport,
        store: some CacheStore,
        shared: Bool = false,
        maxEntrySize: Int = 10 << 20,
        maxHeuristicFreshness: Duration = .seconds(86_400),
        now: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.transport = transport
        self.store = store
        self.shared = shared
        self.maxEntrySize = max(0, maxEntrySize)
        self.maxHeuristicFreshness = maxHeuristicFreshness
        self.now = now
        let components = maxHeuristicFreshness.components
        self.heuristicLimit = max(0, Double(components.seconds) + Double(components.attoseconds) / 1e18)
    }

    /// A cache in memory (a ``MemoryCacheStore`` of 64 MiB) in front of `transport`.
    public init(
        wrapping transport: any Transport,
        shared: Bool = false,
        maxEntrySize: Int = 10 << 20,
        maxHeuristicFreshness: Duration = .seconds(86_400),
        now: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.init(
            wrapping: transport, store: MemoryCacheStore(), shared: shared, maxEntrySize: maxEntrySize,
            maxHeuristicFreshness: maxHeuristicFreshness, now: now)
    }

    /// Answers `request` from the store when it can, else from ``transport`` (storing what may
    /// be stored); see ``CacheTransport``.
    public func handle(_ request: Request) async throws -> Response {
        if request.extensions.upgrade != nil { return try await transport.handle(request) }
        guard request.method == .get else { return try await forward(request) }
        let requestDirectives = Self.directives(of: request)
        let key = Self.key(for: request.url)
        if request.headers.contains("Range") {
            // Partial content is neither stored nor served from the store.
            let response = try await transport.handle(request)
            return finish(response, request, .miss)
        }
        if Self.isConditional(request) {
            // The caller validates on its own: its answer passes through (a full one may be stored).
            return try await fetch(request, key: key, directives: requestDirectives, existing: [])
        }
        let stored = await lookUp(key, for: request)
        guard let entry = select(stored, for: request) else {
            if requestDirectives.onlyIfCached { return onlyIfCachedMiss(request) }
            return try await fetch(request, key: key, directives: requestDirectives, existing: stored)
        }
        let freshness = CacheFreshness(entry, now: now(), shared: shared, heuristicLimit: heuristicLimit)
        switch usability(freshness, request: requestDirectives, response: CacheControl(entry.headers)) {
        case .fresh:
            return serve(entry, request, age: freshness.currentAge, .hit)
        case .staleAllowed:
            return serve(entry, request, age: freshness.currentAge, .stale)
        case .mustValidate:
            if requestDirectives.onlyIfCached { return onlyIfCachedMiss(request) }
            return try await validate(entry, request, key: key, directives: requestDirectives, existing: stored)
        }
    }

    /// Closes ``transport``.
    public func close() async {
        await transport.close()
    }

    // MARK: - Decisions

    /// Whether a stored response may answer without the server.
    enum Usability: Equatable {
        case fresh, staleAllowed, mustValidate
    }

    func usability(_ freshness: CacheFreshness, request: CacheControl, response: CacheControl) -> Usability {
        if request.noCache || response.noCache { return .mustValidate }
        if let maxAge = request.maxAge, freshness.currentAge > Double(maxAge) { return .mustValidate }
        if freshness.isFresh {
            if let minFresh = request.minFresh, freshness.lifetime - freshness.currentAge < Double(minFresh) {
                return .mustValidate
            }
            return .fresh
        }
        if staleForbidden(response) { return .mustValidate }
        if let maxStale = request.maxStale, freshness.staleness <= Double(maxStale) { return .staleAllowed }
        return .mustValidate
    }

    /// Whether the response's directives forbid serving it stale (RFC 9111 §4.2.4).
    func staleForbidden(_ response: CacheControl) -> Bool {
        response.mustRevalidate || response.noCache || (shared && (response.proxyRevalidate || response.sMaxAge != nil))
    }

    /// The request's directives, with `Pragma: no-cache` read as `no-cache` when there is no
    /// `Cache-Control` (RFC 9111 §5.4).
    static func directives(of request: Request) -> CacheControl {
        if !request.headers.contains("Cache-Control"), request.headers.hasToken("no-cache", in: "Pragma") {
            return CacheControl(parsing: "no-cache")
        }
        return CacheControl(request.headers)
    }

    /// The primary key: the URL without userinfo or fragment (already normalised by ``HTTPURL``).
    static func key(for url: HTTPURL) -> String {
        url.removingUserinfo.settingFragment(nil).description
    }

    static let safeMethods: Set<HTTPMethod> = [.get, .head, .options, .trace]

    static func isConditional(_ request: Request) -> Bool {
        ["If-None-Match", "If-Modified-Since", "If-Match", "If-Unmodified-Since", "If-Range"].contains {
            request.headers.contains($0)
        }
    }

    /// The stored response for `request` among a key's variants: one whose `Vary` fields match,
    /// the most recent when several do. (Only those have their bodies: see `lookUp`.)
    func select(_ entries: [CacheEntry], for request: Request) -> CacheEntry? {
        let store = self.store
        return entries.filter { CacheVary.matches($0, request, store: store) }.max { Self.recency($0) < Self.recency($1) }
    }

    private static func recency(_ entry: CacheEntry) -> (Double, Double) {
        let date = CacheDate.parse(entry.headers.first("Date"))?.timeIntervalSince1970 ?? entry.responseTime.timeIntervalSince1970
        return (date, entry.responseTime.timeIntervalSince1970)
    }

    // MARK: - Answers

    /// Sends a request other than `GET` on, invalidating what a successful unsafe one changes.
    private func forward(_ request: Request) async throws -> Response {
        let response = try await transport.handle(request)
        if !Self.safeMethods.contains(request.method), (200..<400).contains(response.statusCode) {
            await invalidate(after: response, to: request)
        }
        return finish(response, request, .miss)
    }

    /// RFC 9111 §4.4: the target URL, and the same-origin `Location` and `Content-Location`.
    private func invalidate(after response: Response, to request: Request) async {
        var keys = [Self.key(for: request.url)]
        for name in ["Location", "Content-Location"] {
            guard let value = response.headers.first(name), let target = try? request.url.join(value),
                target.hasSameOrigin(as: request.url)
            else { continue }
            keys.append(Self.key(for: target))
        }
        for key in Set(keys) {
            do {
                try await store.remove(key: key)
            } catch {
                request.extensions.logger?.warning("HTTP cache: cannot invalidate \(key): \(error)")
            }
        }
    }

    /// The stored responses for `key`, with the bodies of those that match `request` (the
    /// others serve only to compare variants); none when the store fails.
    private func lookUp(_ key: String, for request: Request) async -> [CacheEntry] {
        let store = self.store
        do {
            return try await store.entries(for: key, loadingBodiesWhere: { CacheVary.matches($0, request, store: store) })
        } catch {
            request.extensions.logger?.warning("HTTP cache: cannot read the store for \(request): \(error)")
            return []
        }
    }

    /// A stored response served: its `Age` set to `age` (whole seconds).
    func serve(_ entry: CacheEntry, _ request: Request, age: Double, _ status: CacheStatus, extra: Headers = [:]) -> Response {
        var headers = entry.headers
        let seconds = age.isFinite ? Int(min(max(age, 0), Double(CacheControl.maxDeltaSeconds))) : CacheControl.maxDeltaSeconds
        headers.set("Age", String(seconds))
        for field in extra { headers.add(field.name, field.value) }
        let response = Response(
            entry.statusCode, reasonPhrase: entry.reasonPhrase, httpVersion: entry.httpVersion, headers: headers,
            body: ResponseBody(entry.body), request: request)
        return finish(response, request, status)
    }

    /// The 504 of `only-if-cached` when nothing stored can answer.
    private func onlyIfCachedMiss(_ request: Request) -> Response {
        let response = Response(
            504, text: "The request says only-if-cached, and no stored response can answer \(request)")
        return finish(response, request, .onlyIfCachedMiss)
    }

    /// `response` with its cache status, logged.
    func finish(_ response: Response, _ request: Request, _ status: CacheStatus) -> Response {
        var response = response
        response.request = request
        response.extensions[Response.ExtensionKey.cacheStatus] = status
        request.extensions.logger?.debug(
            "HTTP cache \(status): \(request.method) \(request.url.removingUserinfo) \(response.statusCode)")
        return response
    }
}
