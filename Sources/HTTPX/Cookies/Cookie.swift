#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// One cookie, with the attributes RFC 6265 stores for it.
public struct Cookie: Hashable, Sendable, CustomStringConvertible {
    /// The cookie's name.
    public var name: String
    /// The cookie's value.
    public var value: String
    /// The domain it is sent to; empty for a cookie set by hand without a domain, which is
    /// sent to every host.
    public var domain: String
    /// Whether only ``domain`` itself matches (no `Domain` attribute was given), rather than
    /// its subdomains too.
    public var isHostOnly: Bool
    /// The path prefix it is sent to.
    public var path: String
    /// Whether it is sent over HTTPS only.
    public var isSecure: Bool
    /// Whether the server marked it `HttpOnly` (kept, as a client has no scripts to hide it from).
    public var isHTTPOnly: Bool
    /// The `SameSite` attribute as given (`Strict`, `Lax`, `None`), if any.
    public var sameSite: String?
    /// When it expires; `nil` for a session cookie.
    public var expires: Date?
    /// When it was first stored, used to order cookies of equal path length.
    public var created: Date

    /// Creates a cookie; by default one that is sent to every host and path.
    public init(
        name: String, value: String, domain: String = "", path: String = "/", isHostOnly: Bool = false,
        isSecure: Bool = false, isHTTPOnly: Bool = false, sameSite: String? = nil, expires: Date? = nil,
        created: Date = Date()
    ) {
        self.name = name
        self.value = value
        self.domain = domain.lowercased()
        self.isHostOnly = isHostOnly
        self.path = path
        self.isSecure = isSecure
        self.isHTTPOnly = isHTTPOnly
        self.sameSite = sameSite
        self.expires = expires
        self.created = created
    }

    /// `name=value for domain/path`, as httpx prints a cookie.
    public var description: String {
        "<Cookie \(name)=\(value) for \(domain.isEmpty ? "" : domain)\(path)>"
    }

    /// Whether the cookie has expired at `now`.
    public func isExpired(at now: Date) -> Bool {
        expires.map { $0 <= now } ?? false
    }

    /// Whether the cookie is to be sent with a request to `url` (RFC 6265 §5.4).
    public func matches(_ url: HTTPURL, at now: Date = Date()) -> Bool {
        if isExpired(at: now) { return false }
        if isSecure && !(url.scheme == "https" || url.scheme == "wss") { return false }
        if !domain.isEmpty {
            if isHostOnly ? url.rawHost != domain : !Self.domainMatches(host: url.rawHost, domain: domain) {
                return false
            }
        }
        return Self.pathMatches(requestPath: url.path.isEmpty ? "/" : url.path, cookiePath: path)
    }

    /// RFC 6265 §5.1.3, on bytes (hosts and domains are canonical lowercase ASCII here), so a
    /// jar of many cookies is matched without allocating.
    static func domainMatches(host: String, domain: String) -> Bool {
        if host == domain { return true }
        let hostBytes = host.utf8
        let domainBytes = domain.utf8
        guard hostBytes.count > domainBytes.count, !domainBytes.isEmpty else { return false }
        let dot = hostBytes.index(hostBytes.endIndex, offsetBy: -domainBytes.count - 1)
        guard hostBytes[dot] == UInt8(ascii: "."),
            hostBytes[hostBytes.index(after: dot)...].elementsEqual(domainBytes)
        else { return false }
        // An IP address matches only itself.
        if hostBytes.contains(UInt8(ascii: ":")) { return false }
        return !hostBytes.split(separator: UInt8(ascii: ".")).allSatisfy { label in
            label.allSatisfy { $0 >= 0x30 && $0 <= 0x39 }
        }
    }

    /// RFC 6265 §5.1.4, on bytes.
    static func pathMatches(requestPath: String, cookiePath: String) -> Bool {
        if requestPath == cookiePath { return true }
        let request = requestPath.utf8
        let cookie = cookiePath.utf8
        guard request.count > cookie.count, request.starts(with: cookie) else { return false }
        return cookie.last == UInt8(ascii: "/") || request[request.index(request.startIndex, offsetBy: cookie.count)] == UInt8(ascii: "/")
    }

    /// RFC 6265 §5.1.4: the directory of the request path.
    static func defaultPath(for url: HTTPURL) -> String {
        let path = url.path
        guard path.hasPrefix("/"), let last = path.lastIndex(of: "/"), last != path.startIndex else { return "/" }
        return String(path[..<last])
    }
}
