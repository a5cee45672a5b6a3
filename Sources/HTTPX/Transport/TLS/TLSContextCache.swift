#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import NIOCore
import NIOSSL
import Synchronization

/// TLS contexts built once per distinct configuration and shared by every client and
/// connection that uses it, so creating a client never parses a CA bundle.
enum TLSContextCache {
    private struct Key: Hashable {
        let options: TLSOptions
        /// `SSL_CERT_FILE` and `SSL_CERT_DIR` when the environment is trusted.
        let environment: [String?]
        /// `SSLKEYLOGFILE` when the environment is trusted.
        let keyLogFile: String?
    }

    private static let contexts = Mutex<[Key: NIOSSLContext]>([:])

    /// The context for `options`, made on first use.
    static func context(for options: TLSOptions) throws -> NIOSSLContext {
        let environment = options.trustEnv && options.verification == .system
            ? [variable("SSL_CERT_FILE"), variable("SSL_CERT_DIR")] : []
        let keyLogFile = options.trustEnv ? variable("SSLKEYLOGFILE") : nil
        let key = Key(options: options, environment: environment, keyLogFile: keyLogFile)
        if let cached = contexts.withLock({ $0[key] }) { return cached }
        let context = try makeContext(
            options, certFile: environment.first ?? nil, certDir: environment.last ?? nil, keyLogFile: keyLogFile)
        return contexts.withLock { contexts in
            if let raced = contexts[key] { return raced }
            contexts[key] = context
            return context
        }
    }

    private static func makeContext(
        _ options: TLSOptions, certFile: String?, certDir: String?, keyLogFile: String?
    ) throws -> NIOSSLContext {
        var configuration: TLSConfiguration
        switch options.verification {
        case .configuration(let given):
            configuration = given
        case .disabled:
            configuration = .makeClientConfiguration()
            configuration.certificateVerification = .none
        case .caBundle(let path):
            configuration = .makeClientConfiguration()
            guard access(path, R_OK) == 0 else {
                throw HTTPXError(.connectError, "Cannot read the CA bundle '\(path)': \(String(cString: strerror(errno)))")
            }
            configuration.trustRoots = .file(path)
        case .system:
            configuration = .makeClientConfiguration()
            if let certFile, access(certFile, R_OK) == 0 {
                configuration.trustRoots = .file(certFile)
            } else if let certDir, access(certDir, R_OK) == 0 {
                configuration.trustRoots = .file(certDir)
            } else {
                configuration.trustRoots = .default
            }
        }
        // What the transport speaks is its to say, whatever a given configuration lists; a
        // given configuration keeps a stricter minimum version and its own client certificate
        // unless `cert:` names one.
        configuration.applicationProtocols = options.applicationProtocols
        if case .configuration(let given) = options.verification {
            configuration.minimumTLSVersion = Self.stricter(given.minimumTLSVersion, options.minimumVersion)
        } else {
            configuration.minimumTLSVersion = options.minimumVersion
            // A closing connection waits this long for the server's close_notify before the
            // socket goes (NIOSSL's 5 s default kept closed connections' sockets open for
            // seconds: nginx does not answer on HTTP/2).
            configuration.shutdownTimeout = Self.shutdownTimeout
        }
        if let certificate = options.clientCertificate {
            try apply(certificate, to: &configuration)
        }
        if options.checksIdentityItself && configuration.certificateVerification == .fullVerification {
            // The chain is still verified; the name is checked after the handshake.
            configuration.certificateVerification = .noHostnameVerification
        }
        if let keyLogFile {
            // As curl and httpx do with SSLKEYLOGFILE: the session secrets, in the NSS key log
            // format, so a packet capture can be decrypted (Wireshark).
            let log = try KeyLogFile(path: keyLogFile)
            configuration.keyLogCallback = { line in log.append(line) }
        }
        do {
            return try NIOSSLContext(configuration: configuration)
        } catch {
            throw HTTPXError(.connectError, "Cannot set up TLS: \(error)", underlying: error)
        }
    }

    /// How long a closing TLS connection waits for the server's close_notify.
    static let shutdownTimeout = TimeAmount.seconds(1)

    private static func stricter(_ a: TLSVersion, _ b: TLSVersion) -> TLSVersion {
        let order: [TLSVersion] = [.tlsv1, .tlsv11, .tlsv12, .tlsv13]
        return (order.firstIndex(of: a) ?? 0) >= (order.firstIndex(of: b) ?? 0) ? a : b
    }

    private static func apply(_ certificate: ClientCertificate, to configuration: inout TLSConfiguration) throws {
        do {
            let chain = try NIOSSLCertificate.fromPEMFile(certificate.certificatePath)
            configuration.certificateChain = chain.map { .certificate($0) }
            let keyPath = certificate.keyPath ?? certificate.certificatePath
            let key: NIOSSLPrivateKey
            if let password = certificate.password {
                key = try NIOSSLPrivateKey(file: keyPath, format: .pem) { (setter: NIOSSLPassphraseSetter<[UInt8]>) in
                    setter(Array(password.utf8))
                }
            } else {
                key = try NIOSSLPrivateKey(file: keyPath, format: .pem)
            }
            configuration.privateKey = .privateKey(key)
        } catch {
            throw HTTPXError(
                .connectError,
                "Cannot load the client certificate '\(certificate.certificatePath)' or its key: \(error)",
                underlying: error)
        }
    }

    private static func variable(_ name: String) -> String? {
        guard let value = getenv(name) else { return nil }
        let text = String(cString: value)
        return text.isEmpty ? nil : text
    }
}

/// An `SSLKEYLOGFILE`: lines appended as TLS handshakes produce them, from any thread.
final class KeyLogFile: Sendable {
    private let descriptor: Int32

    init(path: String) throws {
        let fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            throw HTTPXError(
                .connectError, "Cannot open SSLKEYLOGFILE '\(path)': \(String(cString: strerror(errno)))")
        }
        descriptor = fd
    }

    deinit {
        close(descriptor)
    }

    /// Appends one line (a single `write` of an `O_APPEND` file, so lines never interleave).
    func append(_ line: ByteBuffer) {
        var bytes = Array(line.readableBytesView)
        if bytes.last != UInt8(ascii: "\n") { bytes.append(UInt8(ascii: "\n")) }
        _ = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
    }
}
