#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import Testing

@testable import HTTPX

/// What a client reads from the process's environment when `trustEnv` is on. Setting a variable
/// reaches every client in the process, so the test command runs these on their own: in the parallel
/// run another suite's client wrote its TLS secrets to this test's key log while the variable
/// was set.
@Suite("Interop: process environment", Interop.enabled(Interop.tls), .serialized, .timeLimit(.minutes(2)))
struct ProcessEnvironmentInteropTests {
    var caBundle: TLSVerification { .caBundle((Interop.certs ?? "/nonexistent") + "/ca.pem") }

    func url(_ peer: String?, _ path: String = "/") throws -> String {
        try Interop.url(peer, "TLS nginx") + path
    }

    /// `SSLKEYLOGFILE` (with `trustEnv`) receives the session secrets in the NSS format.
    @Test func sslKeyLogFileWithTrustEnv() async throws {
        let path = "/tmp/httpx-keylog-\(UInt32.random(in: 0...UInt32.max)).txt"
        defer { unlink(path) }
        setenv("SSLKEYLOGFILE", path, 1)
        defer { unsetenv("SSLKEYLOGFILE") }
        let ignoring = AsyncClient(.init(verify: caBundle, trustEnv: false))
        #expect(try await ignoring.get(try url(Interop.tls, "/hello")).statusCode == 200)
        await ignoring.close()
        #expect(access(path, F_OK) != 0, "without trustEnv the file is not touched")
        let logging = AsyncClient(.init(verify: caBundle))
        #expect(try await logging.get(try url(Interop.tls, "/hello")).statusCode == 200)
        await logging.close()
        let log = try String(contentsOfFile: path, encoding: .utf8)
        #expect(log.contains("CLIENT_TRAFFIC_SECRET_0 ") || log.contains("CLIENT_RANDOM "), "\(log)")
        #expect(log.hasSuffix("\n"))
    }
}
