import NIOCore
import Testing

@testable import HTTPX

/// HTTP/2 behaviour that needs a server doing what nginx will not do on demand: a small
/// SETTINGS_MAX_CONCURRENT_STREAMS, one that changes, and streams reset by the server.
@Suite("HTTP/2 streams", .serialized, .timeLimit(.minutes(1)))
struct HTTP2StreamTests {
    func client(maxConnections: Int? = 100) -> AsyncClient {
        AsyncClient(.init(
            timeout: Timeout(10),
            transport: HTTPTransport(http1: false, http2: true, limits: Limits(maxConnections: maxConnections))))
    }

    func fetchConcurrently(_ client: AsyncClient, _ url: String, count: Int) async throws -> [String] {
        try await withThrowingTaskGroup(of: String.self) { group in
            for _ in 0..<count {
                group.addTask { try await client.get(url).text }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
    }

    @Test func serverStreamLimitOpensMoreConnections() async throws {
        let server = try await HTTP2TestServer.start(maxConcurrentStreams: 4)
        let client = client()
        let bodies = try await fetchConcurrently(client, server.baseURL + "/slow", count: 12)
        #expect(bodies == Array(repeating: "slow", count: 12))
        #expect(server.mostConcurrentStreams == 4)
        #expect(server.connections == 3, "12 requests at 4 streams per connection need 3 connections")
        await client.close()
        await server.stop()
    }

    @Test func serverStreamLimitQueuesWhenNoConnectionIsLeft() async throws {
        let server = try await HTTP2TestServer.start(maxConcurrentStreams: 4)
        let client = client(maxConnections: 1)
        let bodies = try await fetchConcurrently(client, server.baseURL + "/slow", count: 12)
        #expect(bodies == Array(repeating: "slow", count: 12))
        #expect(server.connections == 1)
        #expect(server.mostConcurrentStreams == 4)
        await client.close()
        await server.stop()
    }

    @Test func raisedStreamLimitIsUsedAtOnce() async throws {
        let server = try await HTTP2TestServer.start(maxConcurrentStreams: 1, laterMaxConcurrentStreams: 8)
        let client = client(maxConnections: 1)
        #expect(try await client.get(server.baseURL + "/first").text == "ok /first")
        let bodies = try await fetchConcurrently(client, server.baseURL + "/slow", count: 8)
        #expect(bodies == Array(repeating: "slow", count: 8))
        #expect(server.connections == 1)
        #expect(server.mostConcurrentStreams == 8, "the pool took the server's new limit")
        await client.close()
        await server.stop()
    }

    @Test func resetStreamFailsOnlyItsRequest() async throws {
        let server = try await HTTP2TestServer.start(maxConcurrentStreams: 100)
        let client = client()
        async let reset: Result<Response, any Error> = {
            do { return .success(try await client.get(server.baseURL + "/reset")) } catch { return .failure(error) }
        }()
        let others = try await fetchConcurrently(client, server.baseURL + "/slow", count: 5)
        #expect(others == Array(repeating: "slow", count: 5))
        guard case .failure(let error) = await reset else {
            Issue.record("a reset stream must fail its request")
            return
        }
        let failure = try #require(error as? HTTPXError)
        #expect(failure.kind == .remoteProtocol)
        #expect(failure.message.contains("/reset"), "the message names the request: \(failure.message)")
        #expect(try await client.get(server.baseURL + "/after").text == "ok /after")
        #expect(server.connections == 1, "the reset did not cost the connection")
        await client.close()
        await server.stop()
    }

    @Test func aRefusedStreamIsSentAgainThenReportedAsRefused() async throws {
        let server = try await HTTP2TestServer.start(maxConcurrentStreams: 100)
        let client = client()
        let error = await expectHTTPXError(.remoteProtocol) { _ = try await client.get(server.baseURL + "/refuse") }
        #expect(error?.message.contains("REFUSED_STREAM") == true, "\(String(describing: error))")
        #expect(error?.message.contains("CANCEL") == false)
        #expect(server.requests(to: "/refuse") == 9, "refused (unprocessed), so sent again 8 times")
        #expect(try await client.get(server.baseURL + "/after").text == "ok /after")
        await client.close()
        await server.stop()
    }

    @Test func aResetAfterTheWholeRequestWasSentIsNotAWriteError() async throws {
        let server = try await HTTP2TestServer.start(maxConcurrentStreams: 100)
        let client = client()
        let error = await expectHTTPXError(.remoteProtocol) {
            _ = try await client.post(server.baseURL + "/reset", content: .bytes(Array(repeating: 1, count: 10_000)))
        }
        #expect(error?.message.contains("INTERNAL_ERROR") == true, "\(String(describing: error))")
        await client.close()
        await server.stop()
    }

    /// The client's windows let one download run at full speed (64 KiB windows would stall
    /// on WINDOW_UPDATE round trips).
    @Test func theClientAnnouncesLargeFlowControlWindows() async throws {
        let server = try await HTTP2TestServer.start(maxConcurrentStreams: 100)
        let client = client()
        #expect(try await client.get(server.baseURL + "/w").text == "ok /w")
        #expect(server.clientStreamWindow == HTTPConnection.http2WindowSize)
        #expect(server.clientConnectionWindow >= HTTPConnection.http2WindowSize)
        await client.close()
        await server.stop()
    }
}
