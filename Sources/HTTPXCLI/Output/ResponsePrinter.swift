#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import HTTPX

/// Prints requests and responses as a person likes to read them.
struct ResponsePrinter {
    let style: Style
    /// Whether output goes to a terminal, where a server's control characters are escaped.
    var sanitize = false

    /// Server text as it may be shown.
    private func shown(_ text: String) -> String {
        sanitize ? TerminalText.visible(text) : text
    }

    /// The request line and headers, as sent over `httpVersion`.
    func request(_ request: Request, httpVersion: String = "HTTP/1.1") -> String {
        var text = style.apply("1", "\(request.method.rawValue) \(request.target) \(httpVersion)") + "\n"
        if !request.headers.contains("Host") {
            text += "\(style.headerName("Host")): \(request.url.netloc)\n"
        }
        for (name, value) in request.headers {
            text += "\(style.headerName(name)): \(value)\n"
        }
        return text + "\n"
    }

    /// Which proxy a request goes through, and how (never with the proxy's password).
    func proxy(_ proxy: Proxy, for request: Request) -> String {
        let how: String
        switch proxy.route(for: request.url) {
        case .forward: how = "forwarded"
        case .tunnel: how = "tunnelled with CONNECT \(request.url.host):\(request.url.effectivePort ?? 0)"
        case .socks: how = "tunnelled with SOCKS5"
        }
        return style.dim("* Via proxy \(proxy.url) (\(how))") + "\n"
    }

    /// The status line and headers.
    func head(_ response: Response) -> String {
        var text = style.status("\(response.httpVersion) \(response.statusCode) \(shown(response.reasonPhrase))", code: response.statusCode) + "\n"
        for (name, value) in response.headers {
            text += "\(style.headerName(shown(name))): \(shown(value))\n"
        }
        return text
    }

    /// The body: JSON pretty-printed, HTML, XML and JavaScript coloured, other text as it is,
    /// binary data summarised.
    func body(_ response: Response) -> String {
        let content = (try? response.content) ?? []
        guard !content.isEmpty else { return "" }
        guard Self.isText(response, content: content) else {
            return style.dim("<\(content.count) bytes of binary data>") + "\n"
        }
        let text = shown((try? response.text) ?? "")
        if Self.isJSON(response), (try? JSONDecoder().decode(JSONValue.self, from: Data(content))) != nil {
            return JSONPrettyPrinter(style: style).format(text) + "\n"
        }
        var shownText = text
        if let language = MarkupHighlighter.language(ofContentType: response.headers["Content-Type"] ?? "") {
            shownText = MarkupHighlighter(style: style).highlight(text, as: language)
        }
        return shownText.hasSuffix("\n") ? shownText : shownText + "\n"
    }

    static func isJSON(_ response: Response) -> Bool {
        let type = (response.headers["Content-Type"] ?? "").lowercased()
        return type.contains("json")
    }

    /// Text by its media type or charset; without a type, UTF-8 without NUL bytes.
    static func isText(_ response: Response, content: [UInt8]) -> Bool {
        let type = (response.headers["Content-Type"] ?? "").lowercased()
        if response.charset != nil { return true }
        if type.hasPrefix("text/") { return true }
        for marker in ["json", "xml", "javascript", "x-www-form-urlencoded", "yaml", "csv"] where type.contains(marker) {
            return true
        }
        if !type.isEmpty { return false }
        return !content.contains(0) && String(validating: content, as: UTF8.self) != nil
    }
}
