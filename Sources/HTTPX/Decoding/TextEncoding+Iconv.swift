#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Charsets beyond the seven built-in encodings, decoded by the C library's iconv: the WHATWG
/// labels mapped to iconv names, and conversion to UTF-8 through a converter opened for each
/// call (an `iconv_t` is not thread-safe).
extension TextEncoding {
    /// A charset decoded through iconv: its canonical (lower-case) name, and the iconv names to
    /// try in order, the first closest to what browsers decode.
    private struct IconvCharset: Sendable {
        let name: String
        let iconvNames: [String]
    }

    /// The WHATWG multi-byte and single-byte encodings whose labels differ from iconv's names.
    private static let iconvLabels: [String: IconvCharset] = {
        let groups: [(name: String, iconvNames: [String], labels: [String])] = [
            (
                "shift_jis", ["CP932", "WINDOWS-31J", "SHIFT_JIS"],
                [
                    "csshiftjis", "ms932", "ms_kanji", "shift-jis", "shift_jis", "sjis", "windows-31j", "x-sjis",
                    "cp932",
                ]
            ),
            ("euc-jp", ["EUC-JP"], ["cseucpkdfmtjapanese", "euc-jp", "x-euc-jp"]),
            ("iso-2022-jp", ["ISO-2022-JP"], ["csiso2022jp", "iso-2022-jp"]),
            (
                "gbk", ["GBK", "GB18030"],
                [
                    "chinese", "csgb2312", "csiso58gb231280", "gb2312", "gb_2312", "gb_2312-80", "gbk", "iso-ir-58",
                    "x-gbk", "cp936",
                ]
            ),
            ("gb18030", ["GB18030"], ["gb18030"]),
            ("big5", ["BIG5-HKSCS", "BIG5"], ["big5", "big5-hkscs", "cn-big5", "csbig5", "x-x-big5"]),
            (
                "euc-kr", ["CP949", "UHC", "EUC-KR"],
                [
                    "cseuckr", "csksc56011987", "euc-kr", "iso-ir-149", "korean", "ks_c_5601-1987", "ks_c_5601-1989",
                    "ksc5601", "ksc_5601", "windows-949", "cp949",
                ]
            ),
            ("ibm866", ["IBM866", "CP866"], ["866", "cp866", "csibm866", "ibm866"]),
            ("koi8-r", ["KOI8-R"], ["cskoi8r", "koi", "koi8", "koi8-r", "koi8_r"]),
            ("koi8-u", ["KOI8-U"], ["koi8-ru", "koi8-u"]),
            ("macintosh", ["MACINTOSH", "MAC"], ["csmacintosh", "mac", "macintosh", "x-mac-roman"]),
            ("x-mac-cyrillic", ["MAC-CYRILLIC", "MACCYRILLIC"], ["x-mac-cyrillic", "x-mac-ukrainian"]),
            (
                "windows-874", ["CP874", "WINDOWS-874", "TIS-620"],
                ["dos-874", "iso-8859-11", "iso8859-11", "iso885911", "tis-620", "windows-874"]
            ),
            ("iso-8859-2", ["ISO-8859-2"], ["csisolatin2", "iso-ir-101", "l2", "latin2"]),
            ("iso-8859-3", ["ISO-8859-3"], ["csisolatin3", "iso-ir-109", "l3", "latin3"]),
            ("iso-8859-4", ["ISO-8859-4"], ["csisolatin4", "iso-ir-110", "l4", "latin4"]),
            ("iso-8859-5", ["ISO-8859-5"], ["csisolatincyrillic", "cyrillic", "iso-ir-144"]),
            (
                "iso-8859-6", ["ISO-8859-6"],
                ["arabic", "asmo-708", "csiso88596e", "csiso88596i", "csisolatinarabic", "ecma-114", "iso-ir-127"]
            ),
            (
                "iso-8859-7", ["ISO-8859-7"],
                ["csisolatingreek", "ecma-118", "elot_928", "greek", "greek8", "iso-ir-126", "sun_eu_greek"]
            ),
            ("iso-8859-8", ["ISO-8859-8"], ["csiso88598e", "csisolatinhebrew", "hebrew", "iso-ir-138", "visual"]),
            ("iso-8859-8-i", ["ISO-8859-8"], ["csiso88598i", "iso-8859-8-i", "logical"]),
            ("iso-8859-10", ["ISO-8859-10"], ["csisolatin6", "iso-ir-157", "l6", "latin6"]),
            ("iso-8859-15", ["ISO-8859-15"], ["csisolatin9", "l9"]),
        ]
        var table: [String: IconvCharset] = [:]
        for group in groups {
            for label in group.labels { table[label] = IconvCharset(name: group.name, iconvNames: group.iconvNames) }
        }
        return table
    }()

    /// `iso-8859-N` and `windows-125N` in their many spellings (`iso8859-2`, `iso_8859-2:1987`,
    /// `cp1251`, `x-cp1250`).
    private static func numberedCharset(_ label: String) -> IconvCharset? {
        for prefix in ["iso-8859-", "iso_8859-", "iso8859-", "iso8859"] where label.hasPrefix(prefix) {
            let digits = label.dropFirst(prefix.count).prefix(while: { $0.isASCII && $0.isNumber })
            if let number = Int(digits),
                (2...16).contains(number)
            {
                return IconvCharset(name: "iso-8859-\(number)", iconvNames: ["ISO-8859-\(number)"])
            }
        }
        for prefix in ["windows-", "x-cp", "cp"] where label.hasPrefix(prefix) {
            if let number = Int(label.dropFirst(prefix.count)), (1250...1258).contains(number) {
                return IconvCharset(name: "windows-\(number)", iconvNames: ["CP\(number)", "WINDOWS-\(number)"])
            }
        }
        return nil
    }

    /// The iconv-decoded encoding `label` (trimmed, lower-case) names, or `nil` when iconv does
    /// not know it. Other labels are tried with iconv as they are, named by the label.
    static func iconvEncoding(label: String) -> TextEncoding? {
        // No empty name (iconv's "the locale's charset"), no `//IGNORE`-style suffixes.
        let allowed = label.utf8.allSatisfy { byte in
            (0x61...0x7A).contains(byte) || (0x30...0x39).contains(byte) || "-_.:+".utf8.contains(byte)
        }
        guard !label.isEmpty, label.utf8.count <= 64, allowed else { return nil }
        let charset = iconvLabels[label] ?? numberedCharset(label)
            ?? IconvCharset(name: label, iconvNames: [label.uppercased()])
        guard let iconvName = charset.iconvNames.first(where: { canOpenIconv($0) }) else { return nil }
        return TextEncoding(.iconv(iconvName), charset.name)
    }

    /// Decodes `bytes` from the iconv encoding `iconvName`, replacing an invalid byte, and an
    /// incomplete sequence at the end, with U+FFFD.
    static func decodeWithIconv(_ bytes: [UInt8], from iconvName: String) -> String {
        guard !bytes.isEmpty else { return "" }
        guard let converted = convertWithIconv(bytes, from: iconvName, stopAtIncomplete: false) else {
            return String(decoding: bytes, as: UTF8.self)
        }
        return String(decoding: converted.utf8, as: UTF8.self)
    }

    /// The length of the prefix of `bytes` before an incomplete sequence at the end. For a
    /// stateful encoding (ISO-2022, UTF-7, UTF-16 or UTF-32 with a byte-order mark), whose state a
    /// later chunk would lose, 0: the text is kept whole until the end.
    static func iconvCompletePrefixLength(_ bytes: [UInt8], from iconvName: String) -> Int {
        let letters = String(iconvName.uppercased().filter { $0.isLetter || $0.isNumber })
        let endianFree = ["UTF16", "UTF32", "UCS2", "UCS4", "UNICODE"].contains { letters.hasPrefix($0) }
            && !letters.hasSuffix("LE") && !letters.hasSuffix("BE")
        if endianFree || letters.contains("2022") || letters.hasPrefix("UTF7") || letters.hasPrefix("HZ") {
            return 0
        }
        return convertWithIconv(bytes, from: iconvName, stopAtIncomplete: true)?.consumed ?? bytes.count
    }

    private static func canOpenIconv(_ iconvName: String) -> Bool {
        #if canImport(Glibc) || canImport(Darwin)
        guard let converter = openIconv(iconvName) else { return false }
        _ = iconv_close(converter)
        return true
        #else
        return false
        #endif
    }

    #if canImport(Glibc) || canImport(Darwin)
    /// A converter from `iconvName` to UTF-8, or `nil` if iconv does not know the name.
    private static func openIconv(_ iconvName: String) -> iconv_t? {
        guard let converter = iconv_open("UTF-8", iconvName), Int(bitPattern: converter) != -1 else { return nil }
        return converter
    }
    #endif

    /// `bytes` converted to UTF-8, and how many of them were consumed: all, unless
    /// `stopAtIncomplete` and they end in an incomplete sequence. `nil` if iconv cannot open.
    private static func convertWithIconv(
        _ bytes: [UInt8], from iconvName: String, stopAtIncomplete: Bool
    ) -> (utf8: [UInt8], consumed: Int)? {
        #if canImport(Glibc) || canImport(Darwin)
        guard let converter = openIconv(iconvName) else { return nil }
        defer { _ = iconv_close(converter) }
        let replacement: [UInt8] = [0xEF, 0xBF, 0xBD]
        var utf8: [UInt8] = []
        utf8.reserveCapacity(bytes.count + bytes.count / 2 + 16)
        var input = bytes
        var scratch = [UInt8](repeating: 0, count: 4096)
        let consumed = input.withUnsafeMutableBufferPointer { inputBytes -> Int in
            scratch.withUnsafeMutableBufferPointer { scratchBytes -> Int in
                guard let scratchStart = scratchBytes.baseAddress else { return 0 }
                let outStart = UnsafeMutableRawPointer(scratchStart).assumingMemoryBound(to: CChar.self)
                var inPointer = inputBytes.baseAddress.map {
                    UnsafeMutableRawPointer($0).assumingMemoryBound(to: CChar.self)
                }
                var inLeft = inputBytes.count
                var outPointer: UnsafeMutablePointer<CChar>? = outStart
                var outLeft = scratchBytes.count
                while inLeft > 0 {
                    outPointer = outStart
                    outLeft = scratchBytes.count
                    let result = iconv(converter, &inPointer, &inLeft, &outPointer, &outLeft)
                    let error = errno
                    let written = scratchBytes.count - outLeft
                    utf8.append(contentsOf: UnsafeBufferPointer(start: scratchStart, count: written))
                    if result != -1 || error == E2BIG { continue }
                    if error == EINVAL && stopAtIncomplete { return inputBytes.count - inLeft }
                    utf8.append(contentsOf: replacement)
                    if error == EINVAL {
                        inLeft = 0  // an incomplete sequence at the end: one U+FFFD for it
                    } else {
                        inPointer = inPointer.map { $0 + 1 }  // EILSEQ: skip the byte
                        inLeft -= 1
                    }
                }
                // Some decoders hold back a character that a combining mark could follow.
                outPointer = outStart
                outLeft = scratchBytes.count
                _ = iconv(converter, nil, nil, &outPointer, &outLeft)
                utf8.append(contentsOf: UnsafeBufferPointer(start: scratchStart, count: scratchBytes.count - outLeft))
                return inputBytes.count
            }
        }
        return (utf8, consumed)
        #else
        return nil
        #endif
    }
}
