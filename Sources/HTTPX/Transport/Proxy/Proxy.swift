/// A proxy server that requests are sent through: httpx's `Proxy`.
///
/// ```swift
/// // An HTTP proxy with credentials from its URL:
/// let corporate: Proxy = "http://user:pass@proxy.internal:3128"
///
/// // The same with credentials, headers and TLS settings of its own:
/// let proxy = Proxy("https://proxy.internal:3129",
///                   auth: .init("user", "pass"),
///                   headers: ["X-Team": "search"],
///                   mode: .tunnelOnly,
///                   verify: .caBundle("/etc/proxy-ca.pem"))
///
/// // A SOCKS5 proxy that resolves host names itself:
/// let tor: Proxy = "socks5h://127.0.0.1:9050"
///
/// let client = AsyncClient(.init(proxies: Proxies(proxy)))
/// ```
///
/// The URL's scheme says how the proxy is spoken to:
/// - `http`: plain HTTP to the proxy; `http://` URLs are forwarded to it with an absolute
///   target, `https://` URLs go through a `CONNECT` tunnel (see ``Mode``).
/// - `https`: the same inside TLS to the proxy, verified with the proxy's own ``verify`` and
///   ``cert`` settings (never the origin's).
/// - `socks5`: a SOCKS5 tunnel (RFC 1928); host names are resolved here.
/// - `socks5h`: a SOCKS5 tunnel whose proxy resolves the host names.
///
/// The proxy's credentials and headers are added for the proxy: to each forwarded request
/// (the proxy consumes `Proxy-Authorization`; other headers it may pass on, as it passes on
/// the request), or to the `CONNECT` (or SOCKS5 handshake) of a tunnel, which the origin never
/// sees. The password is never printed: ``description`` shows `[secure]`.
public struct Proxy: Sendable, Hashable, CustomStringConvertible, ExpressibleByStringLiteral {
    /// How requests use an HTTP proxy, as httpx's proxy modes.
    public enum Mode: Sendable, Hashable {
        /// `http://` URLs are forwarded, `https://` URLs are tunnelled with `CONNECT`.
        case `default`
        /// Every URL is tunnelled with `CONNECT`, `http://` ones too.
        case tunnelOnly
        /// Every URL is forwarded, `https://` ones too: the proxy makes the TLS connection to
        /// the origin and sees the whole exchange.
        case forwardOnly
    }

    /// A user name and password for the proxy (`Proxy-Authorization: Basic` for HTTP proxies,
    /// RFC 1929 for SOCKS5).
    public struct Credentials: Sendable, Hashable, CustomStringConvertible, CustomReflectable {
        /// The user name.
        public var username: String
        /// The password; never printed.
        public var password: String

        /// Credentials for `username` and `password`.
        public init(_ username: String, _ password: String) {
            self.username = username
            self.password = password
        }

        /// `user:[secure]`.
        public var description: String { "\(username):[secure]" }

        /// `dump` shows `[secure]` for the password too.
        public var customMirror: Mirror {
            Mirror(self, children: ["username": username, "password": "[secure]"])
        }
    }

    /// `http`, `https`, `socks5` or `socks5h`.
    public let scheme: String
    /// The proxy's host name or IP address.
    public let host: String
    /// The proxy's port: the URL's, else 80 for `http`, 443 for `https` and 1080 for SOCKS5.
    public let port: Int
    /// The credentials for the proxy, from `auth:` or else from the URL's userinfo.
    public var auth: Credentials?
    /// Headers for the proxy: added to forwarded requests and to `CONNECT`, not to requests
    /// inside a tunnel.
    public var headers: Headers
    /// Whether `http://` and `https://` URLs are forwarded or tunnelled.
    public var mode: Mode
    /// How an `https` proxy's certificate is verified (not the origin's).
    public var verify: TLSVerification
    /// A client certificate presented to an `https` proxy.
    public var cert: ClientCertificate?
    /// Why the URL given cannot be used as a proxy; every request through it fails with this.
    let problem: String?

    /// A proxy at `url`.
    ///
    /// - Parameters:
    ///   - url: `http://`, `https://`, `socks5://` or `socks5h://`, with the host and an
    ///     optional port and `user:password@`.
    ///   - auth: credentials for the proxy; they take the place of the URL's userinfo.
    ///   - headers: headers for the proxy (on forwarded requests and on `CONNECT`).
    ///   - mode: forwarding or tunnelling for HTTP proxies (SOCKS5 always tunnels).
    ///   - verify: how an `https` proxy is verified; the system trust store by default.
    ///   - cert: a client certificate for an `https` proxy.
    public init(
        _ url: String, auth: Credentials? = nil, headers: Headers = [:], mode: Mode = .default,
        verify: TLSVerification = .system, cert: ClientCertificate? = nil
    ) {
        self.headers = headers
        self.mode = mode
        self.verify = verify
        self.cert = cert
        guard let parsed = try? HTTPURL(url) else {
            (scheme, host, port, problem) = ("", "", 0, "Invalid proxy URL '\(Self.redacted(url))'")
            self.auth = auth
            return
        }
        scheme = parsed.scheme
        host = parsed.rawHost
        port = parsed.port ?? Self.defaultPort(for: parsed.scheme)
        self.auth = auth ?? (parsed.userinfo.isEmpty ? nil : Credentials(parsed.username, parsed.password))
        if !["http", "https", "socks5", "socks5h"].contains(parsed.scheme) {
            problem = "Unsupported proxy scheme '\(parsed.scheme)' in '\(Self.redacted(url))': use http, https, socks5 or socks5h"
        } else if parsed.rawHost.isEmpty {
            problem = "The proxy URL '\(Self.redacted(url))' has no host"
        } else {
            problem = nil
        }
    }

    public init(stringLiteral value: String) {
        self.init(value)
    }

    /// The proxy's URL without credentials: `http://proxy.internal:3128`.
    public var url: String {
        "\(scheme)://\(PoolKey.authority(host, port))"
    }

    /// The URL with `user:[secure]@` when the proxy has credentials.
    public var description: String {
        guard let auth else { return url }
        let user = PercentEncoding.encode(auth.username, allowed: .userinfo)
        return "\(scheme)://\(user):[secure]@\(PoolKey.authority(host, port))"
    }

    /// How a request reaches its origin through a proxy.
    public enum Route: Sendable, Hashable {
        /// The request goes to the HTTP proxy with an absolute target; the proxy sees it all.
        case forward
        /// `CONNECT` opens a tunnel to the origin; the proxy sees only the host and port.
        case tunnel
        /// A SOCKS5 handshake opens a tunnel to the origin.
        case socks
    }

    /// How a request for `url` goes through this proxy, by the proxy's scheme and ``mode``.
    ///
    /// ```swift
    /// Proxy("http://proxy:3128").route(for: try HTTPURL("https://example.org/"))   // .tunnel
    /// ```
    public func route(for url: HTTPURL) -> Route {
        if scheme == "socks5" || scheme == "socks5h" { return .socks }
        switch mode {
        case .default: return url.scheme == "https" ? .tunnel : .forward
        case .tunnelOnly: return .tunnel
        case .forwardOnly: return .forward
        }
    }

    /// `url` with anything before an `@` (where credentials are, however the URL is written,
    /// `user:pass@host` without a scheme included) replaced by `[secure]`.
    static func redacted(_ url: String) -> String {
        guard let at = url.lastIndex(of: "@") else { return url }
        let start = url.firstRange(of: "://")?.upperBound ?? url.startIndex
        guard start <= at else { return "[secure]" + url[at...] }
        return url[..<start] + "[secure]" + url[at...]
    }

    static func defaultPort(for scheme: String) -> Int {
        switch scheme {
        case "https": 443
        case "socks5", "socks5h": 1080
        default: 80
        }
    }
}
