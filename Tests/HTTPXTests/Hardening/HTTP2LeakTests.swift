import NIOCore
import Testing

@testable import HTTPX

/// HTTP/2 streams that time out, are cancelled, or run while the client closes must leave no
/// connection behind.
@Suite("HTTP/2 leaks", .timeLimit(.minutes(1)))
struct HTTP2LeakTests {
    @Test func timedOutStreamsLeaveNoConnectionOpen() async throws {
        let server = try await HTTP2TestServer.start(maxConcurrentStreams: 100)
        defer { Task { await server.stop() } }
        var timeout = Timeout(10)
        timeout.read = .milliseconds(50)
        let client = AsyncClient(.init(timeout: timeout, transport: HTTPTransport(http1: false, http2: true)))
        for _ in 0..<5 {
            await withTaskGroup(of: Void.self) { group in
                for index in 0..<40 {
                    group.addTask { _ = try? await client.get(server.baseURL + (index % 3 == 0 ? "/slow" : "/ok")) }
                }
            }
        }
        let transport = try #require(client.transport as? HTTPTransport)
        #expect(transport.connectionCount == 1)
        await client.close()
        try await Task.sleep(for: .milliseconds(300))
        #expect(FaultInjectionTests().clientSockets(to: server.port) == 0, "\(transport.connectionsStarted) started")
    }
}

@Suite("Interop: HTTP/2 leaks", Interop.enabled(Interop.tls), .timeLimit(.minutes(2)))
struct HTTP2NginxLeakTests {
    @Test func timedOutStreamsLeaveNoConnectionOpen() async throws {
        let base = try Interop.url(Interop.tls, "TLS nginx")
        let port = try #require(Int(base.split(separator: ":").last ?? ""))
        var timeout = Timeout(10)
        timeout.read = .milliseconds(500)
        // From an address of its own, so that other suites' connections to the same nginx
        // are not counted.
        let client = AsyncClient(.init(
            timeout: timeout,
            transport: HTTPTransport(
                verify: .caBundle((Interop.certs ?? "") + "/ca.pem"), http2: true, limits: Limits(maxConnections: 20),
                localAddress: "127.0.0.3")))
        let ours = "0300007F"
        for _ in 0..<4 {
            await withTaskGroup(of: Void.self) { group in
                for index in 0..<100 {
                    group.addTask { _ = try? await client.get(base + (index % 5 == 0 ? "/slow" : "/1k.bin")) }
                }
            }
        }
        let transport = try #require(client.transport as? HTTPTransport)
        let open = transport.connectionCount
        let started = transport.connectionsStarted
        let before = transport.poolSummary + " sockets=\(FaultInjectionTests().clientSockets(to: port, fromLocalHex: ours))"
        await client.close()
        // TLS connections wait up to TLSContextCache.shutdownTimeout (1 s) for the server's
        // close_notify; a loaded machine may take a little longer to get there.
        let deadline = ContinuousClock.now + .seconds(5)
        while FaultInjectionTests().clientSockets(to: port, fromLocalHex: ours) > 0 && ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(
            FaultInjectionTests().clientSockets(to: port, fromLocalHex: ours) == 0,
            "\(started) started, \(open) in the pool before closing: \(before); after: \(transport.poolSummary)")
    }
}
