import NIOCore

/// Reads the cipher suite the server chose from its ServerHello, which crosses the wire in
/// the clear in every TLS version, as the bytes pass on to the TLS handler untouched.
/// SwiftNIO SSL does not expose the negotiated cipher; this is installed only when a request
/// is observed, and leaves the pipeline once it has the answer or gives up.
final class ServerHelloSniffer: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    /// The most bytes looked at: a ServerHello's cipher sits well inside its first record.
    static let limit = 512

    /// What arrived so far; `nil` once the cipher is known or the bytes are not a ServerHello.
    private var seen: ByteBuffer? = ByteBuffer()
    private(set) var cipher: UInt16?

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if var collected = seen {
            var bytes = unwrapInboundIn(data)
            collected.writeBuffer(&bytes)
            switch Self.cipher(in: collected) {
            case .found(let value):
                cipher = value
                seen = nil
            case .notYet where collected.readableBytes < Self.limit: seen = collected
            default: seen = nil
            }
        }
        context.fireChannelRead(data)
        if seen == nil { context.pipeline.syncOperations.removeHandler(context: context, promise: nil) }
    }

    enum Outcome: Equatable {
        case found(UInt16)
        case notYet
        case notAServerHello
    }

    /// The cipher suite of the ServerHello at the start of `bytes`: record header (5 bytes),
    /// handshake header (4), version (2), random (32), session id (1 + its length), cipher (2).
    static func cipher(in bytes: ByteBuffer) -> Outcome {
        let start = bytes.readerIndex
        guard let contentType = bytes.getInteger(at: start, as: UInt8.self) else { return .notYet }
        guard contentType == 22 else { return .notAServerHello }
        guard let handshakeType = bytes.getInteger(at: start + 5, as: UInt8.self) else { return .notYet }
        guard handshakeType == 2 else { return .notAServerHello }
        guard let sessionIDLength = bytes.getInteger(at: start + 43, as: UInt8.self) else { return .notYet }
        guard let cipher = bytes.getInteger(at: start + 44 + Int(sessionIDLength), as: UInt16.self) else { return .notYet }
        return .found(cipher)
    }

    /// The standard name of a cipher suite from its code point.
    static func name(of cipher: UInt16) -> String {
        switch cipher {
        case 0x1301: "TLS_AES_128_GCM_SHA256"
        case 0x1302: "TLS_AES_256_GCM_SHA384"
        case 0x1303: "TLS_CHACHA20_POLY1305_SHA256"
        case 0xC02B: "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"
        case 0xC02C: "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384"
        case 0xC02F: "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"
        case 0xC030: "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384"
        case 0xCCA8: "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256"
        case 0xCCA9: "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256"
        case 0xC009: "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA"
        case 0xC00A: "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA"
        case 0xC013: "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA"
        case 0xC014: "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA"
        case 0x009C: "TLS_RSA_WITH_AES_128_GCM_SHA256"
        case 0x009D: "TLS_RSA_WITH_AES_256_GCM_SHA384"
        case 0x002F: "TLS_RSA_WITH_AES_128_CBC_SHA"
        case 0x0035: "TLS_RSA_WITH_AES_256_CBC_SHA"
        default: "0x" + String(cipher, radix: 16, uppercase: true)
        }
    }
}
