/// A pattern that selects URLs for a mounted transport or a proxy, as httpx's mount keys do.
///
/// - `"all://"` matches every URL; `"https://"` every HTTPS URL;
/// - `"all://example.com"` any scheme to that host; `"http://example.com:8080"` one origin;
/// - `"all://*.example.com"` subdomains only; `"all://*example.com"` the domain and its
///   subdomains; `"all://*"` any host.
///
/// When several patterns match, the most specific wins: one with a port, then the longer
/// host, then the longer scheme (`all` counting as none).
///
/// ```swift
/// let client = AsyncClient(.init(mounts: [
///     "all://": defaultTransport,
///     "https://api.example.com": apiTransport,
/// ]))
/// ```
///
/// A pattern must have the form `scheme://[host[:port]]`: a bare `"http"` or `"example.com"`
/// is refused, as httpx refuses it, and a client given one fails every request with
/// ``HTTPXError/Kind/invalidArgument`` saying which pattern to fix.
public struct URLPattern: Hashable, Sendable, CustomStringConvertible, ExpressibleByStringLiteral {
    /// The pattern as written.
    public let pattern: String
    /// The scheme to match; empty for `all`.
    let scheme: String
    /// The host to match; empty for any host.
    let host: String
    let port: Int?
    /// Why the pattern is not valid; it then matches nothing.
    let problem: String?

    /// Parses a pattern such as `"all://*.example.com"`.
    public init(_ pattern: String) {
        self.pattern = pattern
        guard let range = pattern.firstRange(of: "://") else {
            (scheme, host, port) = ("", "", nil)
            problem = "Invalid URL pattern '\(pattern)': use the form 'scheme://host', such as '\(pattern)://' or 'all://\(pattern)'"
            return
        }
        let schemeText = pattern[..<range.lowerBound].lowercased()
        scheme = schemeText == "all" ? "" : schemeText
        var rest = pattern[range.upperBound...]
        while rest.hasSuffix("/") { rest = rest.dropLast() }
        var port: Int?
        if let colon = rest.lastIndex(of: ":"), !rest.hasSuffix("]") {
            port = Int(rest[rest.index(after: colon)...])
            if port == nil || !(0...65535).contains(port ?? 0) {
                (host, self.port) = ("", nil)
                problem = "Invalid port in URL pattern '\(pattern)'"
                return
            }
            rest = rest[..<colon]
        }
        self.port = port
        let hostText = rest.lowercased().trimmingCharacters(in: "[]")
        host = hostText == "*" ? "" : hostText
        problem = schemeText.isEmpty ? "Invalid URL pattern '\(pattern)': it has no scheme (use 'all://')" : nil
    }

    public init(stringLiteral value: String) {
        self.init(value)
    }

    public var description: String { pattern }

    /// Whether `url` is selected by this pattern.
    public func matches(_ url: HTTPURL) -> Bool {
        if problem != nil { return false }
        if !scheme.isEmpty && scheme != url.scheme { return false }
        if !host.isEmpty {
            let urlHost = url.rawHost.lowercased()
            if host.hasPrefix("*.") {
                guard urlHost.hasSuffix(host.dropFirst(1)), urlHost.count > host.count - 1 else { return false }
            } else if host.hasPrefix("*") {
                let domain = host.dropFirst()
                guard urlHost == domain || urlHost.hasSuffix("." + domain) else { return false }
            } else if urlHost != host {
                return false
            }
        }
        if let port, port != url.effectivePort { return false }
        return true
    }

    /// Orders patterns most specific first.
    static func moreSpecific(_ lhs: URLPattern, _ rhs: URLPattern) -> Bool {
        if (lhs.port != nil) != (rhs.port != nil) { return lhs.port != nil }
        if lhs.host.count != rhs.host.count { return lhs.host.count > rhs.host.count }
        if lhs.scheme.count != rhs.scheme.count { return lhs.scheme.count > rhs.scheme.count }
        return lhs.pattern < rhs.pattern
    }

    /// The error a client reports for the first invalid pattern among `patterns`.
    static func validate(_ patterns: some Sequence<URLPattern>, role: String) -> HTTPXError? {
        guard let bad = patterns.first(where: { $0.problem != nil }), let problem = bad.problem else { return nil }
        return HTTPXError(.invalidArgument, "\(problem) (in the client's \(role))")
    }
}

extension String {
    func trimmingCharacters(in set: String) -> String {
        var scalars = Substring(self)
        while let first = scalars.first, set.contains(first) { scalars = scalars.dropFirst() }
        while let last = scalars.last, set.contains(last) { scalars = scalars.dropLast() }
        return String(scalars)
    }
}
