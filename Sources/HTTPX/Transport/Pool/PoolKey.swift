/// What makes two requests able to share a connection: scheme, host and port (or the Unix
/// socket the transport is bound to), and the proxy route. Connections to a forwarding proxy
/// carry every origin, so their key has no origin; tunnels are kept per proxy and origin.
struct PoolKey: Hashable, Sendable, CustomStringConvertible {
    let scheme: String
    let host: String
    let port: Int
    let unixSocketPath: String?
    let proxy: ProxyRoute?
    /// The TLS server name when a request gives one other than its host (`sniHostname`).
    let serverName: String?

    init(
        scheme: String, host: String, port: Int, unixSocketPath: String? = nil, proxy: ProxyRoute? = nil,
        serverName: String? = nil
    ) {
        self.scheme = scheme
        self.host = host
        self.port = port
        self.unixSocketPath = unixSocketPath
        self.proxy = proxy
        self.serverName = serverName == host ? nil : serverName
    }

    /// The name TLS sends and checks: the SNI host name given, else the host.
    var tlsServerName: String { serverName ?? host }

    /// The key of connections to a forwarding proxy, shared by every origin.
    static func forwarding(through route: ProxyRoute) -> PoolKey {
        PoolKey(scheme: "", host: "", port: 0, proxy: route)
    }

    /// The origin as `host:port`, IPv6 addresses in brackets.
    var authority: String { Self.authority(host, port) }

    /// `host:port`, an IPv6 address in brackets.
    static func authority(_ host: String, _ port: Int) -> String {
        (host.utf8.contains(UInt8(ascii: ":")) ? "[\(host)]" : host) + ":\(port)"
    }

    private var route: String {
        if let unixSocketPath { return "\(scheme)://\(host) via unix:\(unixSocketPath)" }
        if let proxy {
            if proxy.kind == .forward { return "proxy \(proxy.proxy.url)" }
            return "\(scheme)://\(authority) through proxy \(proxy.proxy.url)"
        }
        return "\(scheme)://\(authority)"
    }

    var description: String {
        serverName.map { "\(route) (TLS name \($0))" } ?? route
    }
}

/// How a connection reaches its origin through a proxy. Routes compare by kind and by the
/// proxy's ``ProxyEndpoint/id``, so a pool lookup hashes two integers and copying a key
/// retains one reference, not the proxy's strings, headers and TLS settings.
struct ProxyRoute: Hashable, Sendable {
    typealias Kind = Proxy.Route

    let kind: Kind
    let endpoint: ProxyEndpoint

    var proxy: Proxy { endpoint.proxy }

    /// The route through `endpoint` for `url`, by the proxy's scheme and mode.
    init(_ endpoint: ProxyEndpoint, for url: HTTPURL) {
        self.kind = endpoint.proxy.route(for: url)
        self.endpoint = endpoint
    }

    /// A route of the given kind through `endpoint` (a tunnel for an upgraded connection, say).
    init(kind: Kind, endpoint: ProxyEndpoint) {
        self.kind = kind
        self.endpoint = endpoint
    }

    init(proxy: Proxy, id: Int = 0, for url: HTTPURL) {
        self.init(ProxyEndpoint(proxy, id: id), for: url)
    }

    static func == (lhs: ProxyRoute, rhs: ProxyRoute) -> Bool {
        lhs.kind == rhs.kind && lhs.endpoint.id == rhs.endpoint.id
    }

    func hash(into hasher: inout Hasher) {
        hasher.combine(kind)
        hasher.combine(endpoint.id)
    }
}

/// One of a transport's distinct proxies, made once when the transport is, with the `id`
/// that tells it from the others.
final class ProxyEndpoint: Sendable {
    let proxy: Proxy
    let id: Int
    /// The `Proxy-Authorization` value for the proxy's credentials, encoded once.
    let authorization: String?

    init(_ proxy: Proxy, id: Int) {
        self.proxy = proxy
        self.id = id
        self.authorization = proxy.auth.map { BasicAuth($0.username, $0.password).headerValue }
    }
}
