/// Secondary cache keys (RFC 9111 §4.1): which request header fields a stored response was
/// selected by, and a hash of their normalised values.
enum CacheVary {
    /// The field names a response's `Vary` nominates: lower case, each once, sorted; `["*"]`
    /// when it varies on everything.
    static func names(in headers: Headers) -> [String] {
        var found = Set<String>()
        for value in headers.values(for: "Vary") {
            for item in value.split(separator: ",") {
                let name = item.trimmingSpaces.lowercased()
                if name == "*" { return ["*"] }
                if !name.isEmpty { found.insert(name) }
            }
        }
        return found.sorted()
    }

    /// Whether the headers vary on everything (`Vary: *`): such a response is never reused.
    static func variesOnEverything(_ headers: Headers) -> Bool {
        names(in: headers) == ["*"]
    }

    /// The secondary key of `request` for the nominated `names`: empty when there are none,
    /// otherwise a SHA-256 of each name with its normalised value (the field lines joined by
    /// commas, spaces around the commas and at the ends removed), so credentials such as
    /// `Authorization` or `Cookie` are never kept in the clear. An absent field differs from an
    /// empty one.
    static func key(for request: Request, names: [String]) -> String {
        if names.isEmpty { return "" }
        var text = ""
        for name in names {
            let values = request.headers.values(for: name)
            if values.isEmpty {
                text += name + "\u{0}\n"
                continue
            }
            let normalised = values.flatMap { $0.split(separator: ",", omittingEmptySubsequences: false) }
                .map { String($0.trimmingSpaces) }
                .joined(separator: ",")
            text += name + ":" + normalised + "\n"
        }
        return CacheHash.sha256Hex(text)
    }

    /// Whether `entry` was stored for a request that matches `request` in the fields its
    /// `Vary` nominates.
    static func matches(_ entry: CacheEntry, _ request: Request) -> Bool {
        let nominated = Self.names(in: entry.headers)
        if nominated == ["*"] { return false }
        return key(for: request, names: nominated) == entry.variantKey
    }
}
