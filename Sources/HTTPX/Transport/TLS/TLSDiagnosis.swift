#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import NIOCore
import NIOPosix
import NIOSSL

/// Finds out why a server's certificate failed verification, so the error can say so: BoringSSL
/// reports only "certificate verify failed". It looks at the certificate over a second,
/// unverified handshake whose connection is closed at once and carries no request.
enum TLSDiagnosis {
    /// A sentence such as "the server's certificate expired on 2026-11-23", or `nil` when the
    /// certificate cannot be fetched.
    static func explainVerificationFailure(
        key: PoolKey, timeout: Duration?, eventLoop: any EventLoop
    ) -> EventLoopFuture<String?> {
        let context: NIOSSLContext
        do {
            context = try TLSContextCache.context(for: TLSOptions(verification: .disabled))
        } catch {
            return eventLoop.makeSucceededFuture(nil)
        }
        let bootstrap = ClientBootstrap(group: eventLoop)
            .connectTimeout(TimeAmount(timeout ?? .seconds(5)))
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandlers([
                        try NIOSSLClientHandler(context: context, serverHostname: key.tlsServerName.isIPAddress ? nil : key.tlsServerName),
                        TLSHandshakeHandler(),
                    ])
                }
            }
        let connected = key.unixSocketPath.map { bootstrap.connect(unixDomainSocketPath: $0) }
            ?? bootstrap.connect(host: key.host, port: key.port)
        return connected.flatMap { channel -> EventLoopFuture<String?> in
            do {
                let tls = try channel.pipeline.syncOperations.handler(type: TLSHandshakeHandler.self)
                let ssl = NIOLoopBound(
                    try channel.pipeline.syncOperations.handler(type: NIOSSLClientHandler.self), eventLoop: channel.eventLoop)
                let handshake = tls.future ?? channel.eventLoop.makeSucceededFuture(nil)
                return handshake.map { _ in ssl.value.peerCertificate.map(describe) }
                    .always { _ in channel.close(promise: nil) }
            } catch {
                channel.close(promise: nil)
                return channel.eventLoop.makeSucceededFuture(nil)
            }
        }.recover { _ in nil }
    }

    static func describe(_ certificate: NIOSSLCertificate) -> String {
        let now = time(nil)
        if certificate.notValidAfter < now {
            return "the server's certificate expired on \(date(certificate.notValidAfter))"
        }
        if certificate.notValidBefore > now {
            return "the server's certificate is not valid before \(date(certificate.notValidBefore))"
        }
        let issuer = name(certificate.issuerName)
        if certificate.issuerName == certificate.subjectName {
            return "the server's certificate is self-signed (\(issuer)) and not trusted"
        }
        return "the server's certificate is signed by \(issuer), which is not a trusted CA"
    }

    private static func name(_ parts: [SSLCertificateName]) -> String {
        let shown = parts.filter { $0.type == .commonName || $0.type == .organization }.map(\.value)
        return shown.isEmpty ? "an unnamed issuer" : "'" + shown.joined(separator: ", ") + "'"
    }

    private static func date(_ time: time_t) -> String {
        var value = time
        var parts = tm()
        gmtime_r(&value, &parts)
        func two(_ number: Int32) -> String { number < 10 ? "0\(number)" : "\(number)" }
        return "\(parts.tm_year + 1900)-\(two(parts.tm_mon + 1))-\(two(parts.tm_mday)) \(two(parts.tm_hour)):\(two(parts.tm_min)) UTC"
    }
}
