/// Colours HTML and XML (tags, attributes, comments) and JavaScript (keywords, strings,
/// numbers, comments) for the terminal, as httpx's CLI does with its syntax highlighter.
struct MarkupHighlighter {
    let style: Style

    /// The body's language, by its media type.
    enum Language {
        case markup, javaScript
    }

    static func language(ofContentType contentType: String) -> Language? {
        let type = contentType.lowercased()
        if type.contains("html") || type.contains("xml") { return .markup }
        if type.contains("javascript") || type.contains("ecmascript") { return .javaScript }
        return nil
    }

    func highlight(_ text: String, as language: Language) -> String {
        guard style.enabled else { return text }
        switch language {
        case .markup: return markup(Array(text.unicodeScalars))
        case .javaScript: return javaScript(Array(text.unicodeScalars))
        }
    }

    // MARK: Markup

    private func markup(_ s: [Unicode.Scalar]) -> String {
        var out = ""
        var i = 0
        while i < s.count {
            if starts(s, i, "<!--") {
                let end = find(s, from: i + 4, "-->").map { $0 + 3 } ?? s.count
                out += style.dim(string(s, i, end))
                i = end
            } else if s[i] == "<" {
                let end = tagEnd(s, from: i)
                out += tag(Array(s[i..<end]))
                i = end
            } else {
                let next = s[i...].firstIndex(of: "<") ?? s.count
                out += string(s, i, next)
                i = next
            }
        }
        return out
    }

    /// One tag: its name in blue, attribute names in cyan, quoted values in green.
    private func tag(_ t: [Unicode.Scalar]) -> String {
        var out = ""
        var i = 0
        var nameDone = false
        while i < t.count {
            let c = t[i]
            if c == "\"" || c == "'" {
                let close = t[(i + 1)...].firstIndex(of: c).map { $0 + 1 } ?? t.count
                out += style.string(string(t, i, close))
                i = close
            } else if isNameScalar(c) {
                var j = i
                while j < t.count, isNameScalar(t[j]) { j += 1 }
                let word = string(t, i, j)
                out += nameDone ? style.headerName(word) : style.key(word)
                nameDone = true
                i = j
            } else {
                out += style.key(String(c))
                i += 1
            }
        }
        return out
    }

    private func tagEnd(_ s: [Unicode.Scalar], from start: Int) -> Int {
        var i = start + 1
        var quote: Unicode.Scalar?
        while i < s.count {
            if let open = quote {
                if s[i] == open { quote = nil }
            } else if s[i] == "\"" || s[i] == "'" {
                quote = s[i]
            } else if s[i] == ">" {
                return i + 1
            }
            i += 1
        }
        return s.count
    }

    private func isNameScalar(_ c: Unicode.Scalar) -> Bool {
        c.properties.isAlphabetic || ("0"..."9").contains(c) || c == "-" || c == ":" || c == "_" || c == "."
    }

    // MARK: JavaScript

    private static let keywords: Set<String> = [
        "break", "case", "catch", "class", "const", "continue", "default", "delete", "do", "else", "export",
        "extends", "false", "finally", "for", "function", "if", "import", "in", "instanceof", "let", "new",
        "null", "return", "super", "switch", "this", "throw", "true", "try", "typeof", "undefined", "var",
        "void", "while", "yield", "async", "await", "of",
    ]

    private func javaScript(_ s: [Unicode.Scalar]) -> String {
        var out = ""
        var i = 0
        while i < s.count {
            let c = s[i]
            if starts(s, i, "//") {
                let end = s[i...].firstIndex(of: "\n") ?? s.count
                out += style.dim(string(s, i, end))
                i = end
            } else if starts(s, i, "/*") {
                let end = find(s, from: i + 2, "*/").map { $0 + 2 } ?? s.count
                out += style.dim(string(s, i, end))
                i = end
            } else if c == "\"" || c == "'" || c == "`" {
                var j = i + 1
                while j < s.count, s[j] != c {
                    j += s[j] == "\\" ? 2 : 1
                }
                let end = min(j + 1, s.count)
                out += style.string(string(s, i, end))
                i = end
            } else if ("0"..."9").contains(c) {
                var j = i
                while j < s.count, s[j].properties.isAlphabetic || ("0"..."9").contains(s[j]) || s[j] == "." { j += 1 }
                out += style.number(string(s, i, j))
                i = j
            } else if c.properties.isAlphabetic || c == "_" || c == "$" {
                var j = i
                while j < s.count, s[j].properties.isAlphabetic || ("0"..."9").contains(s[j]) || s[j] == "_" || s[j] == "$" {
                    j += 1
                }
                let word = string(s, i, j)
                out += Self.keywords.contains(word) ? style.literal(word) : word
                i = j
            } else {
                out.unicodeScalars.append(c)
                i += 1
            }
        }
        return out
    }

    // MARK: Helpers

    private func starts(_ s: [Unicode.Scalar], _ i: Int, _ prefix: String) -> Bool {
        let p = Array(prefix.unicodeScalars)
        return i + p.count <= s.count && Array(s[i..<(i + p.count)]) == p
    }

    private func find(_ s: [Unicode.Scalar], from start: Int, _ needle: String) -> Int? {
        let n = Array(needle.unicodeScalars)
        guard start <= s.count - n.count else { return nil }
        for i in start...(s.count - n.count) where Array(s[i..<(i + n.count)]) == n { return i }
        return nil
    }

    private func string(_ s: [Unicode.Scalar], _ from: Int, _ to: Int) -> String {
        var text = ""
        text.unicodeScalars.append(contentsOf: s[from..<to])
        return text
    }
}
