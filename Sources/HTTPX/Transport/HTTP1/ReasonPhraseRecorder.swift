import NIOCore

/// Reads the reason phrase of each HTTP/1.1 response off the bytes, which SwiftNIO's response
/// decoder drops (it keeps the standard phrase of the code): `HTTP/1.1 418 I'M A TEAPOT`
/// reports `I'M A TEAPOT`, as httpx does.
///
/// It sits before the decoder and passes every byte on unchanged. It looks only at the head
/// of a response (the status line, and the header block of a 1xx response to find the next
/// status line), then ignores the body until ``HTTP1ClientHandler`` says the response ended.
/// When in doubt (a read holding the end of one response and the start of the next, a status
/// line over its bound) it records nothing, and the standard phrase stays.
final class ReasonPhraseRecorder: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    private var scanner = StatusLineScanner()

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if scanner.isLooking {
            let buffer = unwrapInboundIn(data)
            buffer.withUnsafeReadableBytes { scanner.scan($0) }
        }
        context.fireChannelRead(data)
    }

    /// The phrase the server sent with the response head now decoded, if it was recorded for
    /// that status code.
    func takePhrase(forStatus code: Int) -> String? {
        scanner.takePhrase(forStatus: code)
    }

    /// The response ended: the next bytes begin another.
    func responseEnded() {
        scanner.responseEnded()
    }
}

/// The state machine of ``ReasonPhraseRecorder``, without a channel.
struct StatusLineScanner {
    /// The longest status line looked at.
    static let maxStatusLine = 8 << 10
    /// The longest header block of a 1xx response skipped to find the next status line.
    static let maxInterimHead = 64 << 10

    private enum State {
        /// Reading a status line (the bytes so far).
        case statusLine([UInt8])
        /// Skipping the header block of a response: `interim` for 1xx (another head follows).
        case headers(interim: Bool, lineLength: Int, skipped: Int)
        /// In a final response's headers or body: nothing to look at until it ends.
        case message
        /// Stopped looking (an upgrade, or something unexpected).
        case off
    }

    private var state = State.statusLine([])
    private var recorded: [(code: Int, phrase: String)] = []

    var isLooking: Bool {
        switch state {
        case .statusLine, .headers: true
        case .message, .off: false
        }
    }

    mutating func scan(_ bytes: UnsafeRawBufferPointer) {
        var index = 0
        while index < bytes.count {
            switch state {
            case .statusLine(var line):
                guard let newline = bytes[index...].firstIndex(of: UInt8(ascii: "\n")) else {
                    line.append(contentsOf: bytes[index...])
                    state = line.count > Self.maxStatusLine ? .off : .statusLine(line)
                    return
                }
                // A status line within one read (the usual case) is parsed where it is.
                let parsed = line.isEmpty ? Self.parse(bytes[index..<newline]) : Self.parse(line + bytes[index..<newline])
                index = newline + 1
                guard let (code, phrase) = parsed else {
                    state = .off
                    return
                }
                if code == 101 {
                    state = .off
                } else if (100..<200).contains(code) {
                    state = .headers(interim: true, lineLength: 0, skipped: 0)
                } else {
                    recorded.append((code, phrase))
                    if recorded.count > 4 { recorded.removeFirst() }
                    state = .message
                    return
                }
            case .headers(let interim, var lineLength, var skipped):
                // A 1xx head ends at an empty line; the next status line follows it.
                while index < bytes.count {
                    let byte = bytes[index]
                    index += 1
                    skipped += 1
                    if byte == UInt8(ascii: "\n") {
                        if lineLength == 0 {
                            state = interim ? .statusLine([]) : .message
                            break
                        }
                        lineLength = 0
                    } else if byte != UInt8(ascii: "\r") {
                        lineLength += 1
                    }
                }
                if case .headers = state {
                    state = skipped > Self.maxInterimHead ? .off : .headers(interim: interim, lineLength: lineLength, skipped: skipped)
                }
            case .message, .off:
                return
            }
        }
    }

    mutating func takePhrase(forStatus code: Int) -> String? {
        guard let first = recorded.first else { return nil }
        guard first.code == code else {
            recorded.removeAll()
            return nil
        }
        recorded.removeFirst()
        return first.phrase
    }

    mutating func responseEnded() {
        if case .message = state { state = .statusLine([]) }
    }

    /// `HTTP/1.1 404 Not Found` (a CR at the end dropped) as its code and phrase.
    static func parse(_ line: some RandomAccessCollection<UInt8>) -> (Int, String)? {
        var line = line[...]
        if line.last == UInt8(ascii: "\r") { line = line.dropLast() }
        guard line.count > 5, line.prefix(5).elementsEqual("HTTP/".utf8),
            let firstSpace = line.firstIndex(of: UInt8(ascii: " "))
        else { return nil }
        let rest = line[line.index(after: firstSpace)...]
        let codeBytes = rest.prefix(3)
        guard codeBytes.count == 3, codeBytes.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) else {
            return nil
        }
        let code = codeBytes.reduce(0) { $0 * 10 + Int($1 - UInt8(ascii: "0")) }
        let afterCode = rest.dropFirst(3)
        guard afterCode.isEmpty || afterCode.first == UInt8(ascii: " ") else { return nil }
        let phrase = afterCode.dropFirst()
        // The standard phrase (most servers send it) is the shared constant, not a new string.
        let standard = HTTPStatus.reasonPhrase(for: code)
        if phrase.elementsEqual(standard.utf8) { return (code, standard) }
        // Not UTF-8: Latin-1, as HTTP/1.1 historically allowed.
        let text = String(validating: phrase, as: UTF8.self)
            ?? String(String.UnicodeScalarView(phrase.map { Unicode.Scalar($0) }))
        return (code, text)
    }
}
