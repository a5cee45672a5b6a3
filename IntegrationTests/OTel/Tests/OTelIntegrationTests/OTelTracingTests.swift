#if canImport(Glibc)
import Glibc
#endif
import HTTPX
import OTel
import Testing
import Tracing

/// swift-otel's tracer, end to end: a request made inside a span carries a W3C `traceparent`
/// header (swift-otel's propagator, through the client's injector) that names the span's
/// trace, as httpbin echoes it back.
@Suite("swift-otel end to end", .timeLimit(.minutes(1)))
struct OTelTracingTests {
    static var httpbin: String? {
        getenv("HTTPX_INTEROP_HTTPBIN").map { String(cString: $0) }
    }

    @Test func traceparentReachesTheServer() async throws {
        let base = try #require(Self.httpbin, "HTTPX_INTEROP_HTTPBIN is not set: run through scripts/test.sh")
        var configuration = OTel.Configuration.default
        configuration.serviceName = "httpx-otel-test"
        configuration.traces.exporter = .none
        configuration.traces.sampler = .alwaysOn
        let (tracer, _) = try OTel.makeTracingBackend(configuration: configuration)
        let (parentTrace, echoed) = try await AsyncClient.withClient(.init(tracer: tracer)) { client in
            try await tracer.withSpan("operation") { span in
                let response = try await client.get(base + "/headers")
                let traceparent = try response.json()["headers"]?["Traceparent"]?.stringValue
                return (span.context.otelTraceID, traceparent)
            }
        }
        let header = try #require(echoed, "no traceparent reached the server")
        let parts = header.split(separator: "-")
        #expect(parts.count == 4)
        #expect(parts[0] == "00")
        #expect(parts[1].count == 32 && parts[2].count == 16)
        #expect(String(parts[1]) == parentTrace, "the request's span belongs to the caller's trace")
        #expect(parts[3] == "01", "sampled")
    }
}
