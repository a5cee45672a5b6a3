#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import NIOCore

/// The client side of a SOCKS5 handshake (RFC 1928, with RFC 1929 username/password
/// authentication) as a state machine: it takes the proxy's bytes and says what to send next,
/// and does no I/O itself. ``ProxyHandshakeHandler`` runs it.
///
/// Every message the proxy sends is checked and bounded; anything unexpected is a
/// ``ProxyHandshakeFailure``, never a trap.
struct SOCKS5Handshake: ProxyHandshake {
    /// The address the proxy is asked to connect to.
    enum Target: Sendable, Equatable {
        /// The 4 bytes of an IPv4 address.
        case ipv4([UInt8])
        /// The 16 bytes of an IPv6 address.
        case ipv6([UInt8])
        /// A host name, resolved by the proxy.
        case domain(String)

        /// The target for a URL's host: an IPv4 or IPv6 literal (brackets allowed) or a name.
        init(host: String) {
            var text = Substring(host)
            if text.hasPrefix("[") && text.hasSuffix("]") {
                text = text.dropFirst().dropLast()
            }
            switch try? SocketAddress(ipAddress: String(text), port: 0) {
            case .v4(let address)?:
                self = .ipv4(withUnsafeBytes(of: address.address.sin_addr) { Array($0) })
            case .v6(let address)?:
                self = .ipv6(withUnsafeBytes(of: address.address.sin6_addr) { Array($0) })
            default:
                self = .domain(host)
            }
        }
    }

    /// A username and password for RFC 1929 authentication; its description hides the password.
    struct Credentials: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible {
        var username: String
        var password: String

        var description: String { "Credentials(username: \(username), password: <redacted>)" }
        var debugDescription: String { description }
    }

    /// What to do after the proxy's bytes were taken in: `.send(bytes)`, `.needMoreData` (none
    /// were consumed) or `.established` (what is left in the buffer is the tunnelled protocol's).
    typealias Action = ProxyHandshakeAction

    private enum State: Sendable {
        case idle, awaitingMethod, awaitingAuthStatus, awaitingReply, established, failed
    }

    let target: Target
    let port: Int
    let credentials: Credentials?
    private var state = State.idle

    /// A handshake asking the proxy for a tunnel to `target`:`port`, offering username/password
    /// authentication when `credentials` are given.
    init(target: Target, port: Int, credentials: (username: String, password: String)?) {
        self.target = target
        self.port = port
        self.credentials = credentials.map { Credentials(username: $0.username, password: $0.password) }
    }

    /// The greeting that opens the handshake: no authentication and, with credentials,
    /// username/password too (the proxy chooses). Call it once, when the connection is up.
    mutating func start() -> ByteBuffer {
        state = .awaitingMethod
        let methods: [UInt8] = credentials == nil ? [0x00] : [0x00, 0x02]
        return ByteBuffer(bytes: [5, UInt8(methods.count)] + methods)
    }

    /// Takes the next message of the proxy from the front of `buffer`, consuming exactly its
    /// bytes (none when it is incomplete), and says what to do next. After `.established`, the
    /// bytes left in `buffer` belong to the tunnelled protocol.
    mutating func receive(_ buffer: inout ByteBuffer) throws(SOCKS5Failure) -> Action {
        do throws(SOCKS5Failure) {
            switch state {
            case .idle:
                throw SOCKS5Failure("the proxy sent data before the SOCKS5 greeting")
            case .awaitingMethod:
                return try receiveMethod(&buffer)
            case .awaitingAuthStatus:
                return try receiveAuthStatus(&buffer)
            case .awaitingReply:
                return try receiveReply(&buffer)
            case .established:
                throw SOCKS5Failure("the SOCKS5 handshake was given data after it had completed")
            case .failed:
                throw SOCKS5Failure("the SOCKS5 handshake had already failed")
            }
        } catch {
            state = .failed
            throw error
        }
    }

    /// The method selection: VER 5, METHOD.
    private mutating func receiveMethod(_ buffer: inout ByteBuffer) throws(SOCKS5Failure) -> Action {
        guard let version = Self.byte(buffer, 0) else { return .needMoreData }
        try Self.check(version, expected: 5, in: "method selection")
        guard let method = Self.byte(buffer, 1) else { return .needMoreData }
        buffer.moveReaderIndex(forwardBy: 2)
        // Checked before anything else is sent, credentials included.
        let request = try connectRequest()
        switch method {
        case 0x00:
            state = .awaitingReply
            return .send(request)
        case 0x02:
            guard let credentials else {
                throw SOCKS5Failure("the proxy requires a username and password, but none were given")
            }
            let authentication = try Self.authenticationRequest(credentials)
            state = .awaitingAuthStatus
            return .send(authentication)
        case 0xFF:
            throw SOCKS5Failure("the proxy accepts none of the offered authentication methods")
        default:
            throw SOCKS5Failure("the proxy chose authentication method \(method), which was not offered")
        }
    }

    /// The RFC 1929 status: VER 1, STATUS.
    private mutating func receiveAuthStatus(_ buffer: inout ByteBuffer) throws(SOCKS5Failure) -> Action {
        guard let version = Self.byte(buffer, 0) else { return .needMoreData }
        try Self.check(version, expected: 1, in: "authentication status")
        guard let status = Self.byte(buffer, 1) else { return .needMoreData }
        buffer.moveReaderIndex(forwardBy: 2)
        guard status == 0 else {
            throw SOCKS5Failure("the proxy rejected the username or password (status \(status))")
        }
        let request = try connectRequest()
        state = .awaitingReply
        return .send(request)
    }

    /// The CONNECT reply: VER 5, REP, RSV, ATYP, BND.ADDR, BND.PORT.
    private mutating func receiveReply(_ buffer: inout ByteBuffer) throws(SOCKS5Failure) -> Action {
        guard let version = Self.byte(buffer, 0) else { return .needMoreData }
        try Self.check(version, expected: 5, in: "reply")
        guard let reply = Self.byte(buffer, 1) else { return .needMoreData }
        guard reply == 0 else {
            throw SOCKS5Failure("the proxy could not connect to the target: \(Self.meaning(ofReply: reply))")
        }
        guard let addressType = Self.byte(buffer, 3) else { return .needMoreData }
        let addressLength: Int
        switch addressType {
        case 1:
            addressLength = 4
        case 4:
            addressLength = 16
        case 3:
            guard let nameLength = Self.byte(buffer, 4) else { return .needMoreData }
            addressLength = 1 + Int(nameLength)
        default:
            throw SOCKS5Failure("the proxy's reply has the unknown address type \(addressType)")
        }
        let length = 4 + addressLength + 2
        guard buffer.readableBytes >= length else { return .needMoreData }
        buffer.moveReaderIndex(forwardBy: length)
        state = .established
        return .established
    }

    /// The CONNECT request: VER 5, CMD 1, RSV 0, ATYP, DST.ADDR, DST.PORT.
    private func connectRequest() throws(SOCKS5Failure) -> ByteBuffer {
        guard (0...65535).contains(port) else {
            throw SOCKS5Failure("the target port \(port) is not between 0 and 65535")
        }
        var bytes: [UInt8] = [5, 1, 0]
        switch target {
        case .ipv4(let address) where address.count == 4:
            bytes.append(1)
            bytes += address
        case .ipv6(let address) where address.count == 16:
            bytes.append(4)
            bytes += address
        case .ipv4, .ipv6:
            throw SOCKS5Failure("the target address has the wrong number of bytes")
        case .domain(let name):
            let encoded = Array(name.utf8)
            guard !encoded.isEmpty else { throw SOCKS5Failure("the target host name is empty") }
            guard encoded.count <= 255 else {
                throw SOCKS5Failure("the target host name is longer than 255 bytes")
            }
            bytes += [3, UInt8(truncatingIfNeeded: encoded.count)]
            bytes += encoded
        }
        bytes += [UInt8(truncatingIfNeeded: port >> 8), UInt8(truncatingIfNeeded: port)]
        return ByteBuffer(bytes: bytes)
    }

    /// The RFC 1929 request: VER 1, ULEN, UNAME, PLEN, PASSWD.
    private static func authenticationRequest(_ credentials: Credentials) throws(SOCKS5Failure) -> ByteBuffer {
        let username = Array(credentials.username.utf8)
        let password = Array(credentials.password.utf8)
        guard !username.isEmpty else { throw SOCKS5Failure("the SOCKS5 username is empty") }
        guard username.count <= 255 else {
            throw SOCKS5Failure("the SOCKS5 username is longer than 255 bytes")
        }
        guard password.count <= 255 else {
            throw SOCKS5Failure("the SOCKS5 password is longer than 255 bytes")
        }
        var bytes: [UInt8] = [1, UInt8(truncatingIfNeeded: username.count)]
        bytes += username
        bytes.append(UInt8(truncatingIfNeeded: password.count))
        bytes += password
        return ByteBuffer(bytes: bytes)
    }

    /// What an RFC 1928 reply code means, with the code.
    static func meaning(ofReply code: UInt8) -> String {
        let meaning: String
        switch code {
        case 1: meaning = "general SOCKS server failure"
        case 2: meaning = "connection not allowed by ruleset"
        case 3: meaning = "network unreachable"
        case 4: meaning = "host unreachable"
        case 5: meaning = "connection refused"
        case 6: meaning = "TTL expired"
        case 7: meaning = "command not supported"
        case 8: meaning = "address type not supported"
        default: return "unknown reply code \(code)"
        }
        return "\(meaning) (reply code \(code))"
    }

    /// The byte `offset` bytes past the reader index, if it has arrived.
    private static func byte(_ buffer: ByteBuffer, _ offset: Int) -> UInt8? {
        buffer.getInteger(at: buffer.readerIndex + offset, as: UInt8.self)
    }

    private static func check(_ version: UInt8, expected: UInt8, in message: String) throws(SOCKS5Failure) {
        guard version == expected else {
            throw SOCKS5Failure(
                "the proxy's \(message) has version \(version), not \(expected); is it a SOCKS5 proxy?")
        }
    }
}

/// Why a SOCKS5 handshake failed: its `reason` is a sentence fragment naming the cause, never
/// with the password in it.
typealias SOCKS5Failure = ProxyHandshakeFailure
