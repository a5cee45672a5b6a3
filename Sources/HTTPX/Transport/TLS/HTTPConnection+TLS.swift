#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import NIOCore
import NIOSSL

extension HTTPConnection {
    /// Starts TLS on a connected channel, inside whatever the channel already speaks (TLS to
    /// an HTTPS proxy, a tunnel), and returns the protocol ALPN chose once the handshake is
    /// done. No SNI is sent for an IP address. With `checkIdentity`, the certificate must
    /// name `serverName` (see ``TLSIdentity``); the context must then leave that check out.
    static func startTLS(
        on channel: any Channel, context: NIOSSLContext, serverName: String, checkIdentity: Bool = false,
        observer: RequestObserver? = nil
    ) -> EventLoopFuture<String?> {
        do {
            let pipeline = channel.pipeline.syncOperations
            let pending = try pipeline.handler(type: PendingReadsHandler.self)
            let handshake = TLSHandshakeHandler()
            let tls = try NIOSSLClientHandler(context: context, serverHostname: serverName.isIPAddress ? nil : serverName)
            try pipeline.addHandler(tls, position: .before(pending))
            try pipeline.addHandler(handshake, position: .before(pending))
            guard var done = handshake.future else {
                return channel.eventLoop.makeFailedFuture(HTTPXError(.connectError, "TLS was not set up"))
            }
            let bound = NIOLoopBound(tls, eventLoop: channel.eventLoop)
            if let observer {
                let sniffer = ServerHelloSniffer()
                try pipeline.addHandler(sniffer, position: .before(tls))
                let sniffed = NIOLoopBound(sniffer, eventLoop: channel.eventLoop)
                done = done.map { negotiated in
                    observer(.tlsHandshakeCompleted(
                        details(of: bound.value, serverName: serverName, alpn: negotiated, cipher: sniffed.value.cipher)))
                    return negotiated
                }
            }
            guard checkIdentity else { return done }
            return done.flatMapThrowing { negotiated in
                guard let certificate = bound.value.peerCertificate,
                    TLSIdentity.certificate(certificate, isValidFor: serverName)
                else {
                    throw HTTPXError(
                        .connectError, "TLS with \(serverName) failed: the server's certificate is not valid for this host name")
                }
                return negotiated
            }
        } catch {
            return channel.eventLoop.makeFailedFuture(error)
        }
    }

    /// What the finished handshake of `tls` agreed on.
    private static func details(of tls: NIOSSLClientHandler, serverName: String, alpn: String?, cipher: UInt16?) -> TLSDetails {
        let certificate = tls.peerCertificate
        let subject = certificate?.subjectName.map { "\(Self.abbreviation(of: $0.type))=\($0.value)" }
            .joined(separator: ", ")
        return TLSDetails(
            serverName: serverName, version: tls.tlsVersion.map(Self.name(of:)), cipher: cipher.map(ServerHelloSniffer.name(of:)),
            alpn: alpn, peerSubject: subject,
            peerNotValidAfter: certificate.map { Date(timeIntervalSince1970: TimeInterval($0.notValidAfter)) })
    }

    private static func abbreviation(of type: SSLCertificateNameType) -> String {
        switch type {
        case .commonName: "CN"
        case .organization: "O"
        case .organizationalUnit: "OU"
        case .country: "C"
        case .state: "ST"
        case .city: "L"
        case .emailAddress: "emailAddress"
        case .userId: "UID"
        default: "?"
        }
    }

    private static func name(of version: TLSVersion) -> String {
        switch version {
        case .tlsv1: "TLSv1"
        case .tlsv11: "TLSv1.1"
        case .tlsv12: "TLSv1.2"
        case .tlsv13: "TLSv1.3"
        }
    }

    /// The TLS options of an `https` proxy: its own trust and client certificate, HTTP/1.1.
    static func tlsOptions(of proxy: Proxy, base: TLSOptions) -> TLSOptions {
        TLSOptions(
            verification: proxy.verify, clientCertificate: proxy.cert, minimumVersion: base.minimumVersion,
            trustEnv: base.trustEnv, applicationProtocols: ["http/1.1"])
    }
}
