#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Encodes an `Encodable` as JSON with each object's members in the order its `encode(to:)`
/// wrote them (a synthesized conformance writes a type's properties in declaration order),
/// where Foundation's `JSONEncoder` gives no order or sorts them. Data is written as base64,
/// URLs as their absolute string, dates as Foundation's default (seconds since 2001), as
/// `JSONEncoder` does.
enum OrderedJSONEncoder {
    static func encode(_ value: some Encodable) throws -> [UInt8] {
        let root = EncodingSlot()
        try root.store(value, codingPath: [])
        var output: [UInt8] = []
        JSONWriter.write(try root.node(codingPath: []), into: &output)
        return output
    }
}

/// Where one value is written while encoding: a reference, so nested containers can fill it.
private final class EncodingSlot {
    enum Content {
        case empty
        case value(JSONWriter.Node)
        case array([EncodingSlot])
        case object(keys: [String], members: [String: EncodingSlot])
    }

    var content: Content = .empty

    func node(codingPath: [any CodingKey]) throws -> JSONWriter.Node {
        switch content {
        case .empty: return .object([])
        case .value(let node): return node
        case .array(let slots): return .array(try slots.map { try $0.node(codingPath: codingPath) })
        case .object(let keys, let members):
            return .object(try keys.map { key in (key, try members[key]?.node(codingPath: codingPath) ?? .null) })
        }
    }

    /// The slot for member `key`, made (at the end) if new.
    func member(_ key: String) -> EncodingSlot {
        var keys: [String] = []
        var members: [String: EncodingSlot] = [:]
        if case .object(let k, let m) = content { (keys, members) = (k, m) }
        if let existing = members[key] { return existing }
        let slot = EncodingSlot()
        keys.append(key)
        members[key] = slot
        content = .object(keys: keys, members: members)
        return slot
    }

    func beginObject() {
        if case .object = content { return }
        content = .object(keys: [], members: [:])
    }

    func beginArray() {
        if case .array = content { return }
        content = .array([])
    }

    func appendElement() -> EncodingSlot {
        let slot = EncodingSlot()
        if case .array(var slots) = content {
            slots.append(slot)
            content = .array(slots)
        } else {
            content = .array([slot])
        }
        return slot
    }

    /// Writes `value` here: primitives and Foundation's special types directly, anything
    /// else through its `encode(to:)`.
    func store<T: Encodable>(_ value: T, codingPath: [any CodingKey]) throws {
        switch value {
        case let v as String: content = .value(.string(v))
        case let v as Bool: content = .value(.bool(v))
        case let v as Int: content = .value(.number(String(v)))
        case let v as Int8: content = .value(.number(String(v)))
        case let v as Int16: content = .value(.number(String(v)))
        case let v as Int32: content = .value(.number(String(v)))
        case let v as Int64: content = .value(.number(String(v)))
        case let v as UInt: content = .value(.number(String(v)))
        case let v as UInt8: content = .value(.number(String(v)))
        case let v as UInt16: content = .value(.number(String(v)))
        case let v as UInt32: content = .value(.number(String(v)))
        case let v as UInt64: content = .value(.number(String(v)))
        case let v as Double: content = .value(.number(try JSONWriter.number(v)))
        case let v as Float: content = .value(.number(try JSONWriter.number(Double(v))))
        case let v as Data: content = .value(.string(v.base64EncodedString()))
        case let v as URL: content = .value(.string(v.absoluteString))
        case let v as Decimal: content = .value(.number(v.description))
        case let v as JSONValue: content = .value(try JSONWriter.Node(v))
        default: try value.encode(to: SlotEncoder(slot: self, codingPath: codingPath))
        }
    }
}

private struct SlotEncoder: Encoder {
    let slot: EncodingSlot
    let codingPath: [any CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        slot.beginObject()
        return KeyedEncodingContainer(KeyedSlotContainer<Key>(slot: slot, codingPath: codingPath))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        slot.beginArray()
        return UnkeyedSlotContainer(slot: slot, codingPath: codingPath)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer {
        SingleSlotContainer(slot: slot, codingPath: codingPath)
    }
}

private struct KeyedSlotContainer<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let slot: EncodingSlot
    let codingPath: [any CodingKey]

    mutating func encodeNil(forKey key: Key) throws {
        slot.member(key.stringValue).content = .value(.null)
    }

    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
        try slot.member(key.stringValue).store(value, codingPath: codingPath + [key])
    }

    mutating func nestedContainer<NestedKey: CodingKey>(
        keyedBy keyType: NestedKey.Type, forKey key: Key
    ) -> KeyedEncodingContainer<NestedKey> {
        let child = slot.member(key.stringValue)
        child.beginObject()
        return KeyedEncodingContainer(KeyedSlotContainer<NestedKey>(slot: child, codingPath: codingPath + [key]))
    }

    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
        let child = slot.member(key.stringValue)
        child.beginArray()
        return UnkeyedSlotContainer(slot: child, codingPath: codingPath + [key])
    }

    mutating func superEncoder() -> any Encoder {
        SlotEncoder(slot: slot.member("super"), codingPath: codingPath)
    }

    mutating func superEncoder(forKey key: Key) -> any Encoder {
        SlotEncoder(slot: slot.member(key.stringValue), codingPath: codingPath + [key])
    }
}

private struct UnkeyedSlotContainer: UnkeyedEncodingContainer {
    let slot: EncodingSlot
    let codingPath: [any CodingKey]

    var count: Int {
        if case .array(let slots) = slot.content { return slots.count }
        return 0
    }

    mutating func encodeNil() throws {
        slot.appendElement().content = .value(.null)
    }

    mutating func encode<T: Encodable>(_ value: T) throws {
        try slot.appendElement().store(value, codingPath: codingPath)
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
        let child = slot.appendElement()
        child.beginObject()
        return KeyedEncodingContainer(KeyedSlotContainer<NestedKey>(slot: child, codingPath: codingPath))
    }

    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
        let child = slot.appendElement()
        child.beginArray()
        return UnkeyedSlotContainer(slot: child, codingPath: codingPath)
    }

    mutating func superEncoder() -> any Encoder {
        SlotEncoder(slot: slot.appendElement(), codingPath: codingPath)
    }
}

private struct SingleSlotContainer: SingleValueEncodingContainer {
    let slot: EncodingSlot
    let codingPath: [any CodingKey]

    mutating func encodeNil() throws {
        slot.content = .value(.null)
    }

    mutating func encode<T: Encodable>(_ value: T) throws {
        try slot.store(value, codingPath: codingPath)
    }
}
