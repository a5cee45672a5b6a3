/// URL query parameters: an ordered multi-map of names to values, as httpx's `QueryParams`.
///
/// Names keep the order they first appear in, and the values of a repeated name stay
/// together (`a=1&d=2&a=3` encodes as `a=1&a=3&d=2`, as in httpx). Values may be strings,
/// integers, doubles, booleans (`true`/`false`) or `nil` (an empty value). Encoding follows
/// httpx: unreserved characters are kept, spaces become `+`, everything else is
/// percent-encoded as UTF-8.
///
/// ```swift
/// var params: QueryParams = ["q": "swift nio", "page": 2, "exact": true, "lang": nil]
/// params.add("tag", "a")
/// params.add("tag", "b")
/// params.description          // "q=swift+nio&page=2&exact=true&lang=&tag=a&tag=b"
/// params.values(for: "tag")   // ["a", "b"]
/// ```
public struct QueryParams: Hashable, Sendable, CustomStringConvertible, ExpressibleByDictionaryLiteral,
    ExpressibleByArrayLiteral, Sequence
{
    /// The name–value pairs in order.
    public private(set) var items: [(name: String, value: String)]

    /// Creates empty parameters.
    public init() {
        items = []
    }

    /// Creates parameters from pairs, in order; a name may repeat (its values are kept
    /// together, at the place of its first).
    public init(_ items: [(String, String)]) {
        self.items = Self.grouped(items.map { (name: $0.0, value: $0.1) })
    }

    /// Creates parameters from pairs of any value ``QueryParamValue`` takes.
    public init(_ items: [(String, (any QueryParamValue)?)]) {
        self.init(items.map { ($0.0, $0.1?.queryValue ?? "") })
    }

    /// Creates parameters from a dictionary whose values may be lists (each value repeats the key).
    public init(_ dictionary: [String: [String]]) {
        items = dictionary.sorted { $0.key < $1.key }.flatMap { key, values in
            values.map { (name: key, value: $0) }
        }
    }

    /// Parses an encoded query string such as `a=1&b=two+words`.
    public init(query: String) {
        items = Self.grouped(query.split(separator: "&", omittingEmptySubsequences: true).map { pair in
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = PercentEncoding.decode(String(parts[0]), plusAsSpace: true)
            let value = parts.count > 1 ? PercentEncoding.decode(String(parts[1]), plusAsSpace: true) : ""
            return (name: name, value: value)
        })
    }

    public init(dictionaryLiteral elements: (String, (any QueryParamValue)?)...) {
        self.init(elements)
    }

    public init(arrayLiteral elements: (String, (any QueryParamValue)?)...) {
        self.init(elements)
    }

    /// The pairs with the values of each name together, names in first-seen order.
    private static func grouped(_ items: [(name: String, value: String)]) -> [(name: String, value: String)] {
        var seen = Set<String>()
        var repeats = false
        for item in items where !seen.insert(item.name).inserted { repeats = true }
        guard repeats else { return items }
        var order: [String] = []
        var values: [String: [String]] = [:]
        for item in items {
            if values[item.name] == nil { order.append(item.name) }
            values[item.name, default: []].append(item.value)
        }
        return order.flatMap { name in (values[name] ?? []).map { (name: name, value: $0) } }
    }

    /// Whether there are no parameters.
    public var isEmpty: Bool { items.isEmpty }

    /// The parameter names, without repeats, in first-seen order.
    public var keys: [String] {
        var seen = Set<String>()
        return items.compactMap { seen.insert($0.name).inserted ? $0.name : nil }
    }

    /// The first value for `name`; setting it replaces every value of `name` (nil removes them).
    public subscript(name: String) -> String? {
        get { items.first { $0.name == name }?.value }
        set {
            if let newValue { set(name, newValue) } else { remove(name) }
        }
    }

    /// Every value for `name`, in order.
    public func values(for name: String) -> [String] {
        items.filter { $0.name == name }.map(\.value)
    }

    /// Replaces every value of `name` with `value`, keeping the position of the first one.
    public mutating func set(_ name: String, _ value: some QueryParamValue) {
        let value = value.queryValue
        if let first = items.firstIndex(where: { $0.name == name }) {
            items[first].value = value
            items = items.enumerated().filter { $0.offset == first || $0.element.name != name }.map(\.element)
        } else {
            items.append((name: name, value: value))
        }
    }

    /// Adds another value for `name` after its existing ones.
    public mutating func add(_ name: String, _ value: some QueryParamValue) {
        let item = (name: name, value: value.queryValue)
        if let last = items.lastIndex(where: { $0.name == name }) {
            items.insert(item, at: last + 1)
        } else {
            items.append(item)
        }
    }

    /// Removes every value of `name`.
    public mutating func remove(_ name: String) {
        items.removeAll { $0.name == name }
    }

    /// These parameters with `other` merged in: each name in `other` replaces all of this
    /// one's values for that name.
    public func merging(_ other: QueryParams) -> QueryParams {
        let replaced = Set(other.items.map(\.name))
        var emitted = Set<String>()
        var result = QueryParams()
        for item in items {
            if !replaced.contains(item.name) {
                result.items.append(item)
            } else if emitted.insert(item.name).inserted {
                result.items.append(contentsOf: other.items.filter { $0.name == item.name })
            }
        }
        result.items.append(contentsOf: other.items.filter { !emitted.contains($0.name) })
        return result
    }

    /// The encoded query string, without a leading `?`.
    public var description: String {
        items.map { PercentEncoding.formEncode($0.name) + "=" + PercentEncoding.formEncode($0.value) }
            .joined(separator: "&")
    }

    public func makeIterator() -> IndexingIterator<[(name: String, value: String)]> {
        items.makeIterator()
    }

    public static func == (lhs: QueryParams, rhs: QueryParams) -> Bool {
        lhs.items.elementsEqual(rhs.items) { $0.name == $1.name && $0.value == $1.value }
    }

    public func hash(into hasher: inout Hasher) {
        for item in items {
            hasher.combine(item.name)
            hasher.combine(item.value)
        }
    }
}

/// A value a query parameter (or a form field) may take, written as httpx writes it: a string
/// as it is, integers and doubles in decimal, `true` and `false` for booleans.
public protocol QueryParamValue: Sendable {
    /// The value as it goes in the query, before percent-encoding.
    var queryValue: String { get }
}

extension String: QueryParamValue {
    public var queryValue: String { self }
}

extension Substring: QueryParamValue {
    public var queryValue: String { String(self) }
}

extension Int: QueryParamValue {
    public var queryValue: String { String(self) }
}

extension Double: QueryParamValue {
    /// As Python's `str(float)`: `1.0`, `0.5`, `1e+20`.
    public var queryValue: String { description }
}

extension Bool: QueryParamValue {
    public var queryValue: String { self ? "true" : "false" }
}
