#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// What the tool knows about where its output goes.
struct Terminal: Sendable {
    /// Whether standard output is a terminal.
    let stdoutIsTTY: Bool
    /// Whether standard error is a terminal.
    let stderrIsTTY: Bool
    /// Whether to colour standard output: a terminal, and `NO_COLOR` not set.
    let colour: Bool

    static func current() -> Terminal {
        let stdoutIsTTY = isatty(STDOUT_FILENO) == 1
        let noColour = getenv("NO_COLOR").map { String(cString: $0).isEmpty == false } ?? false
        return Terminal(stdoutIsTTY: stdoutIsTTY, stderrIsTTY: isatty(STDERR_FILENO) == 1, colour: stdoutIsTTY && !noColour)
    }

    /// Writes `text` to standard output.
    static func out(_ text: String) {
        emit(Array(text.utf8), to: STDOUT_FILENO)
    }

    /// Writes `text` to standard error.
    static func err(_ text: String) {
        emit(Array(text.utf8), to: STDERR_FILENO)
    }

    /// Writes all of `bytes` to `descriptor`, retrying short writes; gives up on an error
    /// (a closed pipe, say).
    static func emit(_ bytes: [UInt8], to descriptor: Int32) {
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { buffer -> Int in
                guard let base = buffer.baseAddress else { return -1 }
                return systemWrite(descriptor, base + offset, buffer.count - offset)
            }
            if written <= 0 { return }
            offset += written
        }
    }

    private static func systemWrite(_ descriptor: Int32, _ pointer: UnsafeRawPointer, _ count: Int) -> Int {
        #if canImport(Darwin)
        Darwin.write(descriptor, pointer, count)
        #elseif canImport(Musl)
        Musl.write(descriptor, pointer, count)
        #else
        Glibc.write(descriptor, pointer, count)
        #endif
    }

    /// Reads a line from the controlling terminal without echoing it (for a password);
    /// `nil` when there is no terminal to ask.
    static func readSecret(prompt: String) -> String? {
        let descriptor = open("/dev/tty", O_RDWR)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var original = termios()
        guard tcgetattr(descriptor, &original) == 0 else { return nil }
        var silent = original
        silent.c_lflag &= ~tcflag_t(ECHO)
        emit(Array(prompt.utf8), to: descriptor)
        tcsetattr(descriptor, TCSAFLUSH, &silent)
        defer {
            tcsetattr(descriptor, TCSAFLUSH, &original)
            emit([UInt8(ascii: "\n")], to: descriptor)
        }
        var line: [UInt8] = []
        var byte: UInt8 = 0
        while read(descriptor, &byte, 1) == 1, byte != UInt8(ascii: "\n") {
            line.append(byte)
        }
        return String(decoding: line, as: UTF8.self)
    }
}

/// ANSI styles, applied only when colour is on.
struct Style: Sendable {
    let enabled: Bool

    func apply(_ code: String, _ text: String) -> String {
        enabled ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text
    }

    func status(_ text: String, code: Int) -> String {
        apply(code < 300 ? "1;32" : code < 400 ? "1;33" : "1;31", text)
    }

    func headerName(_ text: String) -> String { apply("36", text) }
    func key(_ text: String) -> String { apply("34;1", text) }
    func string(_ text: String) -> String { apply("32", text) }
    func number(_ text: String) -> String { apply("36", text) }
    func literal(_ text: String) -> String { apply("35", text) }
    func dim(_ text: String) -> String { apply("2", text) }
}
