/// Writes JSON compactly, as httpx sends it (`separators=(",", ":")`, non-ASCII kept, `/` not
/// escaped), with object members in the order they were given.
enum JSONWriter {
    /// A JSON value ready to write: numbers keep their exact text.
    indirect enum Node {
        case null
        case bool(Bool)
        case number(String)
        case string(String)
        case array([Node])
        case object([(String, Node)])
    }

    static func compact(_ node: Node) -> String {
        var output: [UInt8] = []
        write(node, into: &output)
        return String(decoding: output, as: UTF8.self)
    }

    static func write(_ node: Node, into output: inout [UInt8]) {
        switch node {
        case .null: output.append(contentsOf: "null".utf8)
        case .bool(let value): output.append(contentsOf: (value ? "true" : "false").utf8)
        case .number(let text): output.append(contentsOf: text.utf8)
        case .string(let text): writeString(text, into: &output)
        case .array(let elements):
            output.append(UInt8(ascii: "["))
            for (index, element) in elements.enumerated() {
                if index > 0 { output.append(UInt8(ascii: ",")) }
                write(element, into: &output)
            }
            output.append(UInt8(ascii: "]"))
        case .object(let members):
            output.append(UInt8(ascii: "{"))
            for (index, (key, value)) in members.enumerated() {
                if index > 0 { output.append(UInt8(ascii: ",")) }
                writeString(key, into: &output)
                output.append(UInt8(ascii: ":"))
                write(value, into: &output)
            }
            output.append(UInt8(ascii: "}"))
        }
    }

    private static func writeString(_ text: String, into output: inout [UInt8]) {
        output.append(UInt8(ascii: "\""))
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""): output.append(contentsOf: "\\\"".utf8)
            case UInt8(ascii: "\\"): output.append(contentsOf: "\\\\".utf8)
            case 0x0A: output.append(contentsOf: "\\n".utf8)
            case 0x0D: output.append(contentsOf: "\\r".utf8)
            case 0x09: output.append(contentsOf: "\\t".utf8)
            case 0x08: output.append(contentsOf: "\\b".utf8)
            case 0x0C: output.append(contentsOf: "\\f".utf8)
            case 0..<0x20:
                let hex = Array("0123456789abcdef".utf8)
                output.append(contentsOf: "\\u00".utf8)
                output.append(hex[Int(byte >> 4)])
                output.append(hex[Int(byte & 0xF)])
            default: output.append(byte)
            }
        }
        output.append(UInt8(ascii: "\""))
    }

    /// The text of a double as JSON has it: integral values without a fraction (`3`), others
    /// as Swift prints them (`0.5`, `1e+20`).
    ///
    /// - Throws: ``HTTPXError/Kind/invalidArgument`` for NaN and infinities, which JSON cannot hold.
    static func number(_ value: Double) throws -> String {
        guard value.isFinite else {
            throw HTTPXError(.invalidArgument, "Cannot encode \(value) in a JSON body: JSON has no NaN or infinity")
        }
        if value.rounded() == value, abs(value) < 1e15 { return String(Int64(value)) }
        return String(value)
    }
}

extension JSONWriter.Node {
    /// The node of a ``JSONValue``, members in order.
    init(_ value: JSONValue) throws {
        switch value {
        case .null: self = .null
        case .bool(let bool): self = .bool(bool)
        case .number(let number): self = .number(try JSONWriter.number(number))
        case .string(let string): self = .string(string)
        case .array(let array): self = .array(try array.map(JSONWriter.Node.init))
        case .object(let object): self = .object(try object.map { ($0.key, try JSONWriter.Node($0.value)) })
        }
    }
}
