/// Parses the host of an http, https, ws or wss URL as the WHATWG URL standard does: an IPv6
/// literal in brackets (validated and written in its shortest form), an IPv4 address in any
/// of its number forms (`0x7f.1`, `2130706433`: written dotted-decimal), or a domain
/// (percent-decoded, mapped to ASCII with IDNA, checked for forbidden code points).
enum URLHostParser {
    /// The host as it goes on the wire (an IPv6 address without its brackets), or why not.
    static func parse(_ input: Substring) -> Result<String, HostFailure> {
        if input.hasPrefix("[") {
            guard input.hasSuffix("]"), input.count >= 2 else { return .failure(.init("an IPv6 address without its closing ']'")) }
            guard let pieces = parseIPv6(input.dropFirst().dropLast()) else {
                return .failure(.init("'\(input)' is not a valid IPv6 address"))
            }
            return .success(serializeIPv6(pieces))
        }
        guard !input.isEmpty else { return .failure(.init("the host is empty")) }
        let decoded = PercentEncoding.decode(String(input))
        let ascii: String
        if decoded.utf8.allSatisfy({ $0 < 0x80 }) && !IDNA.hasACELabel(decoded) {
            ascii = URLParser.asciiLowercased(Substring(decoded))
        } else {
            do {
                ascii = try IDNA.toASCII(decoded)
            } catch {
                return .failure(.init("the host '\(decoded)' is not a valid internationalised domain name: \(error.reason)"))
            }
        }
        if ascii.isEmpty { return .failure(.init("the host is empty")) }
        if let bad = ascii.unicodeScalars.first(where: isForbiddenDomainScalar) {
            let shown = bad.value < 0x20 || bad.value == 0x7F ? "U+\(String(bad.value, radix: 16, uppercase: true))" : "'\(bad)'"
            return .failure(.init("invalid character \(shown) in host '\(ascii)'"))
        }
        if endsInANumber(ascii) {
            guard let address = parseIPv4(ascii) else { return .failure(.init("'\(ascii)' is not a valid IPv4 address")) }
            return .success(address)
        }
        return .success(ascii)
    }

    struct HostFailure: Error {
        let reason: String
        init(_ reason: String) { self.reason = reason }
    }

    private static func isForbiddenDomainScalar(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0...0x20, 0x7F: true
        case 0x23, 0x25, 0x2F, 0x3A, 0x3C, 0x3E, 0x3F, 0x40, 0x5B, 0x5C, 0x5D, 0x5E, 0x7C: true
        default: false
        }
    }

    // MARK: IPv4

    /// Whether the last label (a trailing empty one aside) is a number: the host is then an
    /// IPv4 address or invalid.
    static func endsInANumber(_ host: String) -> Bool {
        // Most hosts end in letters: decide on the last byte before looking at labels.
        var trimmed = Substring(host)
        if trimmed.utf8.last == UInt8(ascii: "."), trimmed.utf8.count > 1 { trimmed = trimmed.dropLast() }
        guard let lastByte = trimmed.utf8.last,
            (lastByte >= UInt8(ascii: "0") && lastByte <= UInt8(ascii: "9")) || (lastByte | 0x20 >= UInt8(ascii: "a") && lastByte | 0x20 <= UInt8(ascii: "f")) || lastByte | 0x20 == UInt8(ascii: "x")
        else { return false }
        let labelStart = trimmed.utf8.lastIndex(of: UInt8(ascii: ".")).map { trimmed.index(after: $0) } ?? trimmed.startIndex
        let last = trimmed[labelStart...]
        guard !last.isEmpty else { return false }
        if last.allSatisfy({ $0.isASCII && $0.isNumber }) { return true }
        // `0x` and hex digits: a number, even one too large to be valid.
        return (last.hasPrefix("0x") || last.hasPrefix("0X")) && last.dropFirst(2).allSatisfy { $0.isASCII && $0.isHexDigit }
    }

    /// `192.168.0.1`, `0xC0.0250.1`, `3232235521` as dotted decimal; `nil` when invalid.
    static func parseIPv4(_ host: String) -> String? {
        if isCanonicalIPv4(host) { return host }
        var parts = host.split(separator: ".", omittingEmptySubsequences: false)
        if parts.last?.isEmpty == true, parts.count > 1 { parts.removeLast() }
        guard parts.count <= 4 else { return nil }
        var numbers: [UInt64] = []
        for part in parts {
            guard let number = parseIPv4Number(part) else { return nil }
            numbers.append(number)
        }
        guard let last = numbers.last else { return nil }
        if numbers.dropLast().contains(where: { $0 > 255 }) { return nil }
        guard last < (UInt64(1) << (8 * UInt64(5 - numbers.count))) else { return nil }
        var address = last
        for (index, number) in numbers.dropLast().enumerated() {
            address += number << (8 * UInt64(3 - index))
        }
        return (0..<4).map { String((address >> (8 * UInt64(3 - $0))) & 0xFF) }.joined(separator: ".")
    }

    /// Whether `host` is already four decimal numbers of at most 255 without leading zeros
    /// (`127.0.0.1`): the common case, answered without allocating.
    private static func isCanonicalIPv4(_ host: String) -> Bool {
        var parts = 0
        var digits = 0
        var value = 0
        var leadingZero = false
        for byte in host.utf8 {
            if byte == UInt8(ascii: ".") {
                guard digits > 0 else { return false }
                parts += 1
                digits = 0
                value = 0
                leadingZero = false
                continue
            }
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9"), !leadingZero, digits < 3 else { return false }
            if digits == 0 && byte == UInt8(ascii: "0") { leadingZero = true }
            value = value * 10 + Int(byte - UInt8(ascii: "0"))
            digits += 1
            guard value <= 255 else { return false }
        }
        return parts == 3 && digits > 0
    }

    private static func parseIPv4Number(_ part: Substring) -> UInt64? {
        guard !part.isEmpty else { return nil }
        var text = part
        var radix = 10
        if text.count >= 2, text.hasPrefix("0x") || text.hasPrefix("0X") {
            text = text.dropFirst(2)
            radix = 16
        } else if text.count >= 2, text.hasPrefix("0") {
            text = text.dropFirst()
            radix = 8
        }
        if text.isEmpty { return 0 }
        guard text.allSatisfy({ $0.isASCII && $0.isHexDigit }) else { return nil }
        // Anything longer than 2^32 in any radix is invalid anyway; stop before overflow.
        if text.drop(while: { $0 == "0" }).count > 12 { return nil }
        return UInt64(text, radix: radix)
    }

    // MARK: IPv6

    /// The eight 16-bit pieces of an IPv6 address (`::` and an embedded IPv4 allowed).
    static func parseIPv6(_ input: Substring) -> [UInt16]? {
        let chars = Array(input.unicodeScalars)
        var pieces = [UInt16](repeating: 0, count: 8)
        var pieceIndex = 0
        var compress: Int?
        var pointer = 0
        if chars.first == ":" {
            guard chars.count > 1, chars[1] == ":" else { return nil }
            pointer = 2
            pieceIndex = 1
            compress = 1
        }
        while pointer < chars.count {
            guard pieceIndex < 8 else { return nil }
            if chars[pointer] == ":" {
                guard compress == nil else { return nil }
                pointer += 1
                pieceIndex += 1
                compress = pieceIndex
                continue
            }
            var value: UInt32 = 0
            var length = 0
            while length < 4, pointer < chars.count, let digit = hexValue(chars[pointer]) {
                value = value * 16 + digit
                pointer += 1
                length += 1
            }
            if pointer < chars.count, chars[pointer] == "." {
                guard length > 0 else { return nil }
                pointer -= length
                guard pieceIndex <= 6 else { return nil }
                var numbersSeen = 0
                while pointer < chars.count {
                    var ipv4Piece: UInt32?
                    if numbersSeen > 0 {
                        guard chars[pointer] == ".", numbersSeen < 4 else { return nil }
                        pointer += 1
                    }
                    guard pointer < chars.count, ("0"..."9").contains(chars[pointer]) else { return nil }
                    while pointer < chars.count, ("0"..."9").contains(chars[pointer]) {
                        let number = chars[pointer].value - 0x30
                        if let current = ipv4Piece {
                            guard current != 0 else { return nil }
                            ipv4Piece = current * 10 + number
                        } else {
                            ipv4Piece = number
                        }
                        guard let checked = ipv4Piece, checked <= 255 else { return nil }
                        pointer += 1
                    }
                    pieces[pieceIndex] = pieces[pieceIndex] &* 0x100 &+ UInt16(ipv4Piece ?? 0)
                    numbersSeen += 1
                    if numbersSeen == 2 || numbersSeen == 4 { pieceIndex += 1 }
                }
                guard numbersSeen == 4 else { return nil }
                break
            } else if pointer < chars.count, chars[pointer] == ":" {
                pointer += 1
                guard pointer < chars.count else { return nil }
            } else if pointer < chars.count {
                return nil
            }
            pieces[pieceIndex] = UInt16(value)
            pieceIndex += 1
        }
        if let compress {
            var swaps = pieceIndex - compress
            pieceIndex = 7
            while pieceIndex != 0 && swaps > 0 {
                pieces.swapAt(pieceIndex, compress + swaps - 1)
                pieceIndex -= 1
                swaps -= 1
            }
        } else if pieceIndex != 8 {
            return nil
        }
        return pieces
    }

    private static func hexValue(_ scalar: Unicode.Scalar) -> UInt32? {
        guard scalar.isASCII, let value = PercentEncoding.hexValue(UInt8(scalar.value)) else { return nil }
        return UInt32(value)
    }

    /// The shortest form: lower-case hex, the longest run of two or more zero pieces as `::`.
    static func serializeIPv6(_ pieces: [UInt16]) -> String {
        var bestStart = -1
        var bestLength = 1
        var index = 0
        while index < 8 {
            if pieces[index] == 0 {
                var end = index
                while end < 8, pieces[end] == 0 { end += 1 }
                if end - index > bestLength {
                    bestStart = index
                    bestLength = end - index
                }
                index = end
            } else {
                index += 1
            }
        }
        var output = ""
        var ignore0 = false
        for index in 0..<8 {
            if ignore0 && pieces[index] == 0 { continue }
            ignore0 = false
            if bestStart == index {
                output += index == 0 ? "::" : ":"
                ignore0 = true
                continue
            }
            output += String(pieces[index], radix: 16)
            if index != 7 { output += ":" }
        }
        return output
    }
}
