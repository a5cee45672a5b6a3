#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

extension Proxies {
    /// The proxies the environment asks for, as curl and Python read them.
    ///
    /// - `HTTP_PROXY` for `http://` URLs, `HTTPS_PROXY` for `https://` URLs and `ALL_PROXY`
    ///   for both where the other is unset; the lower-case names (`http_proxy`, …) win over
    ///   the upper-case ones. A value without a scheme is taken as `http://`.
    /// - `NO_PROXY` (or `no_proxy`) lists the hosts that go direct (see ``NoProxy``).
    /// - Under CGI (`REQUEST_METHOD` set) the upper-case `HTTP_PROXY` is ignored: a request's
    ///   `Proxy:` header would otherwise set it ("httpoxy").
    ///
    /// A client with `trustEnv` (the default) and neither `proxies:` nor `transport:` uses these.
    ///
    /// ```swift
    /// // HTTPS_PROXY=http://proxy.internal:3128 NO_PROXY=localhost,.internal
    /// let client = AsyncClient()                   // sends https:// URLs through the proxy
    /// let direct = AsyncClient(.init(trustEnv: false))    // ignores the variables
    /// ```
    public static func environment() -> Proxies {
        // Only the few variables asked for: copying the whole environment would cost every
        // new client microseconds.
        environment { name in getenv(name).map { String(cString: $0) } }
    }

    /// The proxies `environment` (variable names to values) asks for, by the rules of
    /// ``environment()``.
    public static func environment(_ environment: [String: String]) -> Proxies {
        self.environment { environment[$0] }
    }

    private static func environment(_ lookup: (String) -> String?) -> Proxies {
        func value(_ name: String) -> String? {
            if let lower = lookup(name.lowercased()) { return lower.isEmpty ? nil : lower }
            if name == "HTTP_PROXY" && lookup("REQUEST_METHOD") != nil { return nil }
            guard let upper = lookup(name), !upper.isEmpty else { return nil }
            return upper
        }
        var routes: [(URLPattern, Proxy?)] = []
        for (scheme, name) in [("http", "HTTP_PROXY"), ("https", "HTTPS_PROXY"), ("all", "ALL_PROXY")] {
            guard let text = value(name)?.trimmingCharacters(in: " \t") else { continue }
            routes.append((URLPattern(scheme + "://"), Proxy(text.contains("://") ? text : "http://" + text)))
        }
        return Proxies(routes: routes, noProxy: NoProxy(value("NO_PROXY") ?? ""))
    }
}
