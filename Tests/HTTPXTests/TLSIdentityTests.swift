import Testing

@testable import HTTPX

/// The origin-name check of TLS through a tunnel (RFC 6125 rules, stricter where they allow).
@Suite("TLS identity")
struct TLSIdentityTests {
    @Test(arguments: [
        ("example.com", "example.com", true),
        ("Example.COM", "example.com", true),
        ("example.com.", "example.com", true),
        ("example.com", "www.example.com", false),
        ("*.example.com", "www.example.com", true),
        ("*.example.com", "WWW.Example.com.", true),
        ("*.example.com", "example.com", false),
        ("*.example.com", "a.b.example.com", false),
        ("*.com", "example.com", false),
        ("w*.example.com", "www.example.com", false),
        ("*.*.example.com", "a.b.example.com", false),
        ("*", "example", false),
        ("", "example.com", false),
        ("*.example.com", ".example.com", false),
    ])
    func dnsNames(_ pattern: String, _ host: String, _ expected: Bool) {
        #expect(TLSIdentity.dnsName(Array(pattern.utf8), matches: Array(host.utf8)) == expected)
    }
}
