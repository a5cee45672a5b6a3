/// Percent-encoding as RFC 3986 and the WHATWG form encoding define it.
enum PercentEncoding {
    /// Which bytes may stay unescaped in a given part of a URL.
    struct Allowed: Sendable {
        fileprivate let table: [Bool]

        fileprivate init(_ extra: String, keepPercent: Bool) {
            var table = [Bool](repeating: false, count: 128)
            for byte in UInt8(ascii: "a")...UInt8(ascii: "z") { table[Int(byte)] = true }
            for byte in UInt8(ascii: "A")...UInt8(ascii: "Z") { table[Int(byte)] = true }
            for byte in UInt8(ascii: "0")...UInt8(ascii: "9") { table[Int(byte)] = true }
            for byte in "-._~".utf8 { table[Int(byte)] = true }
            for byte in extra.utf8 { table[Int(byte)] = true }
            if keepPercent { table[Int(UInt8(ascii: "%"))] = true }
            self.table = table
        }

        func contains(_ byte: UInt8) -> Bool {
            byte < 128 && table[Int(byte)]
        }

        /// Unreserved characters only: what `quote(safe="")` keeps, for form and query values.
        static let unreserved = Allowed("", keepPercent: false)
        /// Path characters, keeping existing escapes.
        static let path = Allowed("!$&'()*+,;=:@/", keepPercent: true)
        /// Query characters, keeping existing escapes.
        static let query = Allowed("!$&'()*+,;=:@/?", keepPercent: true)
        /// Fragment characters, keeping existing escapes.
        static let fragment = Allowed("!$&'()*+,;=:@/?#", keepPercent: true)
        /// Characters of a registered host name (RFC 3986 reg-name), with escapes.
        static let host = Allowed("!$&'()*+,;=", keepPercent: true)
        /// Userinfo characters, keeping existing escapes.
        static let userinfo = Allowed("!$&'()*+,;=:", keepPercent: true)
    }

    private static let hexDigits = Array("0123456789ABCDEF".utf8)

    /// Escapes every byte of `string`'s UTF-8 that `allowed` does not contain.
    static func encode(_ string: String, allowed: Allowed, spaceAsPlus: Bool = false) -> String {
        if string.utf8.allSatisfy(allowed.contains) { return string }
        var output: [UInt8] = []
        output.reserveCapacity(string.utf8.count * 3)
        for byte in string.utf8 {
            if allowed.contains(byte) {
                output.append(byte)
            } else if spaceAsPlus && byte == UInt8(ascii: " ") {
                output.append(UInt8(ascii: "+"))
            } else {
                output.append(UInt8(ascii: "%"))
                output.append(hexDigits[Int(byte >> 4)])
                output.append(hexDigits[Int(byte & 0x0F)])
            }
        }
        return String(decoding: output, as: UTF8.self)
    }

    /// Form encoding of one name or value: unreserved characters kept, spaces as `+`.
    static func formEncode(_ string: String) -> String {
        encode(string, allowed: .unreserved, spaceAsPlus: true)
    }

    /// Decodes `%XX` escapes (and `+` as a space when `plusAsSpace`); invalid escapes stay.
    static func decode(_ string: String, plusAsSpace: Bool = false) -> String {
        guard string.utf8.contains(UInt8(ascii: "%")) || (plusAsSpace && string.utf8.contains(UInt8(ascii: "+")))
        else { return string }
        let bytes = Array(string.utf8)
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count)
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "%"), index + 2 < bytes.count,
                let high = hexValue(bytes[index + 1]), let low = hexValue(bytes[index + 2])
            {
                output.append(high << 4 | low)
                index += 3
            } else {
                output.append(plusAsSpace && byte == UInt8(ascii: "+") ? UInt8(ascii: " ") : byte)
                index += 1
            }
        }
        return String(decoding: output, as: UTF8.self)
    }

    static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
