extension HTTPURL {
    /// Resolves `reference` against this URL as RFC 3986 §5.2 does (what a browser does with a
    /// link or a `Location` header).
    ///
    /// ```swift
    /// let base = try HTTPURL("http://a/b/c/d;p?q")
    /// try base.join("../g").description   // "http://a/b/g"
    /// try base.join("//c/d").description  // "http://c/d"
    /// ```
    ///
    /// Against an http, https, ws or wss URL the reference is resolved as the WHATWG URL
    /// standard says (`\\` as `/`, `http:path` as a relative path).
    public func join(_ reference: String) throws -> HTTPURL {
        try URLParser.parse(reference, base: self)
    }

    /// Resolves an already parsed reference against this URL (RFC 3986 §5.2.2).
    public func resolve(_ reference: HTTPURL) -> HTTPURL {
        var target = reference
        if !reference.scheme.isEmpty {
            target.path = Self.removeDotSegments(reference.path)
            return target
        }
        target.scheme = scheme
        if reference.hasAuthority {
            target.path = Self.removeDotSegments(reference.path)
            return target
        }
        target.userinfo = userinfo
        target.rawHost = rawHost
        target.port = port
        target.hasAuthority = hasAuthority
        if reference.path.isEmpty {
            target.path = path
            target.query = reference.query ?? query
        } else if reference.path.hasPrefix("/") {
            target.path = Self.removeDotSegments(reference.path)
        } else {
            target.path = Self.removeDotSegments(merge(reference.path))
        }
        return target
    }

    /// Appends a relative URL to a client's base URL the way httpx does: the base path acts
    /// as a directory, and a leading `/` of the relative path does not reset it.
    ///
    /// `http://x.org/api` + `/users` gives `http://x.org/api/users`.
    func appendingToBase(_ relative: HTTPURL) -> HTTPURL {
        var merged = self
        var basePath = path
        if !basePath.hasSuffix("/") { basePath += "/" }
        var relativePath = Substring(relative.path)
        while relativePath.hasPrefix("/") { relativePath = relativePath.dropFirst() }
        merged.path = Self.removeDotSegments(basePath + relativePath)
        merged.query = relative.query
        merged.fragment = relative.fragment
        return merged
    }

    private func merge(_ referencePath: String) -> String {
        if hasAuthority && path.isEmpty { return "/" + referencePath }
        guard let slash = path.lastIndex(of: "/") else { return referencePath }
        return String(path[...slash]) + referencePath
    }

    /// RFC 3986 §5.2.4: removes `.` and `..` segments (and their percent-encoded forms `%2e`,
    /// as the WHATWG URL standard does for http and https).
    static func removeDotSegments(_ path: String) -> String {
        guard mayHaveDotSegments(path) else { return path }
        var output: [Substring] = []
        let segments = path.split(separator: "/", omittingEmptySubsequences: false)
        for (index, segment) in segments.enumerated() {
            let isLast = index == segments.count - 1
            switch dotSegment(segment) {
            case 1:
                if isLast { output.append("") }
            case 2:
                if output.count > 1 || (output.count == 1 && !output[0].isEmpty) { output.removeLast() }
                if isLast { output.append("") }
            default:
                output.append(segment)
            }
        }
        var result = output.joined(separator: "/")
        if path.hasPrefix("/") && !result.hasPrefix("/") { result = "/" + result }
        return result
    }

    /// Whether a segment starts with `.` or `%` (a quick test that spares most paths, such as
    /// `/files/a.txt`, the split and join).
    private static func mayHaveDotSegments(_ path: String) -> Bool {
        var previous: UInt8 = UInt8(ascii: "/")
        for byte in path.utf8 {
            if previous == UInt8(ascii: "/"), byte == UInt8(ascii: ".") || byte == UInt8(ascii: "%") { return true }
            previous = byte
        }
        return false
    }

    /// 1 for `.`, 2 for `..` (either written `%2e` in any case), 0 for any other segment.
    static func dotSegment(_ segment: Substring) -> Int {
        guard segment.utf8.count <= 6,
            segment.utf8.first == UInt8(ascii: ".") || segment.utf8.first == UInt8(ascii: "%")
        else { return 0 }
        switch segment.lowercased() {
        case ".", "%2e": return 1
        case "..", ".%2e", "%2e.", "%2e%2e": return 2
        default: return 0
        }
    }
}
