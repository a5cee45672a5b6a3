/// A parsed URL, normalised the way httpx normalises its `URL`.
///
/// The scheme and host are lower-cased, a default port (80 for `http`, 443 for `https`) is
/// dropped, and characters that may not appear in a path, query or fragment are
/// percent-encoded, while existing `%XX` escapes are kept as they are.
///
/// ```swift
/// let url = try HTTPURL("HTTPS://Example.org:443/a b?q=1")
/// url.description   // "https://example.org/a%20b?q=1"
/// url.host          // "example.org"
/// url.port          // nil (the default port)
/// url.params["q"]   // "1"
/// ```
///
/// The name avoids a clash with Foundation's `URL` in files that import both.
public struct HTTPURL: Hashable, Sendable, CustomStringConvertible {
    /// The scheme in lower case, such as `https`; empty for a relative reference.
    public internal(set) var scheme: String
    /// The percent-encoded `user:password` part, empty when absent.
    public internal(set) var userinfo: String
    /// The host as it goes on the wire: lower case, internationalised names in their ASCII
    /// (punycode) form, IPv4 addresses dotted-decimal, IPv6 without brackets; empty when absent.
    public internal(set) var rawHost: String
    /// The host for people: internationalised names in Unicode (`例え.テスト` where
    /// ``rawHost`` is `xn--r8jz45g.xn--zckzah`), otherwise the same as ``rawHost``.
    public var host: String { IDNA.toUnicode(rawHost) }
    /// The explicit port, or `nil` when absent or equal to the scheme's default port.
    public internal(set) var port: Int?
    /// The percent-encoded path. Empty only for a relative reference or a URL with no host.
    public internal(set) var path: String
    /// The percent-encoded query after `?`, or `nil` when the URL has no `?`.
    public internal(set) var query: String?
    /// The fragment after `#`, or `nil` when the URL has no `#`.
    public internal(set) var fragment: String?
    /// Whether the URL had an authority (`//host`) part.
    var hasAuthority: Bool

    /// Parses and normalises `string`.
    ///
    /// - Throws: ``HTTPXError`` of kind ``HTTPXError/Kind/invalidURL`` when the string holds a
    ///   control character, an invalid port, or a host with characters a host may not have.
    public init(_ string: String) throws {
        self = try URLParser.parse(string)
    }

    init(
        scheme: String, userinfo: String, host: String, port: Int?, path: String,
        query: String?, fragment: String?, hasAuthority: Bool
    ) {
        self.scheme = scheme
        self.userinfo = userinfo
        self.rawHost = host
        self.port = port
        self.path = path
        self.query = query
        self.fragment = fragment
        self.hasAuthority = hasAuthority
    }

    /// An empty relative reference, the URL of a response made before it is sent.
    static let empty = HTTPURL(
        scheme: "", userinfo: "", host: "", port: nil, path: "", query: nil, fragment: nil, hasAuthority: false)

    /// Whether the URL has both a scheme and a host, so it can be requested as it is.
    public var isAbsolute: Bool { !scheme.isEmpty && !rawHost.isEmpty }

    /// Whether the URL is a reference to be resolved against a base URL.
    public var isRelative: Bool { !isAbsolute }

    /// The port to connect to: the explicit port, else the scheme's default.
    public var effectivePort: Int? {
        port ?? Self.defaultPort(for: scheme)
    }

    /// The host and, when not the default, the port: `example.org:8080`, `[::1]:8000`.
    public var netloc: String {
        var result = rawHost.utf8.contains(UInt8(ascii: ":")) ? "[\(rawHost)]" : rawHost
        if let port { result += ":\(port)" }
        return result
    }

    /// The path and query as sent in an HTTP/1.1 request line: `/a/b?x=1`.
    public var rawPath: String {
        var result = path.isEmpty ? "/" : path
        if let query { result += "?" + query }
        return result
    }

    /// The user name from the userinfo, percent-decoded.
    public var username: String {
        let raw = userinfo.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
        return PercentEncoding.decode(String(raw.first ?? ""))
    }

    /// The password from the userinfo, percent-decoded.
    public var password: String {
        let raw = userinfo.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
        return raw.count > 1 ? PercentEncoding.decode(String(raw[1])) : ""
    }

    /// The query parsed into parameters.
    public var params: QueryParams {
        QueryParams(query: query ?? "")
    }

    /// The URL as text, with the userinfo included.
    public var description: String {
        var result = ""
        if !scheme.isEmpty { result += scheme + ":" }
        if hasAuthority || !rawHost.isEmpty {
            result += "//"
            if !userinfo.isEmpty { result += userinfo + "@" }
            result += netloc
        }
        // A URL of a special scheme always has a path; another scheme's may be empty (`foo://`).
        let special = scheme.isEmpty || SpecialURLParser.schemes.contains(scheme)
        result += (hasAuthority && path.isEmpty && special) ? "/" : path
        if let query { result += "?" + query }
        if let fragment { result += "#" + fragment }
        return result
    }

    /// The URL with its password replaced by `[secure]`, for logs and error messages.
    public var redacted: String {
        guard !userinfo.isEmpty, userinfo.contains(":") else { return description }
        var copy = self
        copy.userinfo = PercentEncoding.encode(username, allowed: .userinfo) + ":[secure]"
        return copy.description
    }

    /// The default port of a scheme: 80 for http and ws, 443 for https and wss.
    public static func defaultPort(for scheme: String) -> Int? {
        switch scheme {
        case "http", "ws": 80
        case "https", "wss": 443
        case "ftp": 21
        default: nil
        }
    }

    /// The same URL with its query replaced by `params` (or removed when they are empty).
    public func settingParams(_ params: QueryParams) -> HTTPURL {
        var copy = self
        let encoded = params.description
        copy.query = encoded.isEmpty ? nil : encoded
        return copy
    }

    /// The same URL with `params` merged into its query: a key given in `params` replaces
    /// every value the URL had for it.
    public func mergingParams(_ params: QueryParams) -> HTTPURL {
        if params.isEmpty { return self }
        return settingParams(self.params.merging(params))
    }

    /// The same URL without its userinfo.
    public var removingUserinfo: HTTPURL {
        var copy = self
        copy.userinfo = ""
        return copy
    }

    /// The same URL with `fragment` (or none).
    public func settingFragment(_ fragment: String?) -> HTTPURL {
        var copy = self
        copy.fragment = fragment.map { PercentEncoding.encode($0, allowed: .fragment) }
        return copy
    }

    /// Scheme, host and effective port: two URLs with the same origin share a connection,
    /// cookies policy and credentials.
    public func hasSameOrigin(as other: HTTPURL) -> Bool {
        scheme == other.scheme && rawHost == other.rawHost && effectivePort == other.effectivePort
    }

    /// `scheme://host:port` with the effective port, as a key for per-origin state.
    var origin: String {
        "\(scheme)://\(rawHost):\(effectivePort.map(String.init) ?? "")"
    }
}
