/// Splits a URL string into its RFC 3986 parts and normalises each one.
enum URLParser {
    /// Parses `input`, relative to `base` if given: URLs of the special schemes (and references
    /// against a special base) as the WHATWG URL standard does, others as RFC 3986 does.
    static func parse(_ input: String, base: HTTPURL? = nil) throws -> HTTPURL {
        // As the WHATWG standard: C0 controls and spaces around the URL, and every tab and
        // newline inside it, are dropped.
        let cleaned = whatwgCleaned(input)
        var schemeEnd: Substring.Index?
        var scheme = ""
        if let colon = cleaned.utf8.firstIndex(of: UInt8(ascii: ":")), isScheme(cleaned[..<colon]) {
            scheme = asciiLowercased(cleaned[..<colon])
            schemeEnd = colon
        }
        if let schemeEnd, SpecialURLParser.schemes.contains(scheme) {
            return try SpecialURLParser.parse(
                scheme: scheme, rest: cleaned[cleaned.index(after: schemeEnd)...], base: base, input: input)
        }
        if schemeEnd == nil, let base, SpecialURLParser.schemes.contains(base.scheme) {
            return try SpecialURLParser.resolve(cleaned[...], against: base, input: input)
        }
        let parsed = try parseRFC3986(String(cleaned))
        return base.map { $0.resolve(parsed) } ?? parsed
    }

    /// `input` without the C0 controls and spaces at its ends, and without tabs and newlines.
    private static func whatwgCleaned(_ input: String) -> Substring {
        let utf8 = input.utf8
        let needsWork = utf8.first.map { $0 <= 0x20 } == true || utf8.last.map { $0 <= 0x20 } == true
            || utf8.contains { $0 == 0x09 || $0 == 0x0A || $0 == 0x0D }
        guard needsWork else { return input[...] }
        var scalars = Substring(input).unicodeScalars
        while let first = scalars.first, first.value <= 0x20 { scalars.removeFirst() }
        while let last = scalars.last, last.value <= 0x20 { scalars.removeLast() }
        var result = String.UnicodeScalarView()
        for scalar in scalars where scalar != "\t" && scalar != "\n" && scalar != "\r" { result.append(scalar) }
        return Substring(String(result))
    }

    /// RFC 3986 parsing, for other schemes and for relative references without a base.
    static func parseRFC3986(_ input: String) throws -> HTTPURL {
        let string = trimmed(input)
        if string.utf8.contains(where: { $0 < 0x20 || $0 == 0x7F }),
            let bad = string.unicodeScalars.first(where: { $0.value < 0x20 || $0.value == 0x7F })
        {
            throw invalid("Invalid non-printable character U+\(hex(bad.value)) in URL '\(redactedForError(input))'")
        }
        var rest = Substring(string)

        var scheme = ""
        if let colon = rest.utf8.firstIndex(of: UInt8(ascii: ":")), isScheme(rest[..<colon]) {
            scheme = asciiLowercased(rest[..<colon])
            rest = rest[rest.index(after: colon)...]
        }

        var fragment: String?
        if let hash = rest.utf8.firstIndex(of: UInt8(ascii: "#")) {
            fragment = PercentEncoding.encode(String(rest[rest.index(after: hash)...]), allowed: .fragment)
            rest = rest[..<hash]
        }
        var query: String?
        if let question = rest.utf8.firstIndex(of: UInt8(ascii: "?")) {
            query = PercentEncoding.encode(String(rest[rest.index(after: question)...]), allowed: .query)
            rest = rest[..<question]
        }

        var userinfo = ""
        var host = ""
        var port: Int?
        var hasAuthority = false
        if rest.utf8.starts(with: [UInt8(ascii: "/"), UInt8(ascii: "/")]) {
            hasAuthority = true
            rest = rest.dropFirst(2)
            let end = rest.utf8.firstIndex(of: UInt8(ascii: "/")) ?? rest.endIndex
            let authority = rest[..<end]
            rest = rest[end...]
            (userinfo, host, port) = try parseAuthority(authority, scheme: scheme, input: input)
        }
        var path = PercentEncoding.encode(String(rest), allowed: .path)
        // An absolute URL's path loses its `.` and `..` segments (RFC 3986 §5.2.4, as
        // browsers and httpx do); a relative reference keeps them until it is resolved.
        if !scheme.isEmpty || hasAuthority { path = HTTPURL.removeDotSegments(path) }
        return HTTPURL(
            scheme: scheme, userinfo: userinfo, host: host, port: port, path: path,
            query: query, fragment: fragment, hasAuthority: hasAuthority)
    }

    private static func parseAuthority(
        _ authority: Substring, scheme: String, input: String
    ) throws -> (String, String, Int?) {
        var hostPort = authority
        var userinfo = ""
        if let at = authority.utf8.lastIndex(of: UInt8(ascii: "@")) {
            userinfo = PercentEncoding.encode(String(authority[..<at]), allowed: .userinfo)
            hostPort = authority[authority.index(after: at)...]
        }
        var hostText: Substring
        var portText: Substring?
        if hostPort.hasPrefix("[") {
            guard let close = hostPort.firstIndex(of: "]") else {
                throw invalid("Invalid IPv6 address in URL '\(redactedForError(input))': missing ']'")
            }
            hostText = hostPort[hostPort.index(after: hostPort.startIndex)..<close]
            let after = hostPort[hostPort.index(after: close)...]
            if after.hasPrefix(":") {
                portText = after.dropFirst()
            } else if !after.isEmpty {
                throw invalid("Invalid characters after the IPv6 address in URL '\(redactedForError(input))'")
            }
            guard !hostText.isEmpty, hostText.allSatisfy({ $0.isHexDigit || $0 == ":" || $0 == "." }) else {
                throw invalid("Invalid IPv6 address '\(hostText)' in URL '\(redactedForError(input))'")
            }
        } else if let colon = hostPort.utf8.lastIndex(of: UInt8(ascii: ":")) {
            hostText = hostPort[..<colon]
            portText = hostPort[hostPort.index(after: colon)...]
        } else {
            hostText = hostPort
        }
        let host = asciiLowercased(hostText)
        let isIPv6 = hostPort.hasPrefix("[")
        if !isIPv6, let bad = host.unicodeScalars.first(where: { !isHostScalar($0) }) {
            let what = bad.isASCII ? "character '\(bad)'" : "non-ASCII character '\(bad)' (internationalised host names are not supported)"
            throw invalid("Invalid \(what) in host '\(hostText)' of URL '\(redactedForError(input))'")
        }
        var port: Int?
        if let portText, !portText.isEmpty {
            guard portText.allSatisfy(\.isASCII), portText.allSatisfy(\.isNumber), let value = Int(portText),
                value <= 65535
            else {
                throw invalid("Invalid port '\(portText)' in URL '\(redactedForError(input))'")
            }
            port = value == HTTPURL.defaultPort(for: scheme) ? nil : value
        }
        return (userinfo, host, port)
    }

    private static func isHostScalar(_ scalar: Unicode.Scalar) -> Bool {
        guard scalar.isASCII else { return false }
        return PercentEncoding.Allowed.host.contains(UInt8(scalar.value))
    }

    private static func isScheme(_ text: Substring) -> Bool {
        guard let first = text.utf8.first, isLetter(first) else { return false }
        return text.utf8.allSatisfy {
            isLetter($0) || ($0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9")) || $0 == UInt8(ascii: "+")
                || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: ".")
        }
    }

    private static func isLetter(_ byte: UInt8) -> Bool {
        (byte | 0x20) >= UInt8(ascii: "a") && (byte | 0x20) <= UInt8(ascii: "z")
    }

    /// Lower-cases ASCII letters only, without allocating when there is nothing to change.
    static func asciiLowercased(_ text: Substring) -> String {
        if !text.utf8.contains(where: { $0 >= UInt8(ascii: "A") && $0 <= UInt8(ascii: "Z") }) { return String(text) }
        return String(decoding: text.utf8.map { $0 >= UInt8(ascii: "A") && $0 <= UInt8(ascii: "Z") ? $0 | 0x20 : $0 }, as: UTF8.self)
    }

    private static func trimmed(_ string: String) -> String {
        if let first = string.utf8.first, let last = string.utf8.last, first > 0x20, first < 0x80, last > 0x20,
            last < 0x80
        {
            return string
        }
        let scalars = string.unicodeScalars
        guard let start = scalars.firstIndex(where: { !$0.properties.isWhitespace }),
            let end = scalars.lastIndex(where: { !$0.properties.isWhitespace })
        else { return "" }
        return String(scalars[start...end])
    }

    private static func hex(_ value: UInt32) -> String {
        let digits = String(value, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }

    /// The input with any password hidden, so an error message never leaks it.
    static func redactedForError(_ input: String) -> String {
        let characters = Array(input)
        guard let schemeEnd = firstIndex(of: ["/", "/"], in: characters),
            let at = characters[schemeEnd...].firstIndex(of: "@"),
            let colon = characters[schemeEnd..<at].firstIndex(of: ":")
        else { return input }
        return String(characters[...colon]) + "[secure]" + String(characters[at...])
    }

    private static func firstIndex(of needle: [Character], in haystack: [Character]) -> Int? {
        guard haystack.count >= needle.count else { return nil }
        for start in 0...(haystack.count - needle.count) where Array(haystack[start..<start + needle.count]) == needle {
            return start + needle.count
        }
        return nil
    }

    static func invalid(_ message: String) -> HTTPXError {
        HTTPXError(.invalidURL, message)
    }
}
