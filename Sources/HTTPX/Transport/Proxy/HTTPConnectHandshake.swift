import NIOCore

/// Opens a tunnel through an HTTP proxy (RFC 9110 §9.3.6): sends `CONNECT host:port` with the
/// proxy's headers and credentials, and reads the proxy's response head. A 2xx status opens
/// the tunnel; anything else fails with the status. The head may be at most
/// ``maximumHeadSize`` bytes: a proxy cannot make the client buffer more.
struct HTTPConnectHandshake: ProxyHandshake {
    enum State: Sendable {
        case idle
        case awaitingResponse
        case established
        case failed
    }

    static let maximumHeadSize = 16 * 1024

    /// `host:port`, IPv6 addresses in brackets.
    let authority: String
    /// `Proxy-Authorization` and the proxy's own headers; only the proxy sees them.
    let headers: Headers
    private(set) var state = State.idle

    init(host: String, port: Int, headers: Headers) {
        self.authority = PoolKey.authority(host, port)
        self.headers = headers
    }

    mutating func start() -> ByteBuffer {
        state = .awaitingResponse
        var head = "CONNECT \(authority) HTTP/1.1\r\nHost: \(authority)\r\n"
        for (name, value) in headers.fields where name.lowercased() != "host" {
            head += "\(name): \(value)\r\n"
        }
        head += "\r\n"
        return ByteBuffer(string: head)
    }

    mutating func receive(_ buffer: inout ByteBuffer) throws(ProxyHandshakeFailure) -> ProxyHandshakeAction {
        guard case .awaitingResponse = state else {
            state = .failed
            throw ProxyHandshakeFailure("the proxy sent data before the CONNECT request")
        }
        while true {
            let end = Self.endOfHead(in: buffer)
            guard (end ?? buffer.readableBytes) <= Self.maximumHeadSize else {
                state = .failed
                throw ProxyHandshakeFailure(
                    "the proxy's response to CONNECT \(authority) has a head over \(Self.maximumHeadSize) bytes")
            }
            guard let end else { return .needMoreData }
            let head = buffer.readString(length: end) ?? ""
            let (status, reason) = try parseStatusLine(head)
            switch status {
            case 100..<200:
                continue  // an interim response; the final one follows
            case 200..<300:
                state = .established
                return .established
            default:
                state = .failed
                let phrase = reason.isEmpty ? "" : " \(reason)"
                throw ProxyHandshakeFailure("the proxy answered CONNECT \(authority) with \(status)\(phrase)", status: status)
            }
        }
    }

    /// Parses `HTTP/1.1 200 Connection established`.
    private mutating func parseStatusLine(_ head: String) throws(ProxyHandshakeFailure) -> (Int, String) {
        let line = head.prefix { !$0.isNewline }
        let parts = line.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count >= 2, parts[0].hasPrefix("HTTP/1."), parts[1].count == 3, let status = Int(parts[1]) else {
            state = .failed
            let shown = Self.printable(line.prefix(80))
            throw ProxyHandshakeFailure("the proxy answered CONNECT \(authority) with a malformed status line '\(shown)'")
        }
        let reason = parts.count > 2 ? Self.printable(parts[2].prefix(80)) : ""
        return (status, reason)
    }

    /// `text` with anything but printable ASCII dropped: a proxy's words go into error messages
    /// and terminals.
    static func printable(_ text: Substring) -> String {
        String(String.UnicodeScalarView(text.unicodeScalars.filter { $0.value >= 0x20 && $0.value < 0x7F }))
    }

    /// The length of the head up to and including its blank line, if it has arrived. Lines may
    /// end with CRLF or a bare LF (RFC 9112 §2.2).
    static func endOfHead(in buffer: ByteBuffer) -> Int? {
        buffer.withUnsafeReadableBytes { bytes -> Int? in
            var index = 0
            while index < bytes.count {
                if bytes[index] == 10 {
                    if index + 1 < bytes.count, bytes[index + 1] == 10 { return index + 2 }
                    if index + 2 < bytes.count, bytes[index + 1] == 13, bytes[index + 2] == 10 { return index + 3 }
                }
                index += 1
            }
            return nil
        }
    }
}
