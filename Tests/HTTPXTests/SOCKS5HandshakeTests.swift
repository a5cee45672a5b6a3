import NIOCore
import Testing

@testable import HTTPX

/// The SOCKS5 handshake state machine, fed the proxy's bytes without a socket.
@Suite("SOCKS5 handshake")
struct SOCKS5HandshakeTests {
    typealias Target = SOCKS5Handshake.Target

    static let ipv6Loopback: [UInt8] = Array(repeating: 0, count: 15) + [1]
    static let port443: [UInt8] = [0x01, 0xBB]
    /// A successful reply whose bound address is IPv4 10.0.0.1:8080.
    static let success: [UInt8] = [5, 0, 0, 1, 10, 0, 0, 1, 0x1F, 0x90]
    static let exampleCom: [UInt8] = [3, 11] + Array("example.com".utf8)
    /// Targets and the ATYP and address bytes of their CONNECT request.
    static let connectTargets: [(Target, [UInt8])] = [
        (.ipv4([127, 0, 0, 1]), [1, 127, 0, 0, 1]),
        (.ipv6(ipv6Loopback), [4] + ipv6Loopback),
        (.domain("example.com"), exampleCom),
    ]
    static let documentationIPv6: [UInt8] = [0x20, 0x01, 0x0D, 0xB8] + Array(repeating: 0, count: 11) + [8]
    static let hosts: [(String, Target)] = [
        ("127.0.0.1", .ipv4([127, 0, 0, 1])),
        ("::1", .ipv6(ipv6Loopback)),
        ("[::1]", .ipv6(ipv6Loopback)),
        ("[2001:db8::8]", .ipv6(documentationIPv6)),
        ("example.com", .domain("example.com")),
        ("1.2.3", .domain("1.2.3")),
    ]

    func handshake(_ target: Target = .domain("example.com"), credentials: (String, String)? = nil) -> SOCKS5Handshake {
        var machine = SOCKS5Handshake(
            target: target, port: 443, credentials: credentials.map { (username: $0.0, password: $0.1) })
        _ = machine.start()
        return machine
    }

    /// Feeds one message and expects it to be consumed whole.
    func feed(_ machine: inout SOCKS5Handshake, _ bytes: [UInt8]) throws -> SOCKS5Handshake.Action {
        var buffer = ByteBuffer(bytes: bytes)
        let action = try machine.receive(&buffer)
        #expect(buffer.readableBytes == 0, "exactly the message is consumed")
        return action
    }

    /// Feeds one message a byte at a time, expecting it to wait (consuming nothing) until the last.
    func feedByteByByte(_ machine: inout SOCKS5Handshake, _ bytes: [UInt8]) throws -> SOCKS5Handshake.Action {
        var buffer = ByteBuffer()
        for byte in bytes.dropLast() {
            buffer.writeInteger(byte)
            let action = try machine.receive(&buffer)
            #expect(action == .needMoreData)
        }
        #expect(buffer.readableBytes == bytes.count - 1, "nothing consumed while incomplete")
        buffer.writeBytes(bytes.suffix(1))
        let action = try machine.receive(&buffer)
        #expect(buffer.readableBytes == 0)
        return action
    }

    /// The reason feeding `bytes` fails; nil when it does not.
    func failure(_ machine: inout SOCKS5Handshake, _ bytes: [UInt8]) -> String? {
        var buffer = ByteBuffer(bytes: bytes)
        do throws(SOCKS5Failure) {
            _ = try machine.receive(&buffer)
            return nil
        } catch {
            return error.reason
        }
    }

    func send(_ bytes: [UInt8]) -> SOCKS5Handshake.Action { .send(ByteBuffer(bytes: bytes)) }

    @Test func greetingOffersUsernameAndPasswordOnlyWithCredentials() {
        var plain = SOCKS5Handshake(target: .domain("example.com"), port: 443, credentials: nil)
        let greeting = plain.start()
        #expect(greeting == ByteBuffer(bytes: [5, 1, 0x00]))
        var authenticated = SOCKS5Handshake(
            target: .domain("example.com"), port: 443, credentials: (username: "user", password: "secret"))
        let offer = authenticated.start()
        #expect(offer == ByteBuffer(bytes: [5, 2, 0x00, 0x02]))
    }

    @Test(arguments: SOCKS5HandshakeTests.connectTargets)
    func connectsWithoutAuthentication(target: Target, address: [UInt8]) throws {
        var machine = handshake(target)
        let request: [UInt8] = [5, 1, 0] + address + Self.port443
        let method = try feed(&machine, [5, 0x00])
        #expect(method == send(request))
        let reply = try feed(&machine, Self.success)
        #expect(reply == .established)
    }

    @Test(arguments: SOCKS5HandshakeTests.hosts)
    func targetFromHost(host: String, target: Target) {
        #expect(Target(host: host) == target)
    }

    @Test func authenticatesWithUsernameAndPassword() throws {
        var machine = handshake(credentials: ("user", "secret"))
        let authentication: [UInt8] = [1, 4] + Array("user".utf8) + [6] + Array("secret".utf8)
        let method = try feed(&machine, [5, 0x02])
        #expect(method == send(authentication))
        let request: [UInt8] = [5, 1, 0] + Self.exampleCom + Self.port443
        let status = try feed(&machine, [1, 0])
        #expect(status == send(request))
        let reply = try feed(&machine, Self.success)
        #expect(reply == .established)
    }

    @Test func proxyMayChooseNoAuthenticationWhenCredentialsAreOffered() throws {
        var machine = handshake(.ipv4([10, 0, 0, 2]), credentials: ("user", "secret"))
        let request: [UInt8] = [5, 1, 0, 1, 10, 0, 0, 2] + Self.port443
        let method = try feed(&machine, [5, 0x00])
        #expect(method == send(request))
    }

    @Test func messagesSplitIntoSingleBytes() throws {
        var machine = handshake(credentials: ("user", "secret"))
        let method = try feedByteByByte(&machine, [5, 0x02])
        guard case .send = method else {
            Issue.record("the method selection must be answered with the credentials")
            return
        }
        let status = try feedByteByByte(&machine, [1, 0])
        guard case .send = status else {
            Issue.record("the authentication status must be answered with the request")
            return
        }
        let domainReply: [UInt8] = [5, 0, 0, 3, 9] + Array("proxy.lan".utf8) + [0x04, 0x38]
        let reply = try feedByteByByte(&machine, domainReply)
        #expect(reply == .established)

        var ipv6 = handshake()
        _ = try feed(&ipv6, [5, 0x00])
        let ipv6Reply: [UInt8] = [5, 0, 0, 4] + Self.ipv6Loopback + [0x04, 0x38]
        let action = try feedByteByByte(&ipv6, ipv6Reply)
        #expect(action == .established)
    }

    @Test func bytesAfterTheReplyStayInTheBuffer() throws {
        var machine = handshake()
        _ = try feed(&machine, [5, 0x00])
        var buffer = ByteBuffer(bytes: Self.success + [0x16, 0x03, 0x01])
        let action = try machine.receive(&buffer)
        #expect(action == .established)
        #expect(buffer == ByteBuffer(bytes: [0x16, 0x03, 0x01]), "they belong to the tunnelled protocol")
    }

    @Test func proxyAskingForCredentialsThatWereNotGivenFails() {
        var machine = handshake()
        let reason = failure(&machine, [5, 0x02])
        #expect(reason?.contains("requires a username and password") == true)
    }

    @Test func noAcceptableMethodFails() {
        var machine = handshake(credentials: ("user", "secret"))
        let none = failure(&machine, [5, 0xFF])
        #expect(none == "the proxy accepts none of the offered authentication methods")
        var gssapi = handshake()
        let unoffered = failure(&gssapi, [5, 0x01])
        #expect(unoffered?.contains("was not offered") == true)
    }

    @Test func rejectedCredentialsFailWithoutNamingThePassword() throws {
        var machine = handshake(credentials: ("user", "hunter2"))
        _ = try feed(&machine, [5, 0x02])
        let failed = failure(&machine, [1, 1])
        let reason = try #require(failed)
        #expect(reason.contains("rejected the username or password"))
        #expect(!reason.contains("hunter2"))
    }

    @Test(arguments: [
        (UInt8(1), "general SOCKS server failure (reply code 1)"),
        (2, "connection not allowed by ruleset (reply code 2)"),
        (3, "network unreachable (reply code 3)"),
        (4, "host unreachable (reply code 4)"),
        (5, "connection refused (reply code 5)"),
        (6, "TTL expired (reply code 6)"),
        (7, "command not supported (reply code 7)"),
        (8, "address type not supported (reply code 8)"),
        (9, "unknown reply code 9"),
    ])
    func failedReplyNamesItsCause(code: UInt8, meaning: String) throws {
        var machine = handshake()
        _ = try feed(&machine, [5, 0x00])
        let reason = failure(&machine, [5, code, 0, 1, 0, 0, 0, 0, 0, 0])
        #expect(reason == "the proxy could not connect to the target: \(meaning)")
    }

    @Test func wrongVersionsFail() throws {
        var http = handshake()
        let notSOCKS = failure(&http, Array("HTTP/1.1 400 Bad Request\r\n".utf8))
        #expect(notSOCKS?.contains("version 72") == true, "an HTTP proxy answers with 'H'")
        var authentication = handshake(credentials: ("user", "secret"))
        _ = try feed(&authentication, [5, 0x02])
        let status = failure(&authentication, [5, 0])
        #expect(status != nil, "the RFC 1929 status has version 1")
        var reply = handshake()
        _ = try feed(&reply, [5, 0x00])
        let socks4 = failure(&reply, [4, 0, 0, 1, 0, 0, 0, 0, 0, 0])
        #expect(socks4 != nil)
    }

    @Test func unknownAddressTypeInTheReplyFails() throws {
        var machine = handshake()
        _ = try feed(&machine, [5, 0x00])
        let reason = failure(&machine, [5, 0, 0, 7, 0, 0])
        #expect(reason?.contains("address type 7") == true)
    }

    @Test func dataOutsideTheHandshakeFails() throws {
        var early = SOCKS5Handshake(target: .domain("example.com"), port: 443, credentials: nil)
        let beforeGreeting = failure(&early, [5, 0x00])
        #expect(beforeGreeting != nil, "nothing is expected before the greeting")

        var late = handshake()
        _ = try feed(&late, [5, 0x00])
        _ = try feed(&late, Self.success)
        let afterReply = failure(&late, [1])
        #expect(afterReply != nil, "nothing is expected after the reply")

        var failed = handshake()
        _ = failure(&failed, [5, 0xFF])
        let again = failure(&failed, [5, 0x00])
        #expect(again != nil, "a failed handshake stays failed")
    }

    @Test func overlongHostNameFailsBeforeAnythingIsSent() {
        let name = String(repeating: "a", count: 256)
        var plain = handshake(.domain(name))
        let reason = failure(&plain, [5, 0x00])
        #expect(reason?.contains("longer than 255 bytes") == true)
        var authenticated = handshake(.domain(name), credentials: ("user", "secret"))
        let beforeCredentials = failure(&authenticated, [5, 0x02])
        #expect(beforeCredentials != nil, "not even the credentials are sent")
        var longest = handshake(.domain(String(repeating: "a", count: 255)))
        let accepted = failure(&longest, [5, 0x00])
        #expect(accepted == nil, "255 bytes is the limit, not past it")
    }

    @Test(arguments: [
        ("", "secret", "username is empty"),
        (String(repeating: "u", count: 256), "secret", "username is longer than 255 bytes"),
        ("user", String(repeating: "p", count: 256), "password is longer than 255 bytes"),
    ])
    func invalidCredentialsFail(username: String, password: String, reason: String) {
        var machine = handshake(credentials: (username, password))
        let failed = failure(&machine, [5, 0x02])
        #expect(failed?.contains(reason) == true)
    }
}
