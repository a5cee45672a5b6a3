/// URLs of the special schemes (http, https, ws, wss) parsed as the WHATWG URL standard says,
/// so the client reads a URL as a browser does: backslashes as slashes, `http:example.org`,
/// hosts percent-decoded, mapped with IDNA and validated (IPv4 number forms, IPv6), dot
/// segments removed, and only the characters the standard names percent-encoded.
enum SpecialURLParser {
    /// The special schemes parsed here (the standard's `file` is not: its URLs have rules of
    /// their own, and no HTTP client requests them).
    static let schemes: Set<String> = ["http", "https", "ws", "wss", "ftp"]

    /// Parses `rest` (what follows `scheme:`), relative to `base` when it has the same scheme
    /// and `rest` does not start with a slash.
    static func parse(scheme: String, rest: Substring, base: HTTPURL?, input: String) throws -> HTTPURL {
        if let base, base.scheme == scheme, !startsWithTwoSlashes(rest) {
            return try resolve(rest, against: base, input: input)
        }
        var url = HTTPURL(
            scheme: scheme, userinfo: "", host: "", port: nil, path: "/", query: nil, fragment: nil, hasAuthority: true)
        try parseAuthorityAndRest(droppingSlashes(rest), into: &url, input: input)
        return url
    }

    /// Resolves `input` (no scheme) against a special `base`.
    static func resolve(_ input: Substring, against base: HTTPURL, input original: String) throws -> HTTPURL {
        var url = base
        url.fragment = nil
        if startsWithTwoSlashes(input) {
            url = HTTPURL(
                scheme: base.scheme, userinfo: "", host: "", port: nil, path: "/", query: nil, fragment: nil,
                hasAuthority: true)
            try parseAuthorityAndRest(droppingSlashes(input), into: &url, input: original)
            return url
        }
        guard let first = input.utf8.first else { return url }
        let (pathText, query, fragment) = split(input)
        if first == UInt8(ascii: "#") {
            url.fragment = fragment
            return url
        }
        url.query = query
        url.fragment = fragment
        if first == UInt8(ascii: "?") { return url }
        var segments: [String] = []
        if !isSlash(first) {
            segments = base.path.split(separator: "/", omittingEmptySubsequences: false).dropFirst().map(String.init)
            if !segments.isEmpty { segments.removeLast() }
        }
        url.path = path(pathText, from: segments)
        return url
    }

    private static func startsWithTwoSlashes(_ text: Substring) -> Bool {
        var bytes = text.utf8.makeIterator()
        guard let first = bytes.next(), let second = bytes.next() else { return false }
        return isSlash(first) && isSlash(second)
    }

    private static func droppingSlashes(_ text: Substring) -> Substring {
        let start = text.utf8.firstIndex { !isSlash($0) } ?? text.utf8.endIndex
        return text[start...]
    }

    private static func isSlash(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: "/") || byte == UInt8(ascii: "\\")
    }

    /// The authority (`user:pass@host:port`) up to the first `/`, `\`, `?` or `#`, then the
    /// path, query and fragment.
    private static func parseAuthorityAndRest(_ text: Substring, into url: inout HTTPURL, input: String) throws {
        let end = text.utf8.firstIndex { isSlash($0) || $0 == UInt8(ascii: "?") || $0 == UInt8(ascii: "#") } ?? text.endIndex
        var authority = text[..<end]
        if let at = authority.utf8.lastIndex(of: UInt8(ascii: "@")) {
            let credentials = authority[..<at]
            authority = authority[authority.index(after: at)...]
            let colon = credentials.utf8.firstIndex(of: UInt8(ascii: ":"))
            let user = encode(credentials[..<(colon ?? credentials.endIndex)], .userinfo)
            let password = colon.map { encode(credentials[credentials.index(after: $0)...], .userinfo) } ?? ""
            url.userinfo = password.isEmpty ? user : user + ":" + password
            if authority.isEmpty { throw URLParser.invalid("Invalid URL '\(URLParser.redactedForError(input))': credentials without a host") }
        }
        var hostText = authority
        var portText: Substring?
        if authority.utf8.first == UInt8(ascii: "[") {
            if let close = authority.utf8.firstIndex(of: UInt8(ascii: "]")) {
                hostText = authority[...close]
                let after = authority[authority.index(after: close)...]
                if after.utf8.first == UInt8(ascii: ":") {
                    portText = after.dropFirst()
                } else if !after.isEmpty {
                    throw URLParser.invalid("Invalid characters after the IPv6 address in URL '\(URLParser.redactedForError(input))'")
                }
            }
        } else if let colon = authority.utf8.firstIndex(of: UInt8(ascii: ":")) {
            hostText = authority[..<colon]
            portText = authority[authority.index(after: colon)...]
        }
        switch URLHostParser.parse(hostText) {
        case .success(let host): url.rawHost = host
        case .failure(let failure):
            throw URLParser.invalid("Invalid URL '\(URLParser.redactedForError(input))': \(failure.reason)")
        }
        if let portText, !portText.isEmpty {
            let significant = portText.utf8.drop(while: { $0 == UInt8(ascii: "0") })
            guard portText.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }),
                significant.count <= 5, let value = significant.isEmpty ? 0 : Int(Substring(significant)), value <= 65535
            else {
                throw URLParser.invalid("Invalid port '\(portText)' in URL '\(URLParser.redactedForError(input))'")
            }
            url.port = value == HTTPURL.defaultPort(for: url.scheme) ? nil : value
        }
        let (pathText, query, fragment) = split(text[end...])
        url.path = path(pathText, from: [])
        url.query = query
        url.fragment = fragment
    }

    /// The path, percent-encoded query and fragment of what follows the authority.
    private static func split(_ text: Substring) -> (Substring, String?, String?) {
        var rest = text
        var fragment: String?
        if let hash = rest.utf8.firstIndex(of: UInt8(ascii: "#")) {
            fragment = encode(rest[rest.index(after: hash)...], .fragment)
            rest = rest[..<hash]
        }
        var query: String?
        if let question = rest.utf8.firstIndex(of: UInt8(ascii: "?")) {
            query = encode(rest[rest.index(after: question)...], .specialQuery)
            rest = rest[..<question]
        }
        return (rest, query, fragment)
    }

    /// The path after `segments` (a base's), `.` and `..` applied, each segment encoded.
    private static func path(_ text: Substring, from base: [String]) -> String {
        // The common case, a path without dot segments, backslashes or characters to escape:
        // as it is.
        if base.isEmpty, text.utf8.first == UInt8(ascii: "/"), isPlainPath(text) { return String(text) }
        var segments = base
        var parts = text.utf8.split(omittingEmptySubsequences: false, whereSeparator: isSlash).map { Substring($0) }
        if text.utf8.first.map(isSlash) == true { parts.removeFirst() }
        if text.isEmpty { parts = [] }
        for (index, part) in parts.enumerated() {
            let last = index == parts.count - 1
            switch HTTPURL.dotSegment(part) {
            case 2:
                if !segments.isEmpty { segments.removeLast() }
                if last { segments.append("") }
            case 1:
                if last { segments.append("") }
            default:
                segments.append(encode(part, .path))
            }
        }
        return "/" + segments.joined(separator: "/")
    }

    /// Whether `path` has no backslash, no segment starting with `.` or `%`, and nothing the
    /// path set escapes.
    private static func isPlainPath(_ path: Substring) -> Bool {
        var previous = UInt8(ascii: "/")
        for byte in path.utf8 {
            if byte == UInt8(ascii: "\\") || EncodeSet.path.encodes(byte) { return false }
            if previous == UInt8(ascii: "/"), byte == UInt8(ascii: ".") || byte == UInt8(ascii: "%") { return false }
            previous = byte
        }
        return true
    }

    // MARK: Percent-encode sets

    enum EncodeSet {
        case fragment, specialQuery, path, userinfo

        /// Whether ASCII `byte` is encoded (C0 controls, DEL and non-ASCII always are).
        func encodes(_ byte: UInt8) -> Bool {
            if byte < 0x20 || byte >= 0x7F { return true }
            switch byte {
            case 0x20, 0x22, 0x3C, 0x3E: return true  // space " < >
            case 0x60: return self != .specialQuery  // `
            case 0x23: return self != .fragment  // #
            case 0x27: return self == .specialQuery  // '
            case 0x3F, 0x5E, 0x7B, 0x7D: return self == .path || self == .userinfo  // ? ^ { }
            case 0x2F, 0x3A, 0x3B, 0x3D, 0x40, 0x5B, 0x5C, 0x5D, 0x7C: return self == .userinfo  // / : ; = @ [ \ ] |
            default: return false
            }
        }
    }

    static func encode(_ text: Substring, _ set: EncodeSet) -> String {
        if !text.utf8.contains(where: set.encodes) { return String(text) }
        let hex = Array("0123456789ABCDEF".utf8)
        var output: [UInt8] = []
        output.reserveCapacity(text.utf8.count * 3)
        for byte in text.utf8 {
            if set.encodes(byte) {
                output.append(UInt8(ascii: "%"))
                output.append(hex[Int(byte >> 4)])
                output.append(hex[Int(byte & 0xF)])
            } else {
                output.append(byte)
            }
        }
        return String(decoding: output, as: UTF8.self)
    }
}
