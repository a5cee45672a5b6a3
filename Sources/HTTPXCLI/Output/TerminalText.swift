/// Text from a server made safe to show on a terminal: control characters other than newline
/// and tab (escape sequences that could move the cursor, rewrite the screen, retitle the
/// window or set the clipboard) are shown as `\x1b`-style escapes instead of being sent raw.
enum TerminalText {
    static func visible(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: isControl) else { return text }
        var result = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            if isControl(scalar) {
                let hex = String(scalar.value, radix: 16)
                result.append(contentsOf: ("\\x" + (hex.count < 2 ? "0" + hex : hex)).unicodeScalars)
            } else {
                result.append(scalar)
            }
        }
        return String(result)
    }

    /// C0 controls but newline and tab, DEL, and the C1 controls (U+0080 to U+009F, which
    /// include a one-character CSI).
    private static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        let value = scalar.value
        if value == 0x0A || value == 0x09 { return false }
        return value < 0x20 || (0x7F...0x9F).contains(value)
    }
}
