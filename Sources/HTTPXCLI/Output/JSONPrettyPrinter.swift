/// Re-indents JSON text by its tokens, keeping key order and numbers exactly as sent, and
/// colours it when asked. The caller has checked that the text is valid JSON.
struct JSONPrettyPrinter {
    let style: Style
    var indent = 4

    func format(_ text: String) -> String {
        let bytes = Array(text.utf8)
        let whitespace: [UInt8] = [0x20, 0x0A, 0x0D, 0x09]
        var out = ""
        var index = 0
        // For each open container, whether it is an object.
        var containers: [Bool] = []
        var expectKey = false
        func newline() {
            out += "\n" + String(repeating: " ", count: containers.count * indent)
        }
        while index < bytes.count {
            let byte = bytes[index]
            switch byte {
            case _ where whitespace.contains(byte):
                index += 1
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                let isObject = byte == UInt8(ascii: "{")
                var next = index + 1
                while next < bytes.count, whitespace.contains(bytes[next]) { next += 1 }
                if next < bytes.count, bytes[next] == (isObject ? UInt8(ascii: "}") : UInt8(ascii: "]")) {
                    out += isObject ? "{}" : "[]"
                    index = next + 1
                    continue
                }
                out += isObject ? "{" : "["
                containers.append(isObject)
                expectKey = isObject
                newline()
                index += 1
            case UInt8(ascii: "}"), UInt8(ascii: "]"):
                _ = containers.popLast()
                newline()
                out += byte == UInt8(ascii: "}") ? "}" : "]"
                index += 1
            case UInt8(ascii: ","):
                out += ","
                expectKey = containers.last == true
                newline()
                index += 1
            case UInt8(ascii: ":"):
                out += ": "
                index += 1
            case UInt8(ascii: "\""):
                var end = index + 1
                while end < bytes.count, bytes[end] != UInt8(ascii: "\"") {
                    end += bytes[end] == UInt8(ascii: "\\") ? 2 : 1
                }
                end = min(end, bytes.count - 1)
                let token = String(decoding: bytes[index...end], as: UTF8.self)
                out += expectKey ? style.key(token) : style.string(token)
                expectKey = false
                index = end + 1
            default:
                var end = index + 1
                while end < bytes.count, !whitespace.contains(bytes[end]), !Array(",]}:".utf8).contains(bytes[end]) {
                    end += 1
                }
                let token = String(decoding: bytes[index..<end], as: UTF8.self)
                let isLiteral = [UInt8(ascii: "t"), UInt8(ascii: "f"), UInt8(ascii: "n")].contains(byte)
                out += isLiteral ? style.literal(token) : style.number(token)
                index = end
            }
        }
        return out
    }
}
