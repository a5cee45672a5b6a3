#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// A cookie jar following RFC 6265: domain and host-only matching, paths, `Secure`,
/// `Expires` and `Max-Age`.
///
/// A client keeps one and updates it from every response, redirect hops included:
///
/// ```swift
/// let client = AsyncClient(cookies: ["session": "abc"])
/// _ = try await client.get("https://httpbin.org/cookies/set?flavour=oat")
/// try client.cookies.get("flavour")       // "oat"
/// client.cookies.set("theme", "dark", domain: "httpbin.org")
/// ```
public struct Cookies: Sendable, Sequence, ExpressibleByDictionaryLiteral, CustomStringConvertible {
    /// The stored cookies, in the order they were first set.
    public private(set) var all: [Cookie] = []

    /// Creates an empty jar.
    public init() {}

    /// A jar of cookies sent to every host and path, as `Client(cookies=dict)` gives in httpx.
    public init(_ values: [String: String]) {
        for (name, value) in values.sorted(by: { $0.key < $1.key }) { set(name, value) }
    }

    public init(dictionaryLiteral elements: (String, String)...) {
        for (name, value) in elements { set(name, value) }
    }

    /// The number of cookies.
    public var count: Int { all.count }

    /// Whether the jar is empty.
    public var isEmpty: Bool { all.isEmpty }

    /// Sets a cookie; an existing cookie of the same name, domain and path is replaced.
    ///
    /// With no domain the cookie is sent to every host.
    public mutating func set(_ name: String, _ value: String, domain: String = "", path: String = "/") {
        store(Cookie(name: name, value: value, domain: domain, path: path, isHostOnly: false))
    }

    /// Stores `cookie`, replacing one of the same name, domain and path (keeping its creation
    /// time); an expired cookie removes that one instead.
    public mutating func store(_ cookie: Cookie, now: Date = Date()) {
        var cookie = cookie
        if let index = all.firstIndex(where: { $0.name == cookie.name && $0.domain == cookie.domain && $0.path == cookie.path }) {
            cookie.created = all[index].created
            all.remove(at: index)
            if !cookie.isExpired(at: now) { all.insert(cookie, at: index) }
        } else if !cookie.isExpired(at: now) {
            all.append(cookie)
        }
    }

    /// The value of the cookie `name`, optionally limited to a domain and path.
    ///
    /// - Throws: ``HTTPXError/Kind/cookieConflict`` when more than one cookie matches with
    ///   different values.
    public func get(_ name: String, domain: String? = nil, path: String? = nil) throws -> String? {
        let found = filter(name: name, domain: domain, path: path)
        if found.isEmpty { return nil }
        if Set(found.map(\.value)).count > 1 {
            throw HTTPXError(
                .cookieConflict,
                "Multiple cookies exist with name=\(name) (domains: \(found.map { $0.domain.isEmpty ? "any" : $0.domain }.joined(separator: ", "))); pass a domain or path to choose one")
        }
        return found[0].value
    }

    /// The cookie value for `name` when exactly one value exists; setting it sets a cookie for
    /// every host, and `nil` deletes every cookie of that name.
    public subscript(name: String) -> String? {
        get { try? get(name) }
        set {
            if let newValue { set(name, newValue) } else { delete(name) }
        }
    }

    /// Deletes the cookies named `name`, optionally only for a domain and path.
    public mutating func delete(_ name: String, domain: String? = nil, path: String? = nil) {
        all.removeAll { Self.selects($0, name: name, domain: domain, path: path) }
    }

    /// Deletes every cookie, or only those of a domain (and path).
    public mutating func clear(domain: String? = nil, path: String? = nil) {
        all.removeAll { Self.selects($0, name: nil, domain: domain, path: path) }
    }

    /// Adds every cookie of `other`, replacing those with the same name, domain and path.
    public mutating func update(_ other: Cookies) {
        for cookie in other.all { store(cookie) }
    }

    /// Stores the cookies that `Set-Cookie` headers of a response from `url` set.
    public mutating func extract(from headers: Headers, for url: HTTPURL, now: Date = Date()) {
        for header in headers.values(for: "Set-Cookie") {
            if let cookie = SetCookieParser.parse(header, from: url, now: now) { store(cookie, now: now) }
        }
        all.removeAll { $0.isExpired(at: now) }
    }

    /// The `Cookie` header for a request to `url`: the matching cookies, longer paths first,
    /// then older ones first; `nil` when none match.
    public func header(for url: HTTPURL, now: Date = Date()) -> String? {
        let matching = all.enumerated().filter { $0.element.matches(url, at: now) }
            .sorted { lhs, rhs in
                if lhs.element.path.count != rhs.element.path.count { return lhs.element.path.count > rhs.element.path.count }
                if lhs.element.created != rhs.element.created { return lhs.element.created < rhs.element.created }
                return lhs.offset < rhs.offset
            }
        if matching.isEmpty { return nil }
        return matching.map { $0.element.value.isEmpty && $0.element.name.isEmpty ? "" : "\($0.element.name)=\($0.element.value)" }
            .joined(separator: "; ")
    }

    public func makeIterator() -> IndexingIterator<[Cookie]> {
        all.makeIterator()
    }

    public var description: String {
        "<Cookies[" + all.map(\.description).joined(separator: ", ") + "]>"
    }

    private func filter(name: String, domain: String?, path: String?) -> [Cookie] {
        all.filter { Self.selects($0, name: name, domain: domain, path: path) }
    }

    private static func selects(_ cookie: Cookie, name: String?, domain: String?, path: String?) -> Bool {
        (name == nil || cookie.name == name) && (domain == nil || cookie.domain == domain?.lowercased())
            && (path == nil || cookie.path == path)
    }
}

extension Response {
    /// The cookies this response's `Set-Cookie` headers set.
    public var cookies: Cookies {
        var jar = Cookies()
        jar.extract(from: headers, for: url)
        return jar
    }
}
