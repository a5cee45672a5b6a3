#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Hosts that bypass the proxies, written as the `NO_PROXY` environment variable is.
///
/// Entries are separated by commas (or spaces):
/// - `*` bypasses the proxies for every host;
/// - `example.com` matches that host and its subdomains, and so does `.example.com`;
/// - `localhost`, `127.0.0.1` and `::1` (or `[::1]`) match that host exactly;
/// - `example.com:8080` or `[::1]:8080` match only that port;
/// - `10.0.0.0/8` and `fd00::/8` match IP addresses in the range (host names are not
///   resolved for this);
/// - `http://example.com` matches as a ``URLPattern``.
///
/// ```swift
/// let client = AsyncClient(.init(proxies: Proxies(
///     ["all": "http://proxy.internal:3128"],
///     noProxy: "localhost, .internal.example.com, 10.0.0.0/8")))
/// ```
public struct NoProxy: Sendable, Hashable, ExpressibleByStringLiteral, CustomStringConvertible {
    enum Rule: Sendable, Hashable {
        case everything
        /// A host name (and its subdomains, but for `localhost`), or an IP address exactly
        /// (its bytes, parsed once); with a port, only that one.
        case host(String, port: Int?, address: [UInt8]?)
        case range(address: [UInt8], prefixLength: Int)
        case pattern(URLPattern)
    }

    /// The list as given.
    public let description: String
    let rules: [Rule]

    /// Parses a `NO_PROXY` value; an empty one matches nothing.
    public init(_ list: String = "") {
        description = list
        rules = list.split(whereSeparator: { $0 == "," || $0 == " " || $0 == "\t" })
            .compactMap { Self.rule(String($0)) }
    }

    public init(stringLiteral value: String) {
        self.init(value)
    }

    /// Whether requests to `url` go direct.
    public func matches(_ url: HTTPURL) -> Bool {
        guard !rules.isEmpty else { return false }
        var host = url.rawHost.lowercased()
        if host.hasSuffix(".") { host.removeLast() }
        let port = url.effectivePort
        let address = host.contains(":") || host.first?.isNumber == true ? IPAddress.bytes(of: host) : nil
        return rules.contains { rule in
            switch rule {
            case .everything:
                return true
            case .host(let name, let rulePort, let ruleAddress):
                if let rulePort, rulePort != port { return false }
                if address != nil || ruleAddress != nil { return address == ruleAddress }
                return host == name || (name != "localhost" && host.hasSuffix("." + name))
            case .range(let network, let prefixLength):
                guard let address, address.count == network.count else { return false }
                return IPAddress.prefix(of: address, equals: network, length: prefixLength)
            case .pattern(let pattern):
                return pattern.matches(url)
            }
        }
    }

    private static func rule(_ entry: String) -> Rule? {
        let text = entry.lowercased()
        if text == "*" { return .everything }
        if text.contains("://") { return .pattern(URLPattern(text)) }
        if let slash = text.firstIndex(of: "/") {
            let network = String(text[..<slash]).trimmingCharacters(in: "[]")
            guard let address = IPAddress.bytes(of: network), let length = Int(text[text.index(after: slash)...]),
                (0...(address.count * 8)).contains(length)
            else { return nil }
            return .range(address: address, prefixLength: length)
        }
        var host = Substring(text)
        var port: Int?
        if host.hasPrefix("[") {
            // [::1] or [::1]:8080
            guard let close = host.firstIndex(of: "]") else { return nil }
            let after = host[host.index(after: close)...]
            if after.hasPrefix(":") { port = Int(after.dropFirst()) }
            host = host[host.index(after: host.startIndex)..<close]
        } else if host.filter({ $0 == ":" }).count == 1, let colon = host.firstIndex(of: ":") {
            // example.com:8080 (an IPv6 address has more than one colon)
            port = Int(host[host.index(after: colon)...])
            guard port != nil else { return nil }
            host = host[..<colon]
        }
        while host.hasPrefix(".") { host = host.dropFirst() }
        while host.hasSuffix(".") { host = host.dropLast() }
        if host.hasPrefix("*.") { host = host.dropFirst(2) }
        guard !host.isEmpty else { return nil }
        return .host(String(host), port: port, address: IPAddress.bytes(of: String(host)))
    }
}

/// IP addresses as bytes, for `NO_PROXY` ranges and SOCKS5 targets.
enum IPAddress {
    /// The 4 or 16 bytes of an IPv4 or IPv6 address in text, or `nil` for anything else.
    static func bytes(of text: String) -> [UInt8]? {
        let text = text.trimmingCharacters(in: "[]")
        var v4 = in_addr()
        if inet_pton(AF_INET, text, &v4) == 1 {
            return withUnsafeBytes(of: &v4) { Array($0) }
        }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, text, &v6) == 1 {
            return withUnsafeBytes(of: &v6) { Array($0) }
        }
        return nil
    }

    /// Whether the first `length` bits of `address` and `network` agree.
    static func prefix(of address: [UInt8], equals network: [UInt8], length: Int) -> Bool {
        var remaining = length
        for (a, b) in zip(address, network) where remaining > 0 {
            let bits = min(8, remaining)
            let mask = UInt8(truncatingIfNeeded: 0xFF << (8 - bits))
            if a & mask != b & mask { return false }
            remaining -= bits
        }
        return true
    }
}
