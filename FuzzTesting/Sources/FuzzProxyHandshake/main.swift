// Fuzzes the two proxy handshakes, whose input is what a proxy server sends before the
// tunnel opens: the response head to an HTTP `CONNECT` (`HTTPConnectHandshake`: status line,
// interim 1xx responses, the head size limit) and the SOCKS5 method choice, RFC 1929 status
// and CONNECT reply (`SOCKS5Handshake`). The bytes arrive in pieces, and each handshake is
// driven as `ProxyHandshakeHandler` drives it until it is established, fails, or runs out of
// bytes.
//
// Input: the first byte picks the handshake (and, for SOCKS5, whether credentials are
// offered and the target's address type) and the piece size; the rest is the proxy's bytes.
import FuzzSupport
import NIOCore
@testable import HTTPX

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ start: UnsafePointer<UInt8>, _ count: Int) -> CInt {
    guard let bytes = FuzzInput.bytes(start, count), let selector = bytes.first else { return 0 }
    let pieceSize = FuzzInput.pieceSizes[Int(selector >> 5) % FuzzInput.pieceSizes.count]
    let pieces = FuzzInput.pieces(Array(bytes.dropFirst()), size: pieceSize)
    if selector & 1 == 0 {
        var handshake = HTTPConnectHandshake(
            host: "origin.example", port: 443, headers: [("Proxy-Authorization", "Basic dXNlcjpwYXNz")])
        drive(&handshake, pieces: pieces)
    } else {
        let targets: [SOCKS5Handshake.Target] = [
            .domain("origin.example"), .ipv4([192, 0, 2, 1]), SOCKS5Handshake.Target(host: "[2001:db8::1]"),
            .domain(""),
        ]
        let target = targets[Int(selector >> 1) & 3]
        let credentials = selector & 8 == 0 ? nil : (username: "user", password: "pass")
        var handshake = SOCKS5Handshake(target: target, port: 443, credentials: credentials)
        drive(&handshake, pieces: pieces)
    }
    return 0
}

/// Feeds the proxy's bytes as a channel handler would: appended to what is left over, and
/// handed to the handshake until it needs more, is established, or fails.
private func drive(_ handshake: inout some ProxyHandshake, pieces: [[UInt8]]) {
    _ = handshake.start()
    var buffer = ByteBuffer()
    for piece in pieces {
        buffer.writeBytes(piece)
        // A handshake asks for at most a few exchanges; the bound only guards against a loop.
        exchanges: for _ in 0..<64 {
            let before = buffer.readableBytes
            let action: ProxyHandshakeAction
            do {
                action = try handshake.receive(&buffer)
            } catch {
                _ = error.reason
                return
            }
            precondition(buffer.readableBytes <= before, "a handshake must not add bytes to the buffer")
            switch action {
            case .established:
                // What is left belongs to the tunnelled protocol.
                return
            case .needMoreData:
                break exchanges
            case .send(let reply):
                // `ProxyHandshakeHandler` feeds the same buffer again after a send, with no
                // bound: a send that consumed nothing would loop there forever.
                precondition(buffer.readableBytes < before, "a handshake asked to send without consuming the reply")
                _ = reply.readableBytes
            }
        }
    }
}
