import NIOSSL

/// Checks that a server's certificate names the host the request asked for, on every TLS
/// connection (origins, tunnelled origins, HTTPS proxies).
///
/// NIOSSL accepts a certificate whose IP address entry matches the socket's peer, whatever
/// name the client asked for: an attacker who spoofs DNS and holds a publicly trusted
/// certificate for its own address could then pose as any host; and through a `CONNECT` or
/// SOCKS5 tunnel the peer is the proxy. So NIOSSL's host name check is turned off (the chain is
/// still verified) and the identity is checked here (RFC 6125 / RFC 9110 §4.3.4): a name only
/// against DNS entries, compared without case, a `*` only as the whole first label of a name
/// with at least two more labels; an address only against IP entries, byte for byte. The
/// subject's common name is not used.
enum TLSIdentity {
    /// Whether `certificate` is valid for `host` (a name, or an IPv4/IPv6 address).
    static func certificate(_ certificate: NIOSSLCertificate, isValidFor host: String) -> Bool {
        let names = certificate._subjectAlternativeNames()
        if let address = IPAddress.bytes(of: host) {
            return names.contains { $0.nameType == .ipAddress && Array($0.contents) == address }
        }
        let wanted = Array(host.utf8)
        return names.contains { $0.nameType == .dnsName && dnsName(Array($0.contents), matches: wanted) }
    }

    /// Whether the certificate's DNS name `pattern` matches `host`.
    static func dnsName(_ pattern: [UInt8], matches host: [UInt8]) -> Bool {
        let pattern = normalised(pattern)
        let host = normalised(host)
        guard !pattern.isEmpty, !host.isEmpty else { return false }
        if pattern == host { return !pattern.contains(UInt8(ascii: "*")) }
        // "*.example.com": one whole label, and at least two labels after it.
        guard pattern.count > 2, pattern[0] == UInt8(ascii: "*"), pattern[1] == UInt8(ascii: ".") else { return false }
        let suffix = pattern[1...]
        guard suffix.dropFirst().contains(UInt8(ascii: ".")), !suffix.contains(UInt8(ascii: "*")) else { return false }
        guard let dot = host.firstIndex(of: UInt8(ascii: ".")), dot > 0 else { return false }
        return host[dot...].elementsEqual(suffix)
    }

    /// Lower-cased ASCII, without a trailing dot.
    private static func normalised(_ name: [UInt8]) -> [UInt8] {
        var bytes = name.map { $0 >= 0x41 && $0 <= 0x5A ? $0 | 0x20 : $0 }
        if bytes.last == UInt8(ascii: ".") { bytes.removeLast() }
        return bytes
    }
}
