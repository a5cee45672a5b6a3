/// Which proxy each request goes through: one proxy for everything, or proxies chosen by URL
/// pattern, as httpx's `proxies=`.
///
/// ```swift
/// // Everything through one proxy:
/// let client = AsyncClient(.init(proxies: "http://localhost:8030"))
///
/// // By scheme, with one host going direct:
/// let routed = AsyncClient(.init(proxies: [
///     "http": "http://localhost:8030",
///     "https": "http://localhost:8031",
///     "all://internal.example.com": nil,      // no proxy for this host
/// ]))
///
/// // By host, and everything else through a SOCKS5 proxy:
/// let mixed = AsyncClient(.init(proxies: [
///     "all://*.example.com": Proxy("http://localhost:8030", mode: .tunnelOnly),
///     "all": "socks5h://localhost:1080",
/// ]))
/// ```
///
/// Keys are ``URLPattern``s (`"http://example.com:8080"`, `"all://*.example.com"`, …) or the
/// shorthands `"http"`, `"https"` and `"all"`. The most specific matching pattern wins: one
/// with a port, then scheme and host, then host, then scheme, then `all`. A pattern mapped to
/// `nil` sends its URLs directly. `noProxy` takes `NO_PROXY`'s syntax for hosts that always go
/// direct.
///
/// A client given no proxies (and no transport) reads them from the environment instead, as
/// ``environment()`` describes, unless `trustEnv` is off.
public struct Proxies: Sendable, ExpressibleByStringLiteral, ExpressibleByDictionaryLiteral {
    /// The patterns, most specific first, each with its proxy or `nil` for none.
    public let routes: [(pattern: URLPattern, proxy: Proxy?)]
    /// Hosts that always go direct, whatever the routes say.
    public let noProxy: NoProxy

    /// One proxy for every URL.
    public init(_ proxy: Proxy) {
        self.init(routes: [(URLPattern("all://"), proxy)], noProxy: NoProxy())
    }

    /// Proxies by pattern (see the type's description for the keys).
    public init(_ routes: [String: Proxy?], noProxy: NoProxy = NoProxy()) {
        self.init(routes: routes.map { (Self.pattern($0.key), $0.value) }, noProxy: noProxy)
    }

    init(routes: [(URLPattern, Proxy?)], noProxy: NoProxy) {
        self.routes = routes.map { (pattern: $0.0, proxy: $0.1) }
            .sorted { URLPattern.moreSpecific($0.pattern, $1.pattern) }
        self.noProxy = noProxy
    }

    /// `proxies: "http://localhost:8030"`: one proxy for everything.
    public init(stringLiteral value: String) {
        self.init(Proxy(value))
    }

    public init(dictionaryLiteral elements: (String, Proxy?)...) {
        self.init(routes: elements.map { (Self.pattern($0.0), $0.1) }, noProxy: NoProxy())
    }

    /// No proxies at all (an empty map): also keeps the environment's from applying.
    public static let none = Proxies(routes: [], noProxy: NoProxy())

    /// The proxy for `url`, or `nil` to connect directly.
    public func proxy(for url: HTTPURL) -> Proxy? {
        routeIndex(for: url).flatMap { routes[$0].proxy }
    }

    /// The index in ``routes`` of the pattern that chooses `url`'s proxy, or `nil` when `url`
    /// goes direct.
    func routeIndex(for url: HTTPURL) -> Int? {
        if noProxy.matches(url) { return nil }
        guard let index = routes.firstIndex(where: { $0.pattern.matches(url) }), routes[index].proxy != nil else {
            return nil
        }
        return index
    }

    /// For each route, its proxy as an endpoint: equal proxies share one, with one id.
    var endpoints: [ProxyEndpoint?] {
        var distinct: [ProxyEndpoint] = []
        return routes.map { route in
            guard let proxy = route.proxy else { return nil }
            if let known = distinct.first(where: { $0.proxy == proxy }) { return known }
            distinct.append(ProxyEndpoint(proxy, id: distinct.count))
            return distinct.last
        }
    }

    /// Why these proxies cannot be used (an invalid pattern or proxy URL), if so.
    var problem: HTTPXError? {
        if let error = URLPattern.validate(routes.map(\.pattern), role: "proxies") { return error }
        for case let proxy? in routes.map(\.proxy) {
            if let problem = proxy.problem { return HTTPXError(.proxy, problem) }
            do {
                try proxy.headers.validate()
            } catch {
                let reason = (error as? HTTPXError)?.message ?? "\(error)"
                return HTTPXError(.proxy, "Invalid header for proxy \(proxy.url): \(reason)")
            }
        }
        return nil
    }

    /// httpx's shorthand keys: `"http"`, `"https"` and `"all"` stand for `"http://"` and so on.
    private static func pattern(_ key: String) -> URLPattern {
        switch key.lowercased() {
        case "http", "https", "all": URLPattern(key.lowercased() + "://")
        default: URLPattern(key)
        }
    }
}
