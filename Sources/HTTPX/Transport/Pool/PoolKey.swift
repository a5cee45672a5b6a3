/// What makes two requests able to share a connection: scheme, host and port (or the Unix
/// socket the transport is bound to).
struct PoolKey: Hashable, Sendable, CustomStringConvertible {
    let scheme: String
    let host: String
    let port: Int
    let unixSocketPath: String?

    init(scheme: String, host: String, port: Int, unixSocketPath: String? = nil) {
        self.scheme = scheme
        self.host = host
        self.port = port
        self.unixSocketPath = unixSocketPath
    }

    var description: String {
        if let unixSocketPath { return "\(scheme)://\(host) via unix:\(unixSocketPath)" }
        let shownHost = host.contains(":") ? "[\(host)]" : host
        return "\(scheme)://\(shownHost):\(port)"
    }
}
