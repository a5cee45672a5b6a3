import InMemoryTracing
import Logging
import Metrics
import MetricsTestKit
import Synchronization
import Testing
import Tracing

@testable import HTTPX

/// Logging, tracing and metrics of the client, through a mock transport (no sockets).
@Suite("Telemetry: logs, spans and metrics")
struct TelemetryTests {
    /// Answers `/redirect` with a redirect to `/final`, `/missing` with 404, `/down` by failing
    /// to connect, and everything else with 200; keeps the headers each request was sent with.
    final class Server: Sendable {
        let sent = Mutex<[Headers]>([])

        var transport: MockTransport {
            MockTransport { request in
                self.sent.withLock { $0.append(request.headers) }
                switch request.url.path {
                case "/redirect": return Response(302, headers: ["Location": "/final"])
                case "/missing": return Response(404, text: "no")
                case "/down": throw HTTPXError(.connectError, "Connection refused")
                default: return Response(200, text: "ok")
                }
            }
        }
    }

    @Test("One info line per request, as httpx words it; redirects at debug level")
    func infoLinePerRequest() async throws {
        let capture = LogCapture()
        let client = AsyncClient(.init(followRedirects: true, transport: Server().transport, logger: capture.logger(level: .debug)))
        _ = try await client.get("https://example.org/redirect")
        #expect(capture.messages(at: .info) == [
            "HTTP Request: GET https://example.org/redirect \"HTTP/1.1 302 Found\"",
            "HTTP Request: GET https://example.org/final \"HTTP/1.1 200 OK\"",
        ])
        #expect(capture.messages(at: .debug).contains("Redirect: 302 to GET https://example.org/final"))
    }

    @Test("A failed request is logged with its error's kind")
    func failureIsLogged() async throws {
        let capture = LogCapture()
        let client = AsyncClient(.init(transport: Server().transport, logger: capture.logger(level: .info)))
        _ = try? await client.get("https://example.org/down")
        #expect(capture.messages(at: .info) == ["HTTP Request: GET https://example.org/down failed: ConnectError"])
    }

    @Test("A request's own logger replaces the client's")
    func requestLogger() async throws {
        let clientLog = LogCapture()
        let requestLog = LogCapture()
        let client = AsyncClient(.init(transport: Server().transport, logger: clientLog.logger()))
        var extensions = RequestExtensions()
        extensions.logger = requestLog.logger()
        _ = try await client.get("https://example.org/", extensions: extensions)
        #expect(clientLog.all.isEmpty)
        #expect(requestLog.messages(at: .info).count == 1)
    }

    @Test("No logger, no log: the default client logs nothing and holds no logger")
    func silentByDefault() async throws {
        let client = AsyncClient(.init(transport: Server().transport))
        #expect(client.logger == nil)
        let request = try client.buildRequest(.get, "https://example.org/")
        #expect(request.extensions.logger == nil)
    }

    @Test("Credentials, cookies and auth never reach the logs, at any level")
    func noSecretsInLogs() async throws {
        let capture = LogCapture()
        let client = AsyncClient(.init(
            headers: ["Authorization": "Bearer header-secret"], cookies: ["session": "cookie-secret"],
            followRedirects: true, transport: Server().transport, logger: capture.logger(level: .trace)))
        _ = try await client.get("https://user:url-secret@example.org/redirect")
        _ = try await client.get("https://example.org/", auth: .basic("user", "basic-secret"))
        let logged = capture.all.map(\.everything).joined(separator: "\n")
        #expect(!logged.isEmpty)
        for secret in ["url-secret", "header-secret", "cookie-secret", "basic-secret", "dXNlcjp"] {
            #expect(!logged.contains(secret), "\(secret) was logged")
        }
    }

    @Test("A client span per request, with OpenTelemetry's HTTP attributes and the context injected")
    func spanPerRequest() async throws {
        let tracer = InMemoryTracer()
        let server = Server()
        let client = AsyncClient(.init(transport: server.transport, tracer: tracer))
        _ = try await client.get("https://user:secret@example.org:8443/path?q=1")
        let span = try #require(tracer.finishedSpans.first)
        #expect(tracer.finishedSpans.count == 1)
        #expect(span.operationName == "GET")
        #expect(span.kind == .client)
        #expect(span.attributes.get("http.request.method") == .string("GET"))
        #expect(span.attributes.get("url.full") == .string("https://example.org:8443/path?q=1"))
        #expect(span.attributes.get("server.address") == .string("example.org"))
        #expect(span.attributes.get("server.port") == .int64(8443))
        #expect(span.attributes.get("http.response.status_code") == .int64(200))
        #expect(span.attributes.get("network.protocol.version") == .string("1.1"))
        #expect(span.attributes.get("error.type") == nil)
        let sent = try #require(server.sent.withLock { $0.first })
        #expect(sent[InMemoryTracer.traceIDKey] == span.traceID)
        #expect(sent[InMemoryTracer.spanIDKey] == span.spanID)
    }

    @Test("Redirects are events of the one span, counted as resends")
    func redirectsAreEvents() async throws {
        let tracer = InMemoryTracer()
        let client = AsyncClient(.init(followRedirects: true, transport: Server().transport, tracer: tracer))
        _ = try await client.get("https://example.org/redirect")
        let span = try #require(tracer.finishedSpans.first)
        #expect(tracer.finishedSpans.count == 1)
        #expect(span.events.map(\.name) == ["redirect"])
        #expect(span.attributes.get("http.request.resend_count") == .int64(1))
        #expect(span.attributes.get("http.response.status_code") == .int64(200))
    }

    @Test("Error statuses and failures set error.type and the span's error status")
    func errorsOnSpans() async throws {
        let tracer = InMemoryTracer()
        let client = AsyncClient(.init(transport: Server().transport, tracer: tracer))
        _ = try await client.get("https://example.org/missing")
        _ = try? await client.get("https://example.org/down")
        let spans = tracer.finishedSpans
        #expect(spans.count == 2)
        #expect(spans.first?.attributes.get("error.type") == .string("404"))
        #expect(spans.first?.status?.code == .error)
        #expect(spans.last?.attributes.get("error.type") == .string("ConnectError"))
        #expect(spans.last?.errors.count == 1)
    }

    @Test("Request duration and active requests are recorded with OpenTelemetry's dimensions")
    func requestMetrics() async throws {
        let metrics = TestMetrics()
        let client = AsyncClient(.init(transport: Server().transport, metrics: metrics))
        _ = try await client.get("https://example.org/")
        _ = try? await client.get("https://example.org/down")
        let origin = [("server.address", "example.org"), ("server.port", "443"), ("url.scheme", "https")]
        let ok = try metrics.expectTimer(
            "http.client.request.duration",
            [("http.request.method", "GET")] + origin + [("http.response.status_code", "200"), ("network.protocol.version", "1.1")])
        #expect(ok.values.count == 1)
        let failed = try metrics.expectTimer(
            "http.client.request.duration", [("http.request.method", "GET")] + origin + [("error.type", "ConnectError")])
        #expect(failed.values.count == 1)
        let active = try metrics.expectMeter("http.client.active_requests", [("http.request.method", "GET")] + origin)
        #expect(active.lastValue == 0)
        #expect(active.values.max() == 1)
    }
}
