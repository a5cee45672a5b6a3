/// A character encoding used to decode response text.
///
/// Seven encodings are built in; any other charset the C library's iconv knows (Shift_JIS,
/// GBK, EUC-KR, KOI8-R, windows-1251, ...) is decoded through iconv.
///
/// ```swift
/// TextEncoding(charset: "ISO-8859-1")   // .latin1
/// TextEncoding(charset: "Shift_JIS")    // "shift_jis", through iconv
/// TextEncoding.utf8.decode([0x68, 0x69]) // "hi"
/// ```
public struct TextEncoding: Hashable, Sendable, CustomStringConvertible {
    enum Kind: Hashable, Sendable {
        case utf8, latin1, ascii, windows1252, utf16LE, utf16BE, utf16
        /// Any other charset, converted to UTF-8 by iconv from this iconv name.
        case iconv(String)
    }

    let kind: Kind
    /// The encoding's canonical name, as a charset parameter would give it.
    public let name: String

    init(_ kind: Kind, _ name: String) {
        self.kind = kind
        self.name = name
    }

    public static let utf8 = TextEncoding(.utf8, "utf-8")
    public static let latin1 = TextEncoding(.latin1, "iso-8859-1")
    public static let ascii = TextEncoding(.ascii, "ascii")
    public static let windows1252 = TextEncoding(.windows1252, "windows-1252")
    public static let utf16LE = TextEncoding(.utf16LE, "utf-16le")
    public static let utf16BE = TextEncoding(.utf16BE, "utf-16be")
    /// UTF-16 with a byte-order mark, big-endian when it has none.
    public static let utf16 = TextEncoding(.utf16, "utf-16")

    /// The encoding a charset label names (WHATWG labels, any case), or `nil` if unknown.
    ///
    /// Labels beyond the seven built-in encodings are decoded through iconv, when it knows them.
    public init?(charset: String) {
        let label = charset.trimmingSpaces.lowercased().trimmingCharacters(quotes: true)
        switch label {
        case "utf-8", "utf8", "unicode-1-1-utf-8": self = .utf8
        case "iso-8859-1", "iso8859-1", "latin1", "latin-1", "l1", "iso_8859-1", "cp819":
            self = .latin1
        case "us-ascii", "ascii", "ansi_x3.4-1968": self = .ascii
        case "windows-1252", "cp1252", "x-cp1252": self = .windows1252
        case "utf-16le": self = .utf16LE
        case "utf-16be": self = .utf16BE
        case "utf-16", "utf16": self = .utf16
        default:
            guard let encoding = TextEncoding.iconvEncoding(label: label) else { return nil }
            self = encoding
        }
    }

    public var description: String { name }

    /// Decodes `bytes`, replacing invalid sequences with U+FFFD.
    public func decode(_ bytes: some Collection<UInt8>) -> String {
        switch kind {
        case .utf8:
            return String(decoding: bytes, as: UTF8.self)
        case .latin1:
            return String(String.UnicodeScalarView(bytes.map { Unicode.Scalar($0) }))
        case .ascii:
            return String(String.UnicodeScalarView(bytes.map { $0 < 0x80 ? Unicode.Scalar($0) : "\u{FFFD}" }))
        case .windows1252:
            return String(String.UnicodeScalarView(bytes.map(Self.windows1252Scalar)))
        case .utf16LE, .utf16BE, .utf16:
            return decodeUTF16(Array(bytes))
        case .iconv(let iconvName):
            return TextEncoding.decodeWithIconv(Array(bytes), from: iconvName)
        }
    }

    private func decodeUTF16(_ bytes: [UInt8]) -> String {
        var littleEndian = kind == .utf16LE
        var start = 0
        if kind == .utf16, bytes.count >= 2 {
            if bytes[0] == 0xFF && bytes[1] == 0xFE { littleEndian = true; start = 2 }
            if bytes[0] == 0xFE && bytes[1] == 0xFF { start = 2 }
        }
        var units: [UInt16] = []
        units.reserveCapacity(bytes.count / 2)
        var index = start
        while index + 1 < bytes.count {
            let a = UInt16(bytes[index]), b = UInt16(bytes[index + 1])
            units.append(littleEndian ? a | b << 8 : a << 8 | b)
            index += 2
        }
        var text = String(decoding: units, as: UTF16.self)
        if index < bytes.count { text.append("\u{FFFD}") }
        return text
    }

    private static func windows1252Scalar(_ byte: UInt8) -> Unicode.Scalar {
        guard (0x80...0x9F).contains(byte) else { return Unicode.Scalar(byte) }
        let table: [UInt32] = [
            0x20AC, 0xFFFD, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160, 0x2039,
            0x0152, 0xFFFD, 0x017D, 0xFFFD, 0xFFFD, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
            0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0xFFFD, 0x017E, 0x0178,
        ]
        return Unicode.Scalar(table[Int(byte - 0x80)]) ?? "\u{FFFD}"
    }

    /// The length of the longest prefix of `bytes` that holds only complete characters, so a
    /// streaming decoder can keep the rest for the next chunk.
    func completePrefixLength(_ bytes: [UInt8]) -> Int {
        switch kind {
        case .utf8:
            var index = bytes.count - 1
            var steps = 0
            while index >= 0 && steps < 4 {
                let byte = bytes[index]
                if byte & 0xC0 != 0x80 {
                    let needed = byte >= 0xF0 ? 4 : byte >= 0xE0 ? 3 : byte >= 0xC0 ? 2 : 1
                    return bytes.count - index >= needed ? bytes.count : index
                }
                index -= 1
                steps += 1
            }
            return bytes.count
        case .utf16LE, .utf16BE, .utf16:
            return bytes.count - bytes.count % 2
        case .iconv(let iconvName):
            return TextEncoding.iconvCompletePrefixLength(bytes, from: iconvName)
        default:
            return bytes.count
        }
    }
}

/// How a client picks an encoding for text whose `Content-Type` names no charset.
///
/// ```swift
/// let client = AsyncClient(.init(defaultEncoding: .encoding(.latin1)))
/// let sniffing = AsyncClient(.init(defaultEncoding: .detector { bytes in
///     bytes.starts(with: [0xFF, 0xFE]) ? .utf16LE : nil
/// }))
/// ```
public enum DefaultEncoding: Sendable {
    /// Always this encoding.
    case encoding(TextEncoding)
    /// A function that looks at the body and names an encoding, or `nil` for UTF-8.
    case detector(@Sendable ([UInt8]) -> TextEncoding?)

    /// UTF-8, httpx's default.
    public static let utf8 = DefaultEncoding.encoding(.utf8)
}

extension String {
    func trimmingCharacters(quotes: Bool) -> String {
        guard quotes, count >= 2, hasPrefix("\""), hasSuffix("\"") else { return self }
        return String(dropFirst().dropLast())
    }
}
