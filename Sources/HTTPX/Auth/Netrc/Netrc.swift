#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The contents of a `.netrc` file: credentials per machine, a default entry and macros.
///
/// Tokens are separated by white space and may be quoted (`"with space"`, with `\` escapes);
/// `#` starts a comment. `machine NAME` and `default` open an entry, followed by `login`,
/// `password` and `account`; `macdef NAME` holds the lines after it up to an empty line.
/// As in Python's `netrc`, a later entry for the same machine replaces an earlier one.
///
/// ```swift
/// let netrc = try Netrc(parsing: """
///     machine api.example.org
///     login alice
///     password s3cret
///     """)
/// netrc.entry(for: "api.example.org")?.login  // "alice"
/// ```
public struct Netrc: Sendable {
    /// One machine's (or the default's) credentials.
    public struct Entry: Sendable, Equatable, CustomStringConvertible {
        public var login: String?
        public var password: String?
        public var account: String?

        public init(login: String? = nil, password: String? = nil, account: String? = nil) {
            self.login = login
            self.password = password
            self.account = account
        }

        /// The login and whether a password is set; the password is never printed.
        public var description: String {
            "Netrc.Entry(login: \(login ?? "nil"), password: \(password == nil ? "nil" : "[secure]"))"
        }
    }

    /// Entries by machine name (lowercased).
    public private(set) var machines: [String: Entry] = [:]
    /// The `default` entry, used for machines not listed.
    public private(set) var defaultEntry: Entry?
    /// Macros by name (`macdef`): their lines, joined by newlines.
    public private(set) var macros: [String: String] = [:]

    /// The entry for `host` (compared case-insensitively), else the default entry.
    public func entry(for host: String) -> Entry? {
        machines[host.lowercased()] ?? defaultEntry
    }

    /// Reads the `.netrc` file at `path`.
    ///
    /// - Throws: ``HTTPXError/Kind/invalidArgument`` when it cannot be read or is malformed,
    ///   with the path and line.
    public init(contentsOf path: String) throws {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw HTTPXError(.invalidArgument, "Cannot read the .netrc file '\(path)': \(error)")
        }
        do {
            try self.init(parsing: String(decoding: data, as: UTF8.self))
        } catch var error as HTTPXError {
            error.message = "In the .netrc file '\(path)': \(error.message)"
            throw error
        }
    }

    /// Parses `.netrc` text.
    ///
    /// - Throws: ``HTTPXError/Kind/invalidArgument`` naming the line of a malformed entry.
    public init(parsing text: String) throws {
        var lexer = NetrcLexer(text)
        // The entry being read: its machine name (nil for default) and fields.
        var current: (machine: String?, entry: Entry)?
        func close() {
            guard let (machine, entry) = current else { return }
            if let machine { machines[machine.lowercased()] = entry } else { defaultEntry = entry }
            current = nil
        }
        while let token = lexer.next() {
            switch token.text {
            case "machine":
                close()
                guard let name = lexer.next() else {
                    throw HTTPXError(.invalidArgument, "line \(token.line): 'machine' without a name")
                }
                current = (name.text, Entry())
            case "default":
                close()
                current = (nil, Entry())
            case "login", "password", "account":
                guard current != nil else {
                    throw HTTPXError(.invalidArgument, "line \(token.line): '\(token.text)' outside a machine or default entry")
                }
                guard let value = lexer.next() else {
                    throw HTTPXError(.invalidArgument, "line \(token.line): '\(token.text)' without a value")
                }
                switch token.text {
                case "login": current?.entry.login = value.text
                case "password": current?.entry.password = value.text
                default: current?.entry.account = value.text
                }
            case "macdef":
                close()
                guard let name = lexer.next() else {
                    throw HTTPXError(.invalidArgument, "line \(token.line): 'macdef' without a name")
                }
                macros[name.text] = lexer.macroBody()
            default:
                throw HTTPXError(
                    .invalidArgument, "line \(token.line): unexpected '\(token.text)' (expected machine, default, login, password, account or macdef)")
            }
        }
        close()
    }

    /// The file the environment names: `NETRC`, else `~/.netrc`, else `~/_netrc`; `nil` when
    /// none exists.
    public static func defaultPath() -> String? {
        if let named = environment("NETRC"), !named.isEmpty { return named }
        guard let home = environment("HOME"), !home.isEmpty else { return nil }
        for name in [".netrc", "_netrc"] {
            let path = home.hasSuffix("/") ? home + name : home + "/" + name
            if access(path, R_OK) == 0 { return path }
        }
        return nil
    }

    private static func environment(_ name: String) -> String? {
        getenv(name).map { String(cString: $0) }
    }
}

/// Splits `.netrc` text into tokens, keeping line numbers for errors.
private struct NetrcLexer {
    struct Token {
        let text: String
        let line: Int
    }

    private let bytes: [UInt8]
    private var index = 0
    private var line = 1

    init(_ text: String) {
        bytes = Array(text.utf8)
    }

    mutating func next() -> Token? {
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\n") {
                line += 1
                index += 1
            } else if byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") || byte == UInt8(ascii: "\r") {
                index += 1
            } else if byte == UInt8(ascii: "#") {
                while index < bytes.count, bytes[index] != UInt8(ascii: "\n") { index += 1 }
            } else {
                break
            }
        }
        guard index < bytes.count else { return nil }
        let startLine = line
        var out: [UInt8] = []
        if bytes[index] == UInt8(ascii: "\"") {
            index += 1
            while index < bytes.count, bytes[index] != UInt8(ascii: "\"") {
                if bytes[index] == UInt8(ascii: "\\"), index + 1 < bytes.count { index += 1 }
                if bytes[index] == UInt8(ascii: "\n") { line += 1 }
                out.append(bytes[index])
                index += 1
            }
            index += 1  // the closing quote (or the end)
        } else {
            while index < bytes.count {
                let byte = bytes[index]
                if byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") || byte == UInt8(ascii: "\n")
                    || byte == UInt8(ascii: "\r")
                {
                    break
                }
                if byte == UInt8(ascii: "\\"), index + 1 < bytes.count { index += 1 }
                out.append(bytes[index])
                index += 1
            }
        }
        return Token(text: String(decoding: out, as: UTF8.self), line: startLine)
    }

    /// The lines after a `macdef NAME` line, up to the first empty line.
    mutating func macroBody() -> String {
        // The rest of the macdef line is not part of the body.
        while index < bytes.count, bytes[index] != UInt8(ascii: "\n") { index += 1 }
        var lines: [String] = []
        while index < bytes.count {
            index += 1  // the newline
            line += 1
            let start = index
            while index < bytes.count, bytes[index] != UInt8(ascii: "\n") { index += 1 }
            let text = String(decoding: bytes[start..<index], as: UTF8.self)
            if text.allSatisfy({ $0 == " " || $0 == "\t" || $0 == "\r" }) { break }
            lines.append(text)
        }
        return lines.joined(separator: "\n")
    }
}
