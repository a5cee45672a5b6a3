#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import NIOCore
import Testing

@testable import HTTPX

/// Where the interop peers run, from the environment `scripts/test.sh` sets up.
///
/// Run through `bash scripts/test.sh`, the peers are required (`HTTPX_INTEROP_REQUIRED=1`) and
/// a missing one fails the run. A bare `swift test` without them skips these suites, saying why.
enum Interop {
    static func variable(_ name: String) -> String? {
        guard let value = getenv(name) else { return nil }
        let text = String(cString: value)
        return text.isEmpty ? nil : text
    }

    static let httpbin = variable("HTTPX_INTEROP_HTTPBIN")
    static let nginx = variable("HTTPX_INTEROP_NGINX")
    static let tls = variable("HTTPX_INTEROP_TLS")
    static let tlsExpired = variable("HTTPX_INTEROP_TLS_EXPIRED")
    static let tlsWrongHost = variable("HTTPX_INTEROP_TLS_WRONGHOST")
    static let tlsUnknownCA = variable("HTTPX_INTEROP_TLS_UNKNOWNCA")
    static let tlsIPOnly = variable("HTTPX_INTEROP_TLS_IPONLY")
    static let tlsMTLS = variable("HTTPX_INTEROP_TLS_MTLS")
    static let tlsGoAway = variable("HTTPX_INTEROP_TLS_GOAWAY")
    static let h2c = variable("HTTPX_INTEROP_H2C")
    static let certs = variable("HTTPX_INTEROP_CERTS")
    static let squid = variable("HTTPX_INTEROP_SQUID")
    static let squidAuth = variable("HTTPX_INTEROP_SQUID_AUTH")
    static let squidTLS = variable("HTTPX_INTEROP_SQUID_TLS")
    static let squidLog = variable("HTTPX_INTEROP_SQUID_LOG")
    static let proxyUser = variable("HTTPX_INTEROP_PROXY_USER") ?? "proxyuser"
    static let proxyPassword = variable("HTTPX_INTEROP_PROXY_PASS") ?? "proxy-secret"
    static let socks = variable("HTTPX_INTEROP_SOCKS")
    static let socksAuth = variable("HTTPX_INTEROP_SOCKS_AUTH")
    static let socksLog = variable("HTTPX_INTEROP_SOCKS_LOG")
    static let socksUser = variable("HTTPX_INTEROP_SOCKS_USER") ?? "socksuser"
    static let socksPassword = variable("HTTPX_INTEROP_SOCKS_PASS") ?? "socks-secret"
    static let webSocket = variable("HTTPX_INTEROP_WS")
    static let webSocketTLS = variable("HTTPX_INTEROP_WSS")
    static let webSocketPing = variable("HTTPX_INTEROP_WS_PING")
    static let isRequired = variable("HTTPX_INTEROP_REQUIRED") == "1"

    /// Enables a suite when its peers run, or when they are required (so it fails loudly).
    static func enabled(_ peer: String?) -> ConditionTrait {
        .enabled(if: peer != nil || isRequired, "interop peers not running: use `bash scripts/test.sh`")
    }

    /// The base URL of a peer, failing the test when it is missing.
    static func url(_ peer: String?, _ name: String) throws -> String {
        try #require(peer, "the \(name) interop peer is not running (scripts/interop/start.sh failed?)")
    }

    /// Waits (at most 10 s) until the log file at `path` has a line containing `text`, and
    /// returns the log. Proxies write a tunnel's line only when the tunnel closes.
    static func log(_ path: String?, containing text: String) async throws -> String {
        let path = try #require(path, "the proxy's log path is not set")
        let deadline = ContinuousClock.now + .seconds(10)
        while true {
            let log = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
            if log.contains(text) || ContinuousClock.now > deadline { return log }
            try await Task.sleep(for: .milliseconds(50))
        }
    }

    /// The test certificates' CA, as a client's `verify`.
    static func caBundle() throws -> TLSVerification {
        .caBundle(try url(certs, "certificates") + "/ca.pem")
    }

    /// A token no other request uses, to find a request in a proxy's log.
    static func token() -> String {
        "t\(UInt64.random(in: 0...UInt64.max))"
    }

    /// Streams `url` through `client` and compares each chunk with the same bytes of the file
    /// at `path`, read alongside: no more than a chunk of either is held, so tests running in
    /// parallel with memory checks are not disturbed. Returns the HTTP version used.
    static func streamMatchesFile(_ client: AsyncClient, _ url: String, path: String) async throws -> String {
        guard let file = fopen(path, "rb") else { throw HTTPXError(.invalidArgument, "Cannot open \(path)") }
        defer { fclose(file) }
        var total = 0
        let version = try await client.stream(.get, url) { response in
            var expected = [UInt8](repeating: 0, count: 1 << 16)
            for try await chunk in response.bytes() {
                var offset = 0
                while offset < chunk.readableBytes {
                    let count = min(expected.count, chunk.readableBytes - offset)
                    let read = fread(&expected, 1, count, file)
                    let same = chunk.withUnsafeReadableBytes { received in
                        expected.withUnsafeBytes { wanted in
                            guard let a = received.baseAddress, let b = wanted.baseAddress else { return false }
                            return memcmp(a + offset, b, count) == 0
                        }
                    }
                    #expect(read == count && same, "bytes \(total + offset)..< differ from \(path)")
                    guard read == count, same else { return response.httpVersion }
                    offset += count
                }
                total += chunk.readableBytes
            }
            return response.httpVersion
        }
        #expect(fgetc(file) == EOF, "the body is shorter than \(path) (\(total) bytes)")
        return version
    }

    /// Whether `buffer` holds exactly `data`: one memcmp, no copies. (An element-by-element
    /// comparison of 64 MiB in a debug build holds a cooperative thread for seconds and
    /// stalls other tests.)
    static func sameBytes(_ buffer: ByteBuffer, _ data: Data) -> Bool {
        guard buffer.readableBytes == data.count else { return false }
        return buffer.withUnsafeReadableBytes { received in
            data.withUnsafeBytes { expected in
                guard let a = received.baseAddress, let b = expected.baseAddress else { return received.count == 0 }
                return memcmp(a, b, received.count) == 0
            }
        }
    }

    /// The folder nginx serves its static files from.
    static var wwwRoot: String {
        #filePath.split(separator: "/").dropLast(4).joined(separator: "/").withLeadingSlash + "/.interop/nginx/www"
    }

    /// An executable product built next to the test bundle (`swift test` builds every product),
    /// or in `.build/debug`.
    static func builtExecutable(_ name: String) -> String? {
        let bundle = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
        let folders = [bundle, bundle.deletingLastPathComponent(), root.appendingPathComponent(".build/debug")]
        return folders.map { $0.appendingPathComponent(name).path }
            .first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// Runs `httpx-memory-probe probe base` in a process of its own and returns how far its
    /// peak resident memory rose above its resident memory before the transfer (Linux).
    static func memoryGrowth(probe: String, _ base: String) async throws -> Int {
        let probePath = try #require(builtExecutable("httpx-memory-probe"), "httpx-memory-probe was not built")
        let run = try await CLIInteropTests.launch(probePath, [probe, base], environment: [:], separateStderr: false)
        try #require(run.status == 0, "httpx-memory-probe failed: \(run.stdout)")
        var fields: [String: Int] = [:]
        for pair in run.stdout.split(whereSeparator: \.isWhitespace) {
            let parts = pair.split(separator: "=")
            if parts.count == 2 { fields[String(parts[0])] = Int(parts[1]) }
        }
        let baseline = try #require(fields["baseline"]), peak = try #require(fields["peak"])
        #if os(Linux)
        #expect(baseline > 1 << 20, "resident memory is measured")
        #endif
        return peak - baseline
    }
}

extension String {
    var withLeadingSlash: String { hasPrefix("/") ? self : "/" + self }
}
