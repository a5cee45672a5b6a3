/// httpx's options that take two values (`-p NAME VALUE`): swift-argument-parser takes one
/// value per option, so each pair is joined into one argument before parsing and split after.
enum ArgumentPairs {
    /// Joins NAME and VALUE; a character no one types in an argument.
    static let separator: Character = "\u{1F}"

    /// The options that take NAME VALUE (or USER PASS).
    static let pairOptions: Set<String> = [
        "-p", "--params", "-d", "--data", "-f", "--files", "-h", "--headers", "--cookies", "--auth",
    ]

    /// `arguments` with each pair option's two values joined into one.
    static func join(_ arguments: [String]) -> [String] {
        var result: [String] = []
        var index = 0
        var afterTerminator = false
        while index < arguments.count {
            let argument = arguments[index]
            if argument == "--" { afterTerminator = true }
            if !afterTerminator, pairOptions.contains(argument), index + 2 < arguments.count {
                result += [argument, arguments[index + 1] + String(separator) + arguments[index + 2]]
                index += 3
            } else {
                result.append(argument)
                index += 1
            }
        }
        return result
    }

    /// Splits a joined value; `nil` when it was given one value only.
    static func split(_ value: String) -> (String, String)? {
        guard let index = value.firstIndex(of: separator) else { return nil }
        return (String(value[..<index]), String(value[value.index(after: index)...]))
    }
}
