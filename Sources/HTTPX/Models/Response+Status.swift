extension Response {
    /// 1xx.
    public var isInformational: Bool { (100..<200).contains(statusCode) }
    /// 2xx.
    public var isSuccess: Bool { (200..<300).contains(statusCode) }
    /// 3xx.
    public var isRedirectStatus: Bool { (300..<400).contains(statusCode) }
    /// 4xx.
    public var isClientError: Bool { (400..<500).contains(statusCode) }
    /// 5xx.
    public var isServerError: Bool { (500..<600).contains(statusCode) }
    /// 4xx or 5xx.
    public var isError: Bool { (400..<600).contains(statusCode) }

    /// Whether this is a redirect a client can follow: 301, 302, 303, 307 or 308 with a
    /// `Location` header.
    public var isRedirect: Bool {
        [301, 302, 303, 307, 308].contains(statusCode) && headers.contains("Location")
    }

    /// Throws ``HTTPXError/Kind/httpStatus`` unless the status is 2xx, with httpx's message;
    /// returns the response so calls chain.
    ///
    /// ```swift
    /// let data = try await client.get(url).raiseForStatus().json(as: Repo.self)
    /// ```
    @discardableResult
    public func raiseForStatus() throws -> Response {
        if isSuccess { return self }
        let kind: String
        switch statusCode {
        case 100..<200: kind = "Informational response"
        case 300..<400: kind = "Redirect response"
        case 400..<500: kind = "Client error"
        case 500..<600: kind = "Server error"
        default: kind = "Invalid status code"
        }
        var message = "\(kind) '\(statusCode) \(reasonPhrase)' for url '\(url.redacted)'"
        if isRedirect, let location = headers.first("Location") {
            message += "\nRedirect location: '\(location)'"
        }
        message += "\nFor more information check: https://developer.mozilla.org/en-US/docs/Web/HTTP/Status/\(statusCode)"
        throw HTTPXError(.httpStatus, message, request: request, response: self)
    }
}

extension Response {
    /// The `Link` header parsed (RFC 8288), keyed by `rel` (or by URL when there is none).
    ///
    /// ```swift
    /// r.links["next"]?["url"]   // "https://api.example.com/items?page=2"
    /// ```
    public var links: [String: [String: String]] {
        guard let header = headers["Link"] else { return [:] }
        var result: [String: [String: String]] = [:]
        for link in Self.splitLinks(header) {
            var parts = Self.splitOutsideQuotes(link, separator: ";")
            guard !parts.isEmpty else { continue }
            let target = parts.removeFirst().trimmingSpaces
            guard target.hasPrefix("<"), target.hasSuffix(">") else { continue }
            var entry = ["url": String(target.dropFirst().dropLast())]
            for parameter in parts {
                let pair = parameter.split(separator: "=", maxSplits: 1)
                guard let key = pair.first?.trimmingSpaces.lowercased(), !key.isEmpty else { continue }
                let value = pair.count > 1 ? String(pair[1].trimmingSpaces).trimmingCharacters(quotes: true) : ""
                entry[key] = value
            }
            result[entry["rel"] ?? entry["url"] ?? ""] = entry
        }
        return result
    }

    private static func splitLinks(_ header: String) -> [String] {
        var links: [String] = []
        var current = ""
        var inBrackets = false
        var inQuotes = false
        for character in header {
            switch character {
            case "<" where !inQuotes: inBrackets = true
            case ">" where !inQuotes: inBrackets = false
            case "\"" where !inBrackets: inQuotes.toggle()
            case "," where !inBrackets && !inQuotes:
                links.append(current)
                current = ""
                continue
            default: break
            }
            current.append(character)
        }
        if !current.trimmingSpaces.isEmpty { links.append(current) }
        return links
    }

    private static func splitOutsideQuotes(_ text: String, separator: Character) -> [String] {
        var parts: [String] = []
        var current = ""
        var inQuotes = false
        for character in text {
            if character == "\"" { inQuotes.toggle() }
            if character == separator && !inQuotes {
                parts.append(current)
                current = ""
            } else {
                current.append(character)
            }
        }
        parts.append(current)
        return parts
    }
}
