#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import NIOSSL
import Testing

@testable import HTTPX

/// HTTPS against nginx with trustme certificates, and against in-test TLS servers for what
/// nginx won't do (reject a client certificate in the handshake).
@Suite("Interop: TLS", Interop.enabled(Interop.tls), .serialized, .timeLimit(.minutes(2)))
struct TLSInteropTests {
    var certs: String { Interop.certs ?? "/nonexistent" }
    var caBundle: TLSVerification { .caBundle(certs + "/ca.pem") }

    func url(_ peer: String?, _ path: String = "/") throws -> String {
        try Interop.url(peer, "TLS nginx") + path
    }

    @Test func httpsToALocalServerWithItsCA() async throws {
        // The seed's walkthrough: trustme certificates, the client told to trust client.pem.
        let r = try await AsyncClient(.init(verify: caBundle)).get(try url(Interop.tls, "/hello"))
        #expect(r.statusCode == 200)
        #expect(try r.text.hasPrefix("hello over HTTP/1.1 with TLSv1."))
        #expect(r.httpVersion == "HTTP/1.1")
    }

    @Test func caBundleAsAFolder() async throws {
        let client = AsyncClient(.init(verify: .caBundle(certs + "/ca-dir")))
        #expect(try await client.get(try url(Interop.tls, "/hello")).statusCode == 200)
    }

    @Test func ipAddressHostsAreVerifiedToo() async throws {
        let port = try #require(Interop.tls?.split(separator: ":").last)
        let r = try await AsyncClient(.init(verify: caBundle)).get("https://127.0.0.1:\(port)/hello")
        #expect(r.statusCode == 200)
    }

    /// The host name goes in the handshake (SNI), and an address does not (RFC 6066 §3).
    @Test func serverNameIndicationIsSent() async throws {
        let client = AsyncClient(.init(verify: caBundle))
        #expect(try await client.get(try url(Interop.tls, "/sni")).text == "sni=localhost")
        let port = try #require(Interop.tls?.split(separator: ":").last)
        #expect(try await client.get("https://127.0.0.1:\(port)/sni").text == "sni=")
    }

    /// httpx's `sni_hostname`: the name sent and verified, whatever the URL's host; connections
    /// are pooled per name.
    @Test func sniHostnameReplacesTheURLsHostInTLS() async throws {
        let client = AsyncClient(.init(verify: caBundle))
        let port = try #require(Interop.tls?.split(separator: ":").last)
        var extensions = RequestExtensions()
        extensions.sniHostname = "localhost"
        #expect(try await client.get("https://127.0.0.1:\(port)/sni", extensions: extensions).text == "sni=localhost")
        #expect(try await client.get("https://127.0.0.1:\(port)/sni").text == "sni=", "a connection of its own")
        extensions.sniHostname = "wrong.example"
        let wrong = await expectHTTPXError(.connectError) {
            _ = try await client.get("https://127.0.0.1:\(port)/sni", extensions: extensions)
        }
        #expect(wrong?.message.contains("wrong.example") == true || wrong?.message.contains("certificate") == true, "\(String(describing: wrong))")
        await client.close()
    }

    /// A certificate for 127.0.0.1 only is refused for ::1 (and for a host name).
    @Test func anAddressTheCertificateDoesNotNameFails() async throws {
        let client = AsyncClient(.init(verify: caBundle))
        let port = try #require(Interop.tlsIPOnly?.split(separator: ":").last)
        #expect(try await client.get("https://127.0.0.1:\(port)/").text == "ip only")
        let other = await expectHTTPXError(.connectError) { _ = try await client.get("https://[::1]:\(port)/") }
        #expect(other?.message.contains("not valid for this host name") == true, "\(String(describing: other))")
        await expectHTTPXError(.connectError) { _ = try await client.get("https://localhost:\(port)/") }
    }

    @Test func systemTrustDoesNotKnowTheTestCA() async throws {
        let saved = (getenv("SSL_CERT_FILE").map { String(cString: $0) }, getenv("SSL_CERT_DIR").map { String(cString: $0) })
        defer { restore("SSL_CERT_FILE", saved.0); restore("SSL_CERT_DIR", saved.1) }
        unsetenv("SSL_CERT_FILE")
        unsetenv("SSL_CERT_DIR")
        let error = await expectHTTPXError(.connectError) {
            _ = try await AsyncClient().get(try url(Interop.tls, "/hello"))
        }
        #expect(error?.message.contains("which is not a trusted CA") == true, "\(String(describing: error))")

        // With trust-env, SSL_CERT_FILE replaces the system store...
        setenv("SSL_CERT_FILE", certs + "/ca.pem", 1)
        #expect(try await AsyncClient().get(try url(Interop.tls, "/hello")).statusCode == 200)
        // ...and without it, it does not.
        await expectHTTPXError(.connectError) {
            _ = try await AsyncClient(.init(trustEnv: false)).get(try url(Interop.tls, "/hello"))
        }
        unsetenv("SSL_CERT_FILE")
        setenv("SSL_CERT_DIR", certs + "/ca-dir", 1)
        #expect(try await AsyncClient().get(try url(Interop.tls, "/hello")).statusCode == 200)
    }

    func restore(_ name: String, _ value: String?) {
        if let value { setenv(name, value, 1) } else { unsetenv(name) }
    }

    @Test func badCertificatesFailWithTheirCause() async throws {
        let client = AsyncClient(.init(verify: caBundle))
        let expired = await expectHTTPXError(.connectError) { _ = try await client.get(try url(Interop.tlsExpired)) }
        #expect(expired?.message.contains("the server's certificate expired on ") == true)
        let wrongHost = await expectHTTPXError(.connectError) { _ = try await client.get(try url(Interop.tlsWrongHost)) }
        #expect(wrongHost?.message.contains("not valid for this host name") == true)
        let unknown = await expectHTTPXError(.connectError) { _ = try await client.get(try url(Interop.tlsUnknownCA)) }
        #expect(unknown?.message.contains("which is not a trusted CA") == true)
        // A plain HTTP server behind an https URL.
        let plainPort = try #require(Interop.nginx?.split(separator: ":").last)
        let plain = await expectHTTPXError(.connectError) { _ = try await client.get("https://127.0.0.1:\(plainPort)/hello") }
        #expect(plain?.message.contains("did not answer with TLS") == true)
        #expect(plain?.request?.url.scheme == "https")
    }

    @Test func verificationCanBeSwitchedOff() async throws {
        let client = AsyncClient(.init(verify: .disabled))
        #expect(try await client.get(try url(Interop.tlsExpired)).text == "expired")
        #expect(try await client.get(try url(Interop.tlsWrongHost)).text == "wrong host")
        #expect(try await client.get(try url(Interop.tlsUnknownCA)).text == "unknown ca")
    }

    @Test func clientCertificates() async throws {
        let plain = AsyncClient(.init(verify: caBundle))
        #expect(try await plain.get(try url(Interop.tlsMTLS)).statusCode == 403)
        let withCert = AsyncClient(.init(
            verify: caBundle, cert: ClientCertificate(certificatePath: certs + "/client.pem", keyPath: certs + "/client.key")))
        let r = try await withCert.get(try url(Interop.tlsMTLS))
        #expect(r.statusCode == 200)
        #expect(try r.text.contains("swift-httpx test client"))
        let encrypted = AsyncClient(.init(verify: caBundle, cert: ClientCertificate(
            certificatePath: certs + "/client.pem", keyPath: certs + "/client-encrypted.key", password: "secret")))
        #expect(try await encrypted.get(try url(Interop.tlsMTLS)).statusCode == 200)
        let wrongPassword = AsyncClient(.init(verify: caBundle, cert: ClientCertificate(
            certificatePath: certs + "/client.pem", keyPath: certs + "/client-encrypted.key", password: "nope")))
        let error = await expectHTTPXError(.connectError) { _ = try await wrongPassword.get(try url(Interop.tlsMTLS)) }
        #expect(error?.message.contains("client certificate") == true)
    }

    @Test func clientCertificateRejectedInTheHandshake() async throws {
        var configuration = TLSConfiguration.makeServerConfiguration(
            certificateChain: try NIOSSLCertificate.fromPEMFile(certs + "/server.pem").map { .certificate($0) },
            privateKey: .privateKey(try NIOSSLPrivateKey(file: certs + "/server.key", format: .pem)))
        configuration.certificateVerification = .noHostnameVerification
        configuration.trustRoots = .file(certs + "/ca.pem")
        configuration.maximumTLSVersion = .tlsv12
        let server = try await ScriptedServer.start(tls: try NIOSSLContext(configuration: configuration)) { connection in
            try await connection.serve { _ in try await connection.respond(body: "trusted") }
        }
        defer { Task { await server.stop() } }
        let base = "https://localhost:\(server.port)/"
        let trusted = AsyncClient(.init(verify: caBundle, cert: ClientCertificate(
            certificatePath: certs + "/client.pem", keyPath: certs + "/client.key")))
        #expect(try await trusted.get(base).text == "trusted")
        let foreign = AsyncClient(.init(verify: caBundle, cert: ClientCertificate(
            certificatePath: certs + "/foreign-client.pem", keyPath: certs + "/foreign-client.key")))
        let rejected = await expectHTTPXError(.connectError) { _ = try await foreign.get(base) }
        #expect(rejected?.message.contains("rejected the client certificate") == true)
        let none = await expectHTTPXError(.connectError) { _ = try await AsyncClient(.init(verify: caBundle)).get(base) }
        #expect(none?.message.contains("client certificate") == true)
    }

    /// A given NIOSSL configuration still offers h2 when asked, and takes `cert:`.
    @Test func aGivenConfigurationGetsALPNAndTheClientCertificate() async throws {
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.trustRoots = .file(certs + "/ca.pem")
        configuration.applicationProtocols = ["spdy/3"]
        let h2 = AsyncClient(.init(verify: .configuration(configuration), http2: true))
        let r = try await h2.get(try url(Interop.tls, "/hello"))
        #expect(r.httpVersion == "HTTP/2")
        let withCert = AsyncClient(.init(
            verify: .configuration(configuration),
            cert: ClientCertificate(certificatePath: certs + "/client.pem", keyPath: certs + "/client.key")))
        #expect(try await withCert.get(try url(Interop.tlsMTLS)).statusCode == 200)
    }

    /// Against a server that stops at TLS 1.2 (nginx would negotiate 1.3 whatever the client
    /// asks, so it cannot show the minimum at work).
    @Test func minimumTLSVersion() async throws {
        var configuration = TLSConfiguration.makeServerConfiguration(
            certificateChain: try NIOSSLCertificate.fromPEMFile(certs + "/server.pem").map { .certificate($0) },
            privateKey: .privateKey(try NIOSSLPrivateKey(file: certs + "/server.key", format: .pem)))
        configuration.maximumTLSVersion = .tlsv12
        let server = try await ScriptedServer.start(tls: try NIOSSLContext(configuration: configuration)) { connection in
            try await connection.serve { _ in try await connection.respond(body: "tls 1.2") }
        }
        defer { Task { await server.stop() } }
        let base = "https://localhost:\(server.port)/"
        #expect(try await AsyncClient(.init(verify: caBundle)).get(base).text == "tls 1.2")
        let modern = AsyncClient(.init(transport: HTTPTransport(verify: caBundle, minimumTLSVersion: .tlsv13)))
        let error = await expectHTTPXError(.connectError) { _ = try await modern.get(base) }
        #expect(error?.message.contains("no TLS version in common") == true, "\(String(describing: error))")
        #expect(try await modern.get(try url(Interop.tls, "/hello")).text.hasSuffix("TLSv1.3"))
    }

    @Test func tlsContextsAreSharedBetweenClients() async throws {
        let options = TLSOptions(verification: caBundle)
        let first = try TLSContextCache.context(for: options)
        let second = try TLSContextCache.context(for: options)
        #expect(first === second)
        let other = try TLSContextCache.context(for: TLSOptions(verification: .disabled))
        #expect(first !== other)
        await expectHTTPXError(.connectError) {
            _ = try TLSContextCache.context(for: TLSOptions(verification: .caBundle("/nonexistent/ca.pem")))
        }
    }

    @Test func keepAliveOverTLS() async throws {
        let client = AsyncClient(.init(verify: caBundle))
        for _ in 0..<20 {
            #expect(try await client.get(try url(Interop.tls, "/1k.bin")).content.count == 1024)
        }
        let upload = try await client.post(try url(Interop.tls, "/upload"), content: .bytes(Array(repeating: 1, count: 300_000)))
        #expect(try upload.text == "received 300000\n")
    }
}
