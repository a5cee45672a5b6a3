/// What makes two requests able to share a connection: scheme, host and port (or the Unix
/// socket the transport is bound to), and the proxy route. Connections to a forwarding proxy
/// carry every origin, so their key has no origin; tunnels are kept per proxy and origin.
struct PoolKey: Hashable, Sendable, CustomStringConvertible {
    let scheme: String
    let host: String
    let port: Int
    let unixSocketPath: String?
    let proxy: ProxyRoute?

    init(scheme: String, host: String, port: Int, unixSocketPath: String? = nil, proxy: ProxyRoute? = nil) {
        self.scheme = scheme
        self.host = host
        self.port = port
        self.unixSocketPath = unixSocketPath
        self.proxy = proxy
    }

    /// The key of connections to a forwarding proxy, shared by every origin.
    static func forwarding(through route: ProxyRoute) -> PoolKey {
        PoolKey(scheme: "", host: "", port: 0, proxy: route)
    }

    /// The origin as `host:port`, IPv6 addresses in brackets.
    var authority: String {
        (host.contains(":") ? "[\(host)]" : host) + ":\(port)"
    }

    var description: String {
        if let unixSocketPath { return "\(scheme)://\(host) via unix:\(unixSocketPath)" }
        if let proxy {
            if proxy.kind == .forward { return "proxy \(proxy.proxy.url)" }
            return "\(scheme)://\(authority) through proxy \(proxy.proxy.url)"
        }
        return "\(scheme)://\(authority)"
    }
}

/// How a connection reaches its origin through a proxy. Routes compare by kind and by the
/// proxy's `id` (its place among the transport's distinct proxies), so a pool lookup hashes
/// two integers, not the proxy's headers and TLS settings.
struct ProxyRoute: Hashable, Sendable {
    typealias Kind = Proxy.Route

    let kind: Kind
    let proxy: Proxy
    let id: Int

    /// The route `proxy` gives `url`, by its scheme and mode.
    init(proxy: Proxy, id: Int = 0, for url: HTTPURL) {
        self.kind = proxy.route(for: url)
        self.proxy = proxy
        self.id = id
    }

    static func == (lhs: ProxyRoute, rhs: ProxyRoute) -> Bool {
        lhs.kind == rhs.kind && lhs.id == rhs.id
    }

    func hash(into hasher: inout Hasher) {
        hasher.combine(kind)
        hasher.combine(id)
    }
}
