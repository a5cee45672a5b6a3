/// A pattern that selects URLs for a mounted transport or a proxy, as httpx's mount keys do.
///
/// - `"all://"` matches every URL; `"https://"` every HTTPS URL;
/// - `"all://example.com"` any scheme to that host; `"http://example.com:8080"` one origin;
/// - `"all://*.example.com"` subdomains only; `"all://*example.com"` the domain and its
///   subdomains.
///
/// When several patterns match, the most specific wins: one with a port, then the longer
/// host, then the longer scheme.
///
/// ```swift
/// let client = AsyncClient(mounts: [
///     "all://": defaultTransport,
///     "https://api.example.com": apiTransport,
/// ])
/// ```
public struct URLPattern: Hashable, Sendable, CustomStringConvertible, ExpressibleByStringLiteral {
    /// The pattern as written.
    public let pattern: String
    let scheme: String
    let host: String
    let port: Int?

    /// Parses a pattern such as `"all://*.example.com"`.
    public init(_ pattern: String) {
        self.pattern = pattern
        var rest = Substring(pattern)
        if let range = pattern.firstRange(of: "://") {
            scheme = pattern[..<range.lowerBound].lowercased()
            rest = pattern[range.upperBound...]
        } else {
            scheme = pattern.lowercased()
            rest = ""
        }
        while rest.hasSuffix("/") { rest = rest.dropLast() }
        if let colon = rest.lastIndex(of: ":"), !rest.hasSuffix("]"), let value = Int(rest[rest.index(after: colon)...]) {
            port = value
            rest = rest[..<colon]
        } else {
            port = nil
        }
        host = rest.lowercased().trimmingCharacters(in: "[]")
    }

    public init(stringLiteral value: String) {
        self.init(value)
    }

    public var description: String { pattern }

    /// Whether `url` is selected by this pattern.
    public func matches(_ url: HTTPURL) -> Bool {
        if scheme != "all" && scheme != url.scheme { return false }
        if !host.isEmpty {
            if host.hasPrefix("*.") {
                guard url.host.hasSuffix(String(host.dropFirst(1))) else { return false }
            } else if host.hasPrefix("*") {
                let domain = String(host.dropFirst())
                guard url.host == domain || url.host.hasSuffix("." + domain) else { return false }
            } else if url.host != host {
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
}

extension String {
    func trimmingCharacters(in set: String) -> String {
        var scalars = Substring(self)
        while let first = scalars.first, set.contains(first) { scalars = scalars.dropFirst() }
        while let last = scalars.last, set.contains(last) { scalars = scalars.dropLast() }
        return String(scalars)
    }
}
