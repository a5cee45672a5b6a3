import NIOSSL

/// How a client verifies the servers it connects to over HTTPS: httpx's `verify=`.
///
/// ```swift
/// let client = AsyncClient()                                      // .system: the OS trust store
/// let local = AsyncClient(.init(verify: .caBundle("/tmp/client.pem")))   // a CA bundle (file or folder)
/// let reckless = AsyncClient(.init(verify: .disabled))                   // no verification at all
/// ```
///
/// TLS settings belong to a client and its pool, not to single requests: use another client
/// for other settings.
public enum TLSVerification: Sendable, Hashable {
    /// The system's trust store (on Debian, `/etc/ssl/certs`). With `trustEnv`, the
    /// `SSL_CERT_FILE` and `SSL_CERT_DIR` environment variables replace it.
    case system
    /// Trust the certificates of a PEM file, or of a folder of PEM files.
    case caBundle(String)
    /// Verify nothing: not the chain, not the host name. For tests against self-signed servers.
    case disabled
    /// A complete SwiftNIO SSL configuration, for what the options here don't cover. The
    /// transport sets its ALPN protocols (so `http2: true` offers `h2`), a client certificate
    /// given with `cert:` replaces the configuration's, and the stricter of the two minimum
    /// TLS versions applies; the rest is used as it is.
    case configuration(TLSConfiguration)

    public static func == (lhs: TLSVerification, rhs: TLSVerification) -> Bool {
        switch (lhs, rhs) {
        case (.system, .system), (.disabled, .disabled): true
        case (.caBundle(let a), .caBundle(let b)): a == b
        case (.configuration(let a), .configuration(let b)): a.bestEffortEquals(b)
        default: false
        }
    }

    public func hash(into hasher: inout Hasher) {
        switch self {
        case .system: hasher.combine(0)
        case .disabled: hasher.combine(1)
        case .caBundle(let path):
            hasher.combine(2)
            hasher.combine(path)
        case .configuration(let configuration):
            hasher.combine(3)
            configuration.bestEffortHash(into: &hasher)
        }
    }
}

/// A client certificate for mutual TLS: httpx's `cert=`.
///
/// ```swift
/// let client = AsyncClient(.init(cert: ClientCertificate(
///     certificatePath: "client.pem", keyPath: "client.key", password: "secret")))
/// ```
public struct ClientCertificate: Sendable, Hashable {
    /// A PEM file with the certificate, optionally followed by its chain.
    public var certificatePath: String
    /// A PEM file with the private key; `nil` when it is in `certificatePath` too.
    public var keyPath: String?
    /// The password of an encrypted key.
    public var password: String?

    public init(certificatePath: String, keyPath: String? = nil, password: String? = nil) {
        self.certificatePath = certificatePath
        self.keyPath = keyPath
        self.password = password
    }
}

/// Everything that decides a TLS context: what the transport caches contexts by.
struct TLSOptions: Sendable, Hashable {
    var verification: TLSVerification = .system
    var clientCertificate: ClientCertificate?
    var minimumVersion: TLSVersion = .tlsv12
    var trustEnv = true
    var applicationProtocols: [String] = ["http/1.1"]
    /// Whether the origin's identity is checked by ``TLSIdentity`` after the handshake rather
    /// than by NIOSSL (for TLS through a tunnel, where the socket's peer is the proxy).
    var checksIdentityItself = false

    /// Whether these options verify the server's host name at all.
    var verifiesHostName: Bool {
        switch verification {
        case .system, .caBundle: true
        case .disabled: false
        case .configuration(let configuration): configuration.certificateVerification == .fullVerification
        }
    }
}
