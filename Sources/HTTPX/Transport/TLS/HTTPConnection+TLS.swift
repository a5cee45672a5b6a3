import NIOCore
import NIOSSL

extension HTTPConnection {
    /// Starts TLS on a connected channel, inside whatever the channel already speaks (TLS to
    /// an HTTPS proxy, a tunnel), and returns the protocol ALPN chose once the handshake is
    /// done. No SNI is sent for an IP address. With `checkIdentity`, the certificate must
    /// name `serverName` (see ``TLSIdentity``); the context must then leave that check out.
    static func startTLS(
        on channel: any Channel, context: NIOSSLContext, serverName: String, checkIdentity: Bool = false
    ) -> EventLoopFuture<String?> {
        do {
            let pipeline = channel.pipeline.syncOperations
            let pending = try pipeline.handler(type: PendingReadsHandler.self)
            let handshake = TLSHandshakeHandler()
            let tls = try NIOSSLClientHandler(context: context, serverHostname: serverName.isIPAddress ? nil : serverName)
            try pipeline.addHandler(tls, position: .before(pending))
            try pipeline.addHandler(handshake, position: .before(pending))
            guard let done = handshake.future else {
                return channel.eventLoop.makeFailedFuture(HTTPXError(.connectError, "TLS was not set up"))
            }
            guard checkIdentity else { return done }
            let bound = NIOLoopBound(tls, eventLoop: channel.eventLoop)
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

    /// The TLS options of an `https` proxy: its own trust and client certificate, HTTP/1.1.
    static func tlsOptions(of proxy: Proxy, base: TLSOptions) -> TLSOptions {
        TLSOptions(
            verification: proxy.verify, clientCertificate: proxy.cert, minimumVersion: base.minimumVersion,
            trustEnv: base.trustEnv, applicationProtocols: ["http/1.1"])
    }
}
