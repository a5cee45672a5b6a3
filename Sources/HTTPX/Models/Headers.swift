/// HTTP header fields: a case-insensitive, ordered multi-map that keeps each name's casing.
///
/// Lookups ignore case, while iteration and the wire see the names as they were given.
/// Printing masks credentials:
///
/// ```swift
/// var headers: Headers = ["User-Agent": "my-app/0.0.1"]
/// headers.add("Accept", "application/json")
/// headers["authorization"] = "Bearer secret"
/// headers["user-agent"]        // "my-app/0.0.1"
/// print(headers)               // [User-Agent: my-app/0.0.1, Accept: ..., authorization: [secure]]
/// ```
public struct Headers: Hashable, Sendable, CustomStringConvertible, ExpressibleByDictionaryLiteral,
    ExpressibleByArrayLiteral, Sequence
{
    /// The fields in order, with names as given.
    public private(set) var fields: [(name: String, value: String)]

    /// Names whose values are printed as `[secure]`.
    static let sensitive: Set<String> = ["authorization", "proxy-authorization", "cookie", "set-cookie"]

    /// Creates empty headers.
    public init() {
        fields = []
    }

    /// Creates empty headers with room for `capacity` fields.
    init(capacity: Int) {
        fields = []
        fields.reserveCapacity(capacity)
    }

    /// Creates headers from pairs, in order; a name may repeat.
    public init(_ fields: [(String, String)]) {
        self.fields = fields.map { (name: $0.0, value: $0.1) }
    }

    public init(dictionaryLiteral elements: (String, String)...) {
        self.init(elements)
    }

    public init(arrayLiteral elements: (String, String)...) {
        self.init(elements)
    }

    /// The number of fields, counting repeats.
    public var count: Int { fields.count }

    /// Whether there are no fields.
    public var isEmpty: Bool { fields.isEmpty }

    /// Whether a field named `name` (in any case) is present.
    public func contains(_ name: String) -> Bool {
        fields.contains { Self.equalNames($0.name, name) }
    }

    /// The values of `name` joined by `, ` (as httpx does); setting replaces every field of
    /// that name, keeping the first one's position, and `nil` removes them.
    public subscript(name: String) -> String? {
        get {
            let values = self.values(for: name)
            return values.isEmpty ? nil : values.joined(separator: ", ")
        }
        set {
            if let newValue { set(name, newValue) } else { remove(name) }
        }
    }

    /// The first value of `name`.
    public func first(_ name: String) -> String? {
        fields.first { Self.equalNames($0.name, name) }?.value
    }

    /// How many fields are named `name`.
    func count(named name: String) -> Int {
        var count = 0
        for field in fields where Self.equalNames(field.name, name) { count += 1 }
        return count
    }

    /// Every value of `name`, in order (`Set-Cookie` lines stay separate here).
    public func values(for name: String) -> [String] {
        fields.compactMap { Self.equalNames($0.name, name) ? $0.value : nil }
    }

    /// Replaces every field named `name` with one field, at the first one's position.
    public mutating func set(_ name: String, _ value: String) {
        guard let first = fields.firstIndex(where: { Self.equalNames($0.name, name) }) else {
            fields.append((name: name, value: value))
            return
        }
        fields[first] = (name: name, value: value)
        var index = fields.count - 1
        while index > first {
            if Self.equalNames(fields[index].name, name) { fields.remove(at: index) }
            index -= 1
        }
    }

    /// Puts a field before the existing ones, keeping room for `spare` more (the framing
    /// fields a request gains next), so building a request's headers grows them once.
    mutating func prepend(_ name: String, _ value: String, spare: Int = 0) {
        var grown: [(name: String, value: String)] = []
        grown.reserveCapacity(fields.count + 1 + spare)
        grown.append((name: name, value: value))
        grown.append(contentsOf: fields)
        fields = grown
    }

    /// Adds a field after the existing ones, even if the name is already present.
    public mutating func add(_ name: String, _ value: String) {
        fields.append((name: name, value: value))
    }

    /// Whether a field named `name` lists `token` (case-insensitively) among its
    /// comma-separated values: `Connection: keep-alive, Close` has `close`.
    func hasToken(_ token: String, in name: String) -> Bool {
        let wanted = token.utf8
        for field in fields where Self.equalNames(field.name, name) {
            // Walk the value once: compare each comma-separated item, spaces trimmed, as it
            // passes (no array of parts is built).
            var matched = wanted.startIndex
            var state = 0  // 0: before the item, 1: in it and matching, 2: after it, 3: not it
            for byte in field.value.utf8 {
                if byte == UInt8(ascii: ",") {
                    if (state == 1 || state == 2) && matched == wanted.endIndex { return true }
                    (state, matched) = (0, wanted.startIndex)
                    continue
                }
                let blank = byte == 0x20 || byte == 0x09
                switch state {
                case 0 where blank: continue
                case 0, 1:
                    if blank {
                        state = 2
                    } else if matched != wanted.endIndex, Self.lowercase(byte) == Self.lowercase(wanted[matched]) {
                        matched = wanted.index(after: matched)
                        state = 1
                    } else {
                        state = 3
                    }
                case 2: if !blank { state = 3 }
                default: continue
                }
            }
            if (state == 1 || state == 2) && matched == wanted.endIndex { return true }
        }
        return false
    }

    private static func lowercase(_ byte: UInt8) -> UInt8 {
        byte >= 0x41 && byte <= 0x5A ? byte | 0x20 : byte
    }

    /// Removes every field named `name`.
    public mutating func remove(_ name: String) {
        fields.removeAll { Self.equalNames($0.name, name) }
    }

    /// These headers with `other` merged in: each name in `other` replaces this one's fields.
    public func merging(_ other: Headers) -> Headers {
        if other.fields.isEmpty { return self }
        if fields.isEmpty { return other }
        var result = self
        var replaced = Set<String>()
        for field in other.fields {
            let key = field.name.lowercased()
            if replaced.insert(key).inserted {
                result.set(field.name, field.value)
            } else {
                result.add(field.name, field.value)
            }
        }
        return result
    }

    /// Headers printed as `[Name: value, ...]`, with credentials shown as `[secure]`.
    public var description: String {
        "[" + fields.map { "\($0.name): \(Self.masked($0.name, $0.value))" }.joined(separator: ", ") + "]"
    }

    static func masked(_ name: String, _ value: String) -> String {
        sensitive.contains(name.lowercased()) ? "[secure]" : value
    }

    public func makeIterator() -> IndexingIterator<[(name: String, value: String)]> {
        fields.makeIterator()
    }

    /// ASCII case-insensitive name comparison, without allocating.
    static func equalNames(_ lhs: String, _ rhs: String) -> Bool {
        // Different lengths cannot match (UTF-8 counts are O(1) for native strings).
        if lhs.utf8.count != rhs.utf8.count { return false }
        if lhs == rhs { return true }
        var left = lhs.utf8.makeIterator()
        var right = rhs.utf8.makeIterator()
        while true {
            switch (left.next(), right.next()) {
            case (nil, nil):
                return true
            case (let a?, let b?):
                if a == b { continue }
                let lower = a | 0x20
                if lower != b | 0x20 || lower < UInt8(ascii: "a") || lower > UInt8(ascii: "z") { return false }
            default:
                return false
            }
        }
    }

    public static func == (lhs: Headers, rhs: Headers) -> Bool {
        lhs.fields.elementsEqual(rhs.fields) { equalNames($0.name, $1.name) && $0.value == $1.value }
    }

    public func hash(into hasher: inout Hasher) {
        for field in fields {
            hasher.combine(field.name.lowercased())
            hasher.combine(field.value)
        }
    }

    /// Throws ``HTTPXError/Kind/localProtocol`` when a name is not a token or a value holds
    /// CR, LF or NUL, so nothing of the kind reaches the wire.
    public func validate() throws {
        for field in fields {
            guard !field.name.isEmpty, field.name.utf8.allSatisfy(HTTPToken.isTokenByte) else {
                throw HTTPXError(.localProtocol, "Invalid header name '\(field.name)': a name must be a non-empty token")
            }
            guard HTTPToken.isValidFieldValue(field.value) else {
                throw HTTPXError(
                    .localProtocol,
                    "Invalid value for header '\(field.name)': values may not contain control characters other than tab")
            }
        }
    }
}
