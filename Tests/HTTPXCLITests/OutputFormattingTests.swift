import Testing

@testable import HTTPXCLI

/// The CLI's body formatting on its own, without a server: `--json` as sent, and the colours
/// of HTML, XML and JavaScript bodies on a terminal.
@Suite("CLI output formatting")
struct OutputFormattingTests {
    let colour = Style(enabled: true)

    @Test("--json is re-encoded compactly, strings and key order untouched")
    func jsonIsMinified() {
        #expect(JSONMinifier.minify(#"{ "b" : 1,  "a" : [ 1, 2.50 ,true ] }"#) == #"{"b":1,"a":[1,2.50,true]}"#)
        #expect(JSONMinifier.minify("{\n\t\"s\": \" keep  \\\" spaces \"\n}") == #"{"s":" keep  \" spaces "}"#)
        #expect(JSONMinifier.minify(#"["\\", " "]"#) == #"["\\"," "]"#)
    }

    @Test("Bodies are coloured by their media type")
    func languageByMediaType() {
        #expect(MarkupHighlighter.language(ofContentType: "text/html; charset=utf-8") == .markup)
        #expect(MarkupHighlighter.language(ofContentType: "application/xhtml+xml") == .markup)
        #expect(MarkupHighlighter.language(ofContentType: "application/javascript") == .javaScript)
        #expect(MarkupHighlighter.language(ofContentType: "text/ecmascript") == .javaScript)
        #expect(MarkupHighlighter.language(ofContentType: "text/plain") == nil)
    }

    @Test("JavaScript: keywords, strings, numbers and comments each get their colour")
    func javaScript() {
        let highlighter = MarkupHighlighter(style: colour)
        let source = "const x = 'a\\'b'; // note\nif (x) return 42; /* c */ name"
        let out = highlighter.highlight(source, as: .javaScript)
        #expect(out.contains(colour.literal("const")))
        #expect(out.contains(colour.literal("if")) && out.contains(colour.literal("return")))
        #expect(out.contains(colour.string("'a\\'b'")), "an escaped quote stays inside the string")
        #expect(out.contains(colour.dim("// note")))
        #expect(out.contains(colour.dim("/* c */")))
        #expect(out.contains(colour.number("42")))
        #expect(!out.contains(colour.literal("name")) && out.hasSuffix(" name"), "other names stay plain")
        // An unterminated string or comment ends the text, without reading past it.
        #expect(highlighter.highlight("'open", as: .javaScript) == colour.string("'open"))
        #expect(highlighter.highlight("/* open", as: .javaScript) == colour.dim("/* open"))
        #expect(highlighter.highlight("'\\", as: .javaScript) == colour.string("'\\"))
    }

    @Test("HTML and XML: tags, attributes and comments are coloured, text is not")
    func markup() {
        let highlighter = MarkupHighlighter(style: colour)
        let out = highlighter.highlight(#"<!-- hi --><p class="x">text &amp; more</p>"#, as: .markup)
        #expect(out.contains(colour.dim("<!-- hi -->")))
        #expect(out.contains("text &amp; more"))
        #expect(out.contains(colour.string(#""x""#)))
        #expect(out != #"<!-- hi --><p class="x">text &amp; more</p>"#)
        // Broken markup is passed on whole.
        for broken in ["<p", "<!-- open", "<a href=\"x", "<<>>"] {
            let coloured = highlighter.highlight(broken, as: .markup)
            #expect(coloured.replacingANSI() == broken)
        }
    }

    @Test("Without a terminal nothing is coloured")
    func plainWithoutColour() {
        let plain = MarkupHighlighter(style: Style(enabled: false))
        #expect(plain.highlight("const x = 1", as: .javaScript) == "const x = 1")
        #expect(plain.highlight("<p>x</p>", as: .markup) == "<p>x</p>")
    }
}

extension String {
    /// The text without its ANSI colour sequences.
    fileprivate func replacingANSI() -> String {
        var out = ""
        var scalars = unicodeScalars.makeIterator()
        while let c = scalars.next() {
            if c == "\u{1B}" {
                while let d = scalars.next(), d != "m" {}
            } else {
                out.unicodeScalars.append(c)
            }
        }
        return out
    }
}
