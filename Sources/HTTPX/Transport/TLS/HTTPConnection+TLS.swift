import NIOCore
import NIOSSL

extension HTTPConnection {
    /// Starts TLS on a connected channel, inside whatever the channel already speaks (TLS to
    /// an HTTPS proxy, a tunnel), and returns the protocol ALPN chose once the handshake is
    /// done. No SNI is sent for an IP address.
    static func startTLS(on channel: any Channel, context: NIOSSLContext, serverName: String) -> EventLoopFuture<String?> {
        do {
            let pipeline = channel.pipeline.syncOperations
            let pending = try pipeline.handler(type: PendingReadsHandler.self)
            let handshake = TLSHandshakeHandler()
            try pipeline.addHandler(
                try NIOSSLClientHandler(context: context, serverHostname: serverName.isIPAddress ? nil : serverName),
                position: .before(pending))
            try pipeline.addHandler(handshake, position: .before(pending))
            return handshake.future ?? channel.eventLoop.makeFailedFuture(HTTPXError(.connectError, "TLS was not set up"))
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
