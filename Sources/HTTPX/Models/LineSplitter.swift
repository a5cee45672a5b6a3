/// Splits text that arrives in pieces into lines at `\n`, `\r\n` and `\r`, as HTTP and the
/// server-sent events format define them: a `\r` at the end of one piece waits to see whether
/// the next one starts with `\n`.
struct LineSplitter {
    private var partial: [Unicode.Scalar] = []
    private var pendingCR = false

    /// The lines that `text` completes.
    mutating func feed(_ text: String) -> [String] {
        var lines: [String] = []
        for scalar in text.unicodeScalars {
            if pendingCR {
                pendingCR = false
                if scalar == "\n" { continue }
            }
            switch scalar {
            case "\n":
                lines.append(take())
            case "\r":
                lines.append(take())
                pendingCR = true
            default:
                partial.append(scalar)
            }
        }
        return lines
    }

    /// The last line, if the text did not end with a line ending.
    mutating func finish() -> [String] {
        pendingCR = false
        return partial.isEmpty ? [] : [take()]
    }

    private mutating func take() -> String {
        var line = String.UnicodeScalarView()
        line.append(contentsOf: partial)
        partial.removeAll(keepingCapacity: true)
        return String(line)
    }
}
