import Crypto

/// A hash algorithm of HTTP Digest authentication (RFC 7616 §3.3), and whether it is the
/// session (`-sess`) variant. ``DigestAuth`` picks it from the server's challenge.
///
/// ```swift
/// DigestAlgorithm(name: "sha-256-sess") == .sha256Session   // true
/// DigestAlgorithm(name: "SHA-512-256")                       // nil: not supported
/// ```
public struct DigestAlgorithm: Sendable, Hashable, CustomStringConvertible {
    enum Hash: Sendable, Hashable {
        case md5, sha1, sha256, sha512
    }

    let hash: Hash
    /// Whether the session key mixes in the nonce and cnonce (`MD5-sess`, ...).
    public let isSession: Bool

    /// MD5, the default when a challenge names none (RFC 2069 and RFC 2617).
    public static let md5 = DigestAlgorithm(hash: .md5, isSession: false)
    public static let md5Session = DigestAlgorithm(hash: .md5, isSession: true)
    /// SHA-1, as httpx and some servers call `SHA`.
    public static let sha1 = DigestAlgorithm(hash: .sha1, isSession: false)
    public static let sha1Session = DigestAlgorithm(hash: .sha1, isSession: true)
    public static let sha256 = DigestAlgorithm(hash: .sha256, isSession: false)
    public static let sha256Session = DigestAlgorithm(hash: .sha256, isSession: true)
    public static let sha512 = DigestAlgorithm(hash: .sha512, isSession: false)
    public static let sha512Session = DigestAlgorithm(hash: .sha512, isSession: true)

    /// The algorithm a challenge's `algorithm` parameter names (case-insensitive), or `nil`
    /// for one this client does not implement.
    public init?(name: String) {
        var base = name.uppercased()
        let session = base.hasSuffix("-SESS")
        if session { base.removeLast(5) }
        switch base {
        case "MD5": hash = .md5
        case "SHA", "SHA-1": hash = .sha1
        case "SHA-256": hash = .sha256
        case "SHA-512": hash = .sha512
        default: return nil
        }
        isSession = session
    }

    init(hash: Hash, isSession: Bool) {
        self.hash = hash
        self.isSession = isSession
    }

    /// The name sent back in the `algorithm` parameter.
    public var description: String {
        let base = switch hash {
        case .md5: "MD5"
        case .sha1: "SHA"
        case .sha256: "SHA-256"
        case .sha512: "SHA-512"
        }
        return isSession ? base + "-sess" : base
    }

    /// The lowercase hex digest of `text`'s UTF-8 bytes.
    func hex(_ text: String) -> String {
        hex(Array(text.utf8))
    }

    /// The lowercase hex digest of `bytes`.
    func hex(_ bytes: [UInt8]) -> String {
        switch hash {
        case .md5: Self.lowercaseHex(Insecure.MD5.hash(data: bytes))
        case .sha1: Self.lowercaseHex(Insecure.SHA1.hash(data: bytes))
        case .sha256: Self.lowercaseHex(SHA256.hash(data: bytes))
        case .sha512: Self.lowercaseHex(SHA512.hash(data: bytes))
        }
    }

    /// `bytes` as lowercase hex digits.
    static func lowercaseHex(_ bytes: some Sequence<UInt8>) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
