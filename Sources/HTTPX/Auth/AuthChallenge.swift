/// One challenge of a `WWW-Authenticate` header (RFC 9110 §11.6.1): a scheme and its
/// parameters, such as `Digest realm="api", nonce="abc", qop="auth"`.
///
/// ```swift
/// let challenges = AuthChallenge.parse(#"Basic realm="a", Digest realm="b", nonce="n""#)
/// challenges[1].scheme            // "Digest"
/// challenges[1]["nonce"]          // "n"
/// ```
public struct AuthChallenge: Sendable, Equatable {
    /// The scheme, as the server wrote it (compare case-insensitively).
    public let scheme: String
    /// The parameters in order, names lowercased, quoted values unquoted.
    public let parameters: [(name: String, value: String)]

    public init(scheme: String, parameters: [(name: String, value: String)]) {
        self.scheme = scheme
        self.parameters = parameters
    }

    /// The value of parameter `name` (case-insensitive), if present.
    public subscript(name: String) -> String? {
        let lowered = name.lowercased()
        return parameters.first { $0.name == lowered }?.value
    }

    public static func == (lhs: AuthChallenge, rhs: AuthChallenge) -> Bool {
        lhs.scheme == rhs.scheme && lhs.parameters.map(\.name) == rhs.parameters.map(\.name)
            && lhs.parameters.map(\.value) == rhs.parameters.map(\.value)
    }

    /// The challenges of every `WWW-Authenticate` header in `headers`.
    public static func challenges(in headers: Headers) -> [AuthChallenge] {
        headers.values(for: "WWW-Authenticate").flatMap { parse($0) }
    }

    /// The challenges in one header value. Text that is not a challenge is skipped, so a
    /// malformed header gives fewer challenges, never a crash.
    public static func parse(_ value: String) -> [AuthChallenge] {
        var scanner = ChallengeScanner(Array(value.utf8))
        var challenges: [AuthChallenge] = []
        var scheme: String?
        var parameters: [(name: String, value: String)] = []
        func finish() {
            if let scheme { challenges.append(AuthChallenge(scheme: scheme, parameters: parameters)) }
            parameters = []
        }
        while true {
            scanner.skip { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") || $0 == UInt8(ascii: ",") }
            guard !scanner.isAtEnd else { break }
            guard let token = scanner.token() else {
                scanner.advance()  // not a token: skip the byte
                continue
            }
            scanner.skip { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") }
            if scanner.consume(UInt8(ascii: "=")) {
                scanner.skip { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") }
                let value = scanner.quotedString() ?? scanner.token() ?? ""
                if scheme != nil {
                    parameters.append((token.lowercased(), value))
                }
            } else {
                finish()
                scheme = token
            }
        }
        finish()
        return challenges
    }
}

/// Reads tokens and quoted strings from a header value.
private struct ChallengeScanner {
    let bytes: [UInt8]
    var index = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    var isAtEnd: Bool { index >= bytes.count }

    mutating func advance() { index += 1 }

    mutating func skip(while predicate: (UInt8) -> Bool) {
        while index < bytes.count, predicate(bytes[index]) { index += 1 }
    }

    mutating func consume(_ byte: UInt8) -> Bool {
        guard index < bytes.count, bytes[index] == byte else { return false }
        index += 1
        return true
    }

    /// An RFC 9110 token (letters, digits and `!#$%&'*+-.^_`|~`), plus `/` so that token68
    /// values such as base64 read whole.
    mutating func token() -> String? {
        let start = index
        skip { byte in
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"):
                true
            default:
                Array("!#$%&'*+-.^_`|~/".utf8).contains(byte)
            }
        }
        guard index > start else { return nil }
        return String(decoding: bytes[start..<index], as: UTF8.self)
    }

    /// A quoted string with `\` escapes; an unterminated one runs to the end.
    mutating func quotedString() -> String? {
        guard consume(UInt8(ascii: "\"")) else { return nil }
        var value: [UInt8] = []
        while index < bytes.count {
            let byte = bytes[index]
            index += 1
            if byte == UInt8(ascii: "\"") { break }
            if byte == UInt8(ascii: "\\"), index < bytes.count {
                value.append(bytes[index])
                index += 1
            } else {
                value.append(byte)
            }
        }
        return String(decoding: value, as: UTF8.self)
    }
}
