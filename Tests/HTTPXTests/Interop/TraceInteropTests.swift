import Logging
import MetricsTestKit
import Synchronization
import Testing

@testable import HTTPX

/// The trace of requests to real servers: connection set-up (DNS, TCP, TLS with its cipher
/// and certificate), the exchange, and what the logs hold of it, through proxies too.
@Suite("Interop: request traces and logs", Interop.enabled(Interop.tls), .serialized, .timeLimit(.minutes(2)))
struct TraceInteropTests {
    final class Recorder: Sendable {
        let events = Mutex<[TraceEvent]>([])
        var names: [String] { events.withLock { $0.map(\.name) } }
        var extensions: RequestExtensions {
            var extensions = RequestExtensions()
            extensions.trace = { event in self.events.withLock { $0.append(event) } }
            return extensions
        }
    }

    var caBundle: TLSVerification { .caBundle((Interop.certs ?? "/nonexistent") + "/ca.pem") }

    @Test("A new HTTPS connection traces DNS, TCP, TLS and the HTTP/2 exchange; a reused one only the exchange")
    func traceOverHTTP2() async throws {
        let url = try Interop.url(Interop.tls, "TLS nginx") + "/hello"
        let client = AsyncClient(.init(verify: caBundle, http2: true))
        let first = Recorder()
        let response = try await client.get(url, extensions: first.extensions)
        #expect(response.httpVersion == "HTTP/2")
        #expect(first.names == [
            "connection.connect_tcp.started", "connection.resolve_dns.complete", "connection.connect_tcp.complete",
            "connection.start_tls.complete", "connection.acquired", "http2.send_request_headers.complete",
            "http2.send_request_body.complete", "http2.receive_response_headers.complete",
            "http2.receive_response_body.complete",
        ])
        for event in first.events.withLock({ $0 }) {
            switch event {
            case .dnsResolved(let host, let addresses):
                #expect(host == "localhost")
                #expect(addresses.contains("127.0.0.1") || addresses.contains("::1"), "\(addresses)")
            case .tcpConnected(let local, let remote):
                #expect(remote.hasSuffix(":\(url.split(separator: ":")[2].prefix { $0.isNumber })"), "\(remote)")
                #expect(!local.isEmpty)
            case .tlsHandshakeCompleted(let tls):
                #expect(tls.serverName == "localhost")
                #expect(tls.version == "TLSv1.3")
                #expect(tls.cipher?.hasPrefix("TLS_") == true, "\(String(describing: tls.cipher))")
                #expect(tls.alpn == "h2")
                #expect(tls.peerSubject?.contains("trustme") == true, "\(String(describing: tls.peerSubject))")
                #expect(tls.peerNotValidAfter != nil)
            case .connectionAcquired(let reused, let version, _):
                #expect(!reused)
                #expect(version == "HTTP/2")
            case .responseHeadReceived(let status, _): #expect(status == 200)
            case .responseBodyCompleted(let bytes, _): #expect(try bytes == response.content.count)
            default: break
            }
        }
        let second = Recorder()
        _ = try await client.get(url, extensions: second.extensions)
        #expect(second.names.first == "connection.acquired")
        #expect(!second.names.contains("connection.connect_tcp.started"))
        if case .connectionAcquired(let reused, _, _)? = second.events.withLock({ $0.first }) { #expect(reused) }
        await client.close()
    }

    @Test("HTTP/1.1 to an address: no DNS step, http11 names, the body's bytes as received")
    func traceOverHTTP1() async throws {
        let url = try Interop.url(Interop.nginx, "nginx") + "/1k.bin"
        let recorder = Recorder()
        let client = AsyncClient()
        _ = try await client.get(url, extensions: recorder.extensions)
        #expect(recorder.names == [
            "connection.connect_tcp.started", "connection.connect_tcp.complete", "connection.acquired",
            "http11.send_request_headers.complete", "http11.send_request_body.complete",
            "http11.receive_response_headers.complete", "http11.receive_response_body.complete",
        ])
        if case .responseBodyCompleted(let bytes, _)? = recorder.events.withLock({ $0.last }) { #expect(bytes == 1024) }
        await client.close()
    }

    @Test("Connection events go to the logger at debug level, and no proxy password reaches it")
    func logsThroughAnAuthenticatedProxy() async throws {
        let proxy = try Interop.url(Interop.squidAuth, "squid with auth")
        let nginx = try Interop.url(Interop.nginx, "nginx")
        let tls = try Interop.url(Interop.tls, "TLS nginx")
        let capture = LogCapture()
        let client = AsyncClient(.init(
            verify: caBundle,
            proxies: Proxies(Proxy(proxy, auth: .init(Interop.proxyUser, Interop.proxyPassword))),
            logger: capture.logger(level: .trace)))
        #expect(try await client.get(nginx + "/hello").statusCode == 200)
        #expect(try await client.get(tls + "/hello").statusCode == 200)
        await client.close()
        let debug = capture.messages(at: .debug)
        #expect(debug.contains { $0.hasPrefix("connection.connect_tcp.started: connecting to localhost:") && $0.contains("through http://") })
        #expect(debug.contains { $0.hasPrefix("connection.start_tls.complete: TLSv1.3 with localhost") })
        #expect(capture.messages(at: .info).count == 2)
        let logged = capture.all.map(\.everything).joined(separator: "\n")
        #expect(!logged.contains(Interop.proxyPassword))
        #expect(!logged.contains("Proxy-Authorization"))
    }

    @Test("Connections are measured: connect time, pool waits, open connections by state; the pool logs their lives")
    func connectionMetricsAndLogs() async throws {
        let base = try Interop.url(Interop.nginx, "nginx")
        let port = try #require(base.split(separator: ":").last.map(String.init))
        let metrics = TestMetrics()
        let capture = LogCapture()
        let client = AsyncClient(.init(logger: capture.logger(level: .debug), metrics: metrics))
        _ = try await client.get(base + "/hello")
        _ = try await client.get(base + "/hello")
        let origin = [("server.address", "127.0.0.1"), ("server.port", port), ("url.scheme", "http")]
        #expect(try metrics.expectTimer("httpx.client.connect.duration", origin).values.count == 1)
        #expect(try metrics.expectTimer("httpx.client.pool.wait.duration", origin).values.count == 2)
        let idle = try metrics.expectGauge("http.client.open_connections", origin + [("http.connection.state", "idle")])
        let active = try metrics.expectGauge("http.client.open_connections", origin + [("http.connection.state", "active")])
        #expect(idle.lastValue == 1)
        #expect(active.lastValue == 0)
        #expect(active.values.contains(1))
        await client.close()
        #expect(capture.messages(at: .debug).contains { $0.hasPrefix("Connection 0 to http://127.0.0.1:\(port) opened in ") })

        // A connection that expires while idle leaves the gauge at once, not at the next request.
        let expiring = AsyncClient(.init(limits: Limits(keepaliveExpiry: .milliseconds(100)), metrics: metrics))
        _ = try await expiring.get(base + "/hello")
        try await Task.sleep(for: .milliseconds(600))
        #expect(idle.lastValue == 0)
        await expiring.close()
    }
}
