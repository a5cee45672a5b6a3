extension HTTPURL {
    /// Builds a URL from its parts, given as people write them (a path with spaces, a Unicode
    /// host): each is percent-encoded or mapped as the URL standard says, and the result is
    /// parsed as any URL is, so it is valid or this throws.
    ///
    /// ```swift
    /// let url = try HTTPURL(scheme: "https", host: "bücher.example", path: "/a b", params: ["q": 1])
    /// url.description   // "https://xn--bcher-kva.example/a%20b?q=1"
    /// ```
    ///
    /// - Throws: ``HTTPXError/Kind/invalidURL`` when a part is not valid.
    public init(
        scheme: String, username: String = "", password: String = "", host: String, port: Int? = nil,
        path: String = "/", query: String? = nil, params: QueryParams? = nil, fragment: String? = nil
    ) throws {
        var text = scheme + "://"
        if !username.isEmpty || !password.isEmpty {
            text += SpecialURLParser.encode(username[...], .userinfo)
            if !password.isEmpty { text += ":" + SpecialURLParser.encode(password[...], .userinfo) }
            text += "@"
        }
        text += host.contains(":") && !host.hasPrefix("[") ? "[\(host)]" : host
        if let port { text += ":\(port)" }
        let encodedPath = SpecialURLParser.encode(path[...], .path)
        text += encodedPath.hasPrefix("/") || encodedPath.isEmpty ? encodedPath : "/" + encodedPath
        if let params, !params.isEmpty {
            text += "?" + params.description
        } else if let query {
            text += "?" + SpecialURLParser.encode(query[...], .specialQuery)
        }
        if let fragment { text += "#" + SpecialURLParser.encode(fragment[...], .fragment) }
        self = try URLParser.parse(text)
    }

    /// The same URL with the parts given replaced: httpx's `copy_with`. New parts are given as
    /// people write them (the parts kept are already encoded, and stay so) and encoded as ``init(scheme:username:password:host:port:path:query:params:fragment:)``
    /// encodes them; `port: .some(nil)` removes the port, `query: .some(nil)` the query.
    ///
    /// ```swift
    /// let url = try HTTPURL("https://example.org/a?x=1")
    /// try url.replacing(path: "/b c", query: .some(nil)).description   // "https://example.org/b%20c"
    /// ```
    ///
    /// - Throws: ``HTTPXError/Kind/invalidURL`` when the result is not a valid URL.
    public func replacing(
        scheme: String? = nil, username: String? = nil, password: String? = nil, host: String? = nil,
        port: Int?? = nil, path: String? = nil, query: String?? = nil, fragment: String?? = nil
    ) throws -> HTTPURL {
        guard isAbsolute else {
            throw HTTPXError(.invalidURL, "Cannot replace the parts of the relative URL '\(redacted)'; join it to a base first")
        }
        return try HTTPURL(
            scheme: scheme ?? self.scheme, username: username ?? self.username, password: password ?? self.password,
            host: host ?? self.host, port: port ?? self.port, path: path ?? self.path,
            query: query ?? self.query, fragment: fragment ?? self.fragment)
    }

    /// The path with its percent-escapes decoded (httpx's `url.path`); ``path`` is the path as
    /// it goes on the wire.
    ///
    /// ```swift
    /// try HTTPURL("https://example.org/a%20b/%C3%A9").decodedPath   // "/a b/é"
    /// ```
    public var decodedPath: String {
        PercentEncoding.decode(path)
    }
}
