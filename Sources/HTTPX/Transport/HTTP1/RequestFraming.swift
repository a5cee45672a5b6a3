/// How a request's body is delimited on the wire, decided once before anything is sent, and
/// enforced while the body goes out: a body that does not match its framing would let a server
/// read the rest as another request (request smuggling).
///
/// The caller's framing headers are checked, not trusted:
/// - `Transfer-Encoding` may only be `chunked` (in any case; it is sent as `chunked`), as h11
///   allows; any other coding is refused.
/// - `Content-Length` must be one non-negative decimal number, and must equal the body's length
///   when that is known; a streamed body is counted as it is sent.
/// - The two together are refused (RFC 9112 §6.2).
enum RequestFraming: Equatable, Sendable {
    /// Exactly this many bytes of body (0 for none).
    case length(Int)
    /// Chunked (HTTP/1.1), or the end of the stream (HTTP/2): any length.
    case chunked

    /// How many bytes the body must have, when fixed.
    var declaredLength: Int? {
        if case .length(let length) = self { return length }
        return nil
    }

    /// The framing of `request`, with its framing headers made canonical in `headers` (which
    /// start as the request's own).
    ///
    /// - Throws: ``HTTPXError/Kind/localProtocol`` naming the request when its headers and
    ///   body disagree, or a header cannot be sent as it is.
    static func decide(for request: Request, headers: inout Headers) throws(HTTPXError) -> RequestFraming {
        if let problem = request.body.problem { throw HTTPXError(.localProtocol, "Cannot send \(request): \(problem)", request: request) }
        let lengthFields = headers.count(named: "Content-Length")
        let bodyLength = request.body.length
        if headers.contains("Transfer-Encoding") {
            let codings = headers.values(for: "Transfer-Encoding")
            let listed = codings.flatMap { $0.split(separator: ",") }
                .map { $0.trimmingWhitespace.lowercased() }.filter { !$0.isEmpty }
            guard listed == ["chunked"] else {
                throw HTTPXError(
                    .localProtocol,
                    "Cannot send \(request) with 'Transfer-Encoding: \(codings.joined(separator: ", "))': only 'chunked' is supported",
                    request: request)
            }
            guard lengthFields == 0 else {
                throw HTTPXError(
                    .localProtocol,
                    "Cannot send \(request) with both Content-Length and Transfer-Encoding: a server could read its body either way",
                    request: request)
            }
            headers.set("Transfer-Encoding", "chunked")
            return .chunked
        }
        if lengthFields > 0 {
            guard lengthFields == 1, let declared = headers.first("Content-Length").flatMap(parseLength) else {
                throw HTTPXError(
                    .localProtocol,
                    "Cannot send \(request): invalid Content-Length '\(headers.values(for: "Content-Length").joined(separator: ", "))'",
                    request: request)
            }
            if let bodyLength, bodyLength != declared {
                throw HTTPXError(
                    .localProtocol,
                    "Cannot send \(request): its Content-Length is \(declared) but its body has \(bodyLength) bytes",
                    request: request)
            }
            return .length(declared)
        }
        guard let bodyLength else {
            headers.add("Transfer-Encoding", "chunked")
            return .chunked
        }
        if bodyLength > 0 { headers.add("Content-Length", String(bodyLength)) }
        return .length(bodyLength)
    }

    /// A Content-Length value: ASCII digits only, no sign or space, no overflow.
    static func parseLength(_ text: String) -> Int? {
        let digits = text.utf8
        guard !digits.isEmpty, digits.count <= 18, digits.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return nil }
        return Int(text)
    }
}

/// Counts the body bytes of one exchange against its ``RequestFraming``.
struct BodyByteCounter {
    let framing: RequestFraming
    private(set) var sent = 0

    init(_ framing: RequestFraming) {
        self.framing = framing
    }

    /// Records `count` more bytes; the problem if they run past the declared length.
    mutating func add(_ count: Int) -> String? {
        sent += count
        guard let declared = framing.declaredLength, sent > declared else { return nil }
        return "its body is longer than its Content-Length of \(declared) bytes"
    }

    /// The problem, if the body ended short of the declared length.
    func finish() -> String? {
        guard let declared = framing.declaredLength, sent < declared else { return nil }
        return "its body ended after \(sent) of the \(declared) bytes its Content-Length declares"
    }
}

extension Substring {
    /// Without leading and trailing spaces and tabs.
    var trimmingWhitespace: Substring {
        var result = self
        while let first = result.first, first == " " || first == "\t" { result.removeFirst() }
        while let last = result.last, last == " " || last == "\t" { result.removeLast() }
        return result
    }
}
