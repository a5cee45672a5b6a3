/// Where a response that went through a ``CacheTransport`` came from, in
/// `response.extensions["cache_status"]` (see ``Response/cacheStatus``).
///
/// ```swift
/// let r = try await client.get("https://example.org/logo.png")
/// switch r.cacheStatus {
/// case .hit?, .stale?: print("from the cache, \(r.headers["Age"] ?? "0") s old")
/// case .revalidated?: print("the server confirmed the stored copy")
/// case .miss?, .onlyIfCachedMiss?, nil: print("from the server")
/// }
/// ```
public enum CacheStatus: String, Sendable, Hashable, CustomStringConvertible {
    /// Served from the store without asking the server: the stored response was fresh enough.
    case hit
    /// Served from the store although stale, as the request's `max-stale` allowed, or because
    /// the server failed and the response's `stale-if-error` allowed it.
    case stale
    /// The stored response was validated: the server answered `304 Not Modified` to a
    /// conditional request, and the stored response (with the 304's headers) was served.
    case revalidated
    /// The response is the server's: nothing usable was stored, the request or response may
    /// not be cached, or validation brought a new response.
    case miss
    /// The request said `only-if-cached` and nothing stored could answer it: a
    /// `504 Gateway Timeout` made by the cache, never sent to the server.
    case onlyIfCachedMiss = "only-if-cached-miss"

    /// Whether the body came from the store (``CacheStatus/hit``, ``CacheStatus/stale`` or ``CacheStatus/revalidated``).
    public var isFromCache: Bool {
        switch self {
        case .hit, .stale, .revalidated: true
        case .miss, .onlyIfCachedMiss: false
        }
    }

    /// The status as it is spelled in logs: `hit`, `only-if-cached-miss`, ...
    public var description: String { rawValue }
}

extension Response.ExtensionKey {
    /// Where the response came from, as a ``CacheStatus``: set by ``CacheTransport``.
    public static let cacheStatus = "cache_status"
}

extension Response {
    /// Where the response came from when it went through a ``CacheTransport``; `nil` otherwise.
    ///
    /// ```swift
    /// let r = try await client.get(url)
    /// if r.cacheStatus == .hit { print("served from the cache") }
    /// ```
    public var cacheStatus: CacheStatus? {
        extensions[ExtensionKey.cacheStatus] as? CacheStatus
    }
}
