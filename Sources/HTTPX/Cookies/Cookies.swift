#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// A cookie jar following RFC 6265: domain and host-only matching, paths, `Secure`,
/// `Expires` and `Max-Age`, with the protections of RFC 6265bis and browsers: no cookie for a
/// public suffix, plain HTTP cannot replace a `Secure` cookie, and the jar is bounded.
///
/// A client keeps one and updates it from every response, redirect hops included:
///
/// ```swift
/// let client = AsyncClient(.init(cookies: ["session": "abc"]))
/// _ = try await client.get("https://httpbin.org/cookies/set?flavour=oat")
/// try client.cookies.get("flavour")       // "oat"
/// client.cookies.set("theme", "dark", domain: "httpbin.org")
/// ```
///
/// It holds at most ``maxCookiesPerDomain`` cookies per registrable domain and ``maxCookies``
/// in all, dropping the oldest first, as browsers do; storing a cookie takes constant time.
public struct Cookies: Sendable, Sequence, ExpressibleByDictionaryLiteral, CustomStringConvertible {
    /// The most cookies kept for one registrable domain (`example.co.uk`), as Chrome and
    /// Firefox keep.
    public static let maxCookiesPerDomain = 180
    /// The most cookies kept in all.
    public static let maxCookies = 3000
    /// The largest cookie kept: name and value of at most this many bytes.
    public static let maxCookieSize = 4096

    private struct EntryKey: Hashable {
        let name: String
        let domain: String
        let path: String
        init(_ cookie: Cookie) {
            name = cookie.name
            domain = cookie.domain
            path = cookie.path
        }
    }

    private struct Entry {
        var cookie: Cookie
        /// When it was first stored, for order and eviction.
        let order: Int
    }

    /// Keys in the order they were stored, oldest first. Entries removed since are skipped
    /// when met (their order no longer matches), so each is handled once: constant time.
    private struct AgeQueue {
        private var items: [(order: Int, key: EntryKey)] = []
        private var start = 0

        mutating func append(_ order: Int, _ key: EntryKey) { items.append((order, key)) }

        /// Removes and returns the oldest key still `current`.
        mutating func popOldest(where current: (Int, EntryKey) -> Bool) -> EntryKey? {
            defer {
                if start > 64 && start * 2 > items.count {
                    items.removeFirst(start)
                    start = 0
                }
            }
            while start < items.count {
                let (order, key) = items[start]
                start += 1
                if current(order, key) { return key }
            }
            return nil
        }
    }

    private var entries: [EntryKey: Entry] = [:]
    private var nextOrder = 0
    private var age = AgeQueue()
    private var ageByDomain: [String: AgeQueue] = [:]
    /// How many cookies each registrable domain holds.
    private var perDomain: [String: Int] = [:]

    /// The stored cookies, in the order they were first set.
    public var all: [Cookie] {
        entries.values.sorted { $0.order < $1.order }.map(\.cookie)
    }

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
    public var count: Int { entries.count }

    /// Whether the jar is empty.
    public var isEmpty: Bool { entries.isEmpty }

    /// Sets a cookie; an existing cookie of the same name, domain and path is replaced.
    ///
    /// With no domain the cookie is sent to every host.
    public mutating func set(_ name: String, _ value: String, domain: String = "", path: String = "/") {
        store(Cookie(name: name, value: value, domain: domain, path: path, isHostOnly: false))
    }

    /// Stores `cookie`, replacing one of the same name, domain and path (keeping its creation
    /// time); an expired cookie removes that one instead. The oldest cookies of its domain, or
    /// of the jar, make room when a limit is reached.
    public mutating func store(_ cookie: Cookie, now: Date = Date()) {
        var cookie = cookie
        let key = EntryKey(cookie)
        if let existing = entries[key] {
            if cookie.isExpired(at: now) {
                remove(key)
                return
            }
            cookie.created = existing.cookie.created
            entries[key]?.cookie = cookie
            return
        }
        if cookie.isExpired(at: now) { return }
        let group = Self.group(of: cookie.domain)
        entries[key] = Entry(cookie: cookie, order: nextOrder)
        age.append(nextOrder, key)
        ageByDomain[group, default: AgeQueue()].append(nextOrder, key)
        nextOrder += 1
        perDomain[group, default: 0] += 1
        if perDomain[group, default: 0] > Self.maxCookiesPerDomain, let oldest = popOldest(in: group) {
            remove(oldest)
        }
        if entries.count > Self.maxCookies, let oldest = popOldest(in: nil) {
            remove(oldest)
        }
    }

    /// The oldest stored key, of one registrable domain or of any, taken off its queue. (The
    /// copy of `entries` ends here, before the caller removes the key, so nothing is copied.)
    private mutating func popOldest(in group: String?) -> EntryKey? {
        let entries = self.entries
        let current = { (order: Int, key: EntryKey) in entries[key]?.order == order }
        guard let group else { return age.popOldest(where: current) }
        return ageByDomain[group]?.popOldest(where: current)
    }

    /// The registrable domain a cookie counts against.
    private static func group(of domain: String) -> String {
        PublicSuffixList.shared.registrableDomain(domain) ?? domain
    }

    private mutating func remove(_ key: EntryKey) {
        guard let removed = entries.removeValue(forKey: key) else { return }
        let group = Self.group(of: removed.cookie.domain)
        perDomain[group, default: 1] -= 1
        if perDomain[group] == 0 {
            perDomain.removeValue(forKey: group)
            ageByDomain.removeValue(forKey: group)
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
        for (key, entry) in entries where Self.selects(entry.cookie, name: name, domain: domain, path: path) {
            remove(key)
        }
    }

    /// Deletes every cookie, or only those of a domain (and path).
    public mutating func clear(domain: String? = nil, path: String? = nil) {
        for (key, entry) in entries where Self.selects(entry.cookie, name: nil, domain: domain, path: path) {
            remove(key)
        }
    }

    /// Adds every cookie of `other`, replacing those with the same name, domain and path.
    public mutating func update(_ other: Cookies) {
        for cookie in other.all { store(cookie) }
    }

    /// Stores the cookies that `Set-Cookie` headers of a response from `url` set.
    ///
    /// Over plain HTTP, a cookie that would replace or shadow a `Secure` one of the same name
    /// (domains matching either way, paths overlapping) is ignored, as RFC 6265bis says: a
    /// network attacker must not overwrite what only HTTPS could set.
    public mutating func extract(from headers: Headers, for url: HTTPURL, now: Date = Date()) {
        let secureOrigin = url.scheme == "https" || url.scheme == "wss"
        for header in headers.values(for: "Set-Cookie") {
            guard let cookie = SetCookieParser.parse(header, from: url, now: now) else { continue }
            if !secureOrigin && !cookie.isSecure && shadowsSecureCookie(cookie) { continue }
            store(cookie, now: now)
        }
        for (key, entry) in entries where entry.cookie.isExpired(at: now) { remove(key) }
    }

    /// RFC 6265bis §5.7, "leave secure cookies alone".
    private func shadowsSecureCookie(_ cookie: Cookie) -> Bool {
        entries.values.contains { entry in
            let existing = entry.cookie
            return existing.isSecure && existing.name == cookie.name
                && (Cookie.domainMatches(host: existing.domain, domain: cookie.domain)
                    || Cookie.domainMatches(host: cookie.domain, domain: existing.domain))
                && Cookie.pathMatches(requestPath: cookie.path, cookiePath: existing.path)
        }
    }

    /// The `Cookie` header for a request to `url`: the matching cookies, longer paths first,
    /// then older ones first; `nil` when none match.
    public func header(for url: HTTPURL, now: Date = Date()) -> String? {
        if entries.isEmpty { return nil }
        var matching: [(pathLength: Int, created: Date, order: Int, key: EntryKey)] = []
        for (key, entry) in entries where entry.cookie.matches(url, at: now) {
            matching.append((entry.cookie.path.utf8.count, entry.cookie.created, entry.order, key))
        }
        if matching.isEmpty { return nil }
        matching.sort { lhs, rhs in
            if lhs.pathLength != rhs.pathLength { return lhs.pathLength > rhs.pathLength }
            if lhs.created != rhs.created { return lhs.created < rhs.created }
            return lhs.order < rhs.order
        }
        var header = ""
        for (index, match) in matching.enumerated() {
            guard let cookie = entries[match.key]?.cookie else { continue }
            if index > 0 { header += "; " }
            if !(cookie.value.isEmpty && cookie.name.isEmpty) {
                header += cookie.name
                header += "="
                header += cookie.value
            }
        }
        return header
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
