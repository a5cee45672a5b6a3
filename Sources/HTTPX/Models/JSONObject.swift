/// The members of a JSON object, in the order they were written or added: what a
/// ``JSONValue/object(_:)`` holds, so a body goes out in the order the caller gave and a
/// response's keys come back in the server's order.
///
/// ```swift
/// var object: JSONObject = ["name": "swift", "id": 7]
/// object["tags"] = ["server", "http"]
/// object.keys                       // ["name", "id", "tags"]
/// JSONValue.object(object).description   // {"name":"swift","id":7,"tags":["server","http"]}
/// ```
///
/// Two objects are equal when they have the same members, in any order.
public struct JSONObject: Hashable, Sendable, Sequence, ExpressibleByDictionaryLiteral {
    /// The member names, in order.
    public private(set) var keys: [String]
    private var storage: [String: JSONValue]

    /// An empty object.
    public init() {
        keys = []
        storage = [:]
    }

    /// The members of `pairs`, in order; a repeated name keeps its first place and last value.
    public init(_ pairs: some Sequence<(String, JSONValue)>) {
        self.init()
        for (key, value) in pairs { self[key] = value }
    }

    /// The members of a dictionary, which has no order: they are sorted by name.
    public init(_ dictionary: [String: JSONValue]) {
        keys = dictionary.keys.sorted()
        storage = dictionary
    }

    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        self.init(elements)
    }

    /// The value of member `key`; setting `nil` removes it, setting a new key appends it.
    public subscript(key: String) -> JSONValue? {
        get { storage[key] }
        set {
            if let newValue {
                if storage.updateValue(newValue, forKey: key) == nil { keys.append(key) }
            } else if storage.removeValue(forKey: key) != nil {
                keys.removeAll { $0 == key }
            }
        }
    }

    /// The values, in the order of ``keys``.
    public var values: [JSONValue] { keys.map { storage[$0] ?? .null } }

    public var count: Int { keys.count }
    public var isEmpty: Bool { keys.isEmpty }

    /// The members as a dictionary (without their order).
    public var dictionary: [String: JSONValue] { storage }

    public func makeIterator() -> AnyIterator<(key: String, value: JSONValue)> {
        var index = 0
        return AnyIterator {
            guard index < keys.count else { return nil }
            defer { index += 1 }
            let key = keys[index]
            return (key: key, value: storage[key] ?? .null)
        }
    }

    public static func == (lhs: JSONObject, rhs: JSONObject) -> Bool {
        lhs.storage == rhs.storage
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(storage)
    }
}
