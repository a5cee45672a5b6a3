/// The directives of `Cache-Control` header fields (RFC 9111 §5.2), parsed leniently.
///
/// Every `Cache-Control` field of the headers counts, in order. Directive names are compared
/// without regard to case; arguments may be tokens or quoted strings (`max-age="60"` is read as
/// `max-age=60`, and a comma inside quotes does not split); when a directive repeats, its first
/// occurrence wins (RFC 9111 §4.2.1).
///
/// ```swift
/// let cc = CacheControl(parsing: #"max-age=60, no-cache="Set-Cookie, X-Token", Private"#)
/// cc.maxAge            // 60
/// cc.noCache           // true (a field list is treated as plain no-cache)
/// cc.isPrivate         // true
/// cc.value(of: "no-cache")   // "Set-Cookie, X-Token"
/// ```
///
/// Delta-seconds arguments (`max-age`, `s-maxage`, `max-stale`, `min-fresh`, `stale-if-error`)
/// larger than 2³¹ are read as 2³¹ (RFC 9111 §1.2.2); an invalid one (negative, not a number)
/// is read as 0, the most restrictive value: an invalid `max-age` makes a response stale, as
/// RFC 9111 §4.2.1 encourages.
public struct CacheControl: Sendable, Hashable, CustomStringConvertible {
    /// One directive: its name in lower case and its argument, unquoted (`nil` when it has none).
    public struct Directive: Sendable, Hashable {
        /// The name in lower case, such as `max-age`.
        public var name: String
        /// The argument, with quotes and escapes removed; `nil` when the directive has none.
        public var value: String?

        /// A directive named `name` (give it in lower case, as parsing does), with the argument
        /// `value` unquoted, or none.
        public init(name: String, value: String? = nil) {
            self.name = name
            self.value = value
        }
    }

    /// The directives in the order they appeared, repeats included.
    public private(set) var directives: [Directive]

    /// The largest delta-seconds value a cache must represent (RFC 9111 §1.2.2).
    public static let maxDeltaSeconds = Int(clamping: Int64(1) << 31)

    /// No directives.
    public init() {
        directives = []
    }

    /// The directives of every `Cache-Control` field in `headers`.
    public init(_ headers: Headers) {
        directives = []
        for value in headers.values(for: "Cache-Control") {
            directives.append(contentsOf: Self.parse(value))
        }
    }

    /// The directives of one field value.
    public init(parsing value: String) {
        directives = Self.parse(value)
    }

    /// Whether the directive `name` (in any case) is present.
    public func contains(_ name: String) -> Bool {
        let wanted = name.lowercased()
        return directives.contains { $0.name == wanted }
    }

    /// The argument of the first `name` directive; `nil` when it is absent or has no argument.
    public func value(of name: String) -> String? {
        let wanted = name.lowercased()
        return directives.first { $0.name == wanted }?.value
    }

    /// The first `name` directive's argument as delta-seconds: `nil` when the directive is
    /// absent, 0 when its argument is missing or invalid, at most ``maxDeltaSeconds``.
    public func seconds(_ name: String) -> Int? {
        let wanted = name.lowercased()
        guard let directive = directives.first(where: { $0.name == wanted }) else { return nil }
        return Self.deltaSeconds(directive.value)
    }

    /// `max-age`: how long a response stays fresh, or (in a request) the oldest response the
    /// client accepts.
    public var maxAge: Int? { seconds("max-age") }
    /// `s-maxage`: `max-age` for shared caches only.
    public var sMaxAge: Int? { seconds("s-maxage") }
    /// `max-stale` in a request: how stale a response may be. Without an argument, any
    /// staleness: ``maxDeltaSeconds``.
    public var maxStale: Int? {
        guard let directive = directives.first(where: { $0.name == "max-stale" }) else { return nil }
        guard let value = directive.value else { return Self.maxDeltaSeconds }
        return Self.deltaSeconds(value)
    }
    /// `min-fresh` in a request: the response must stay fresh at least this much longer.
    public var minFresh: Int? { seconds("min-fresh") }
    /// `stale-if-error` (RFC 5861): how stale a response may be served when the origin fails.
    public var staleIfError: Int? { seconds("stale-if-error") }

    /// `no-cache`: a stored response must be validated before each use (in a request: the
    /// client wants a validated one). A field list (`no-cache="Set-Cookie"`) counts as plain
    /// `no-cache`, as most caches treat it.
    public var noCache: Bool { contains("no-cache") }
    /// `no-store`: neither the request nor its response may be stored.
    public var noStore: Bool { contains("no-store") }
    /// `private`: only a private cache may store the response (a field list counts as plain
    /// `private`).
    public var isPrivate: Bool { contains("private") }
    /// `public`: any cache may store the response, even one it would not store otherwise.
    public var isPublic: Bool { contains("public") }
    /// `must-revalidate`: once stale, the response must not be used without validation.
    public var mustRevalidate: Bool { contains("must-revalidate") }
    /// `proxy-revalidate`: `must-revalidate` for shared caches only.
    public var proxyRevalidate: Bool { contains("proxy-revalidate") }
    /// `must-understand`: store the response only if its status code is understood.
    public var mustUnderstand: Bool { contains("must-understand") }
    /// `only-if-cached` in a request: answer from the cache or with 504, never the origin.
    public var onlyIfCached: Bool { contains("only-if-cached") }
    /// `no-transform`.
    public var noTransform: Bool { contains("no-transform") }
    /// `immutable` (RFC 8246).
    public var immutable: Bool { contains("immutable") }

    /// The directives as a field value: `max-age=60, private`.
    public var description: String {
        directives.map { directive -> String in
            guard let value = directive.value else { return directive.name }
            let isToken = !value.isEmpty && value.utf8.allSatisfy(HTTPToken.isTokenByte)
            if isToken { return "\(directive.name)=\(value)" }
            let escaped = value.replacingBackslashesAndQuotes()
            return "\(directive.name)=\"\(escaped)\""
        }.joined(separator: ", ")
    }

    /// A delta-seconds argument: a run of digits, clamped to ``maxDeltaSeconds``; 0 for
    /// anything else (surrounding spaces aside).
    static func deltaSeconds(_ text: String?) -> Int {
        guard let text else { return 0 }
        let digits = text.trimmingSpaces.utf8
        guard !digits.isEmpty, digits.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) else { return 0 }
        var value = 0
        for digit in digits {
            let next = Int(digit - UInt8(ascii: "0"))
            if value > (maxDeltaSeconds - next) / 10 { return maxDeltaSeconds }
            value = value * 10 + next
        }
        return value
    }

    /// Splits a field value into directives: commas separate them, except inside quotes.
    static func parse(_ value: String) -> [Directive] {
        let bytes = Array(value.utf8)
        var result: [Directive] = []
        var index = 0
        func isBlank(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 }
        while index < bytes.count {
            // Skip separators and spaces before the name.
            while index < bytes.count, isBlank(bytes[index]) || bytes[index] == UInt8(ascii: ",") { index += 1 }
            guard index < bytes.count else { break }
            let nameStart = index
            while index < bytes.count, bytes[index] != UInt8(ascii: "="), bytes[index] != UInt8(ascii: ",") { index += 1 }
            var nameEnd = index
            while nameEnd > nameStart, isBlank(bytes[nameEnd - 1]) { nameEnd -= 1 }
            let name = String(decoding: bytes[nameStart..<nameEnd], as: UTF8.self).lowercased()
            var argument: String?
            if index < bytes.count, bytes[index] == UInt8(ascii: "=") {
                index += 1
                while index < bytes.count, isBlank(bytes[index]) { index += 1 }
                if index < bytes.count, bytes[index] == UInt8(ascii: "\"") {
                    // A quoted string: backslash escapes the next byte; an unterminated one
                    // runs to the end.
                    index += 1
                    var unquoted: [UInt8] = []
                    while index < bytes.count, bytes[index] != UInt8(ascii: "\"") {
                        if bytes[index] == UInt8(ascii: "\\"), index + 1 < bytes.count { index += 1 }
                        unquoted.append(bytes[index])
                        index += 1
                    }
                    if index < bytes.count { index += 1 }
                    argument = String(decoding: unquoted, as: UTF8.self)
                    // Anything between the closing quote and the next comma is dropped.
                    while index < bytes.count, bytes[index] != UInt8(ascii: ",") { index += 1 }
                } else {
                    let valueStart = index
                    while index < bytes.count, bytes[index] != UInt8(ascii: ",") { index += 1 }
                    var valueEnd = index
                    while valueEnd > valueStart, isBlank(bytes[valueEnd - 1]) { valueEnd -= 1 }
                    argument = String(decoding: bytes[valueStart..<valueEnd], as: UTF8.self)
                }
            }
            if !name.isEmpty { result.append(Directive(name: name, value: argument)) }
        }
        return result
    }
}

extension String {
    /// The text with `\` and `"` escaped by a backslash, for a quoted string.
    fileprivate func replacingBackslashesAndQuotes() -> String {
        var result = ""
        for character in self {
            if character == "\\" || character == "\"" { result.append("\\") }
            result.append(character)
        }
        return result
    }
}
