import Tracing

/// Writes trace context (`traceparent`, `tracestate`, a baggage header) into request headers.
struct HeadersInjector: Injector {
    func inject(_ value: String, forKey key: String, into headers: inout Headers) {
        headers.set(key, value)
    }
}

/// What the client does with the span of one ``AsyncClient/send(_:auth:followRedirects:stream:)``:
/// the OpenTelemetry HTTP client attributes, redirects and auth steps as events, the outcome.
/// Type-erased, so the client holds any tracer.
struct RequestSpan: Sendable {
    let addEvent: @Sendable (String, SpanAttributes) -> Void
    let setAttributes: @Sendable (SpanAttributes) -> Void
    let setError: @Sendable () -> Void

    init(_ span: some Span) {
        addEvent = { name, attributes in span.addEvent(SpanEvent(name: name, attributes: attributes)) }
        setAttributes = { attributes in span.attributes.merge(attributes) }
        setError = { span.setStatus(SpanStatus(code: .error)) }
    }

    /// The attributes known before sending.
    static func requestAttributes(_ request: Request) -> SpanAttributes {
        var attributes = SpanAttributes()
        let url = request.url
        attributes["http.request.method"] = request.method.rawValue
        attributes["url.full"] = url.removingUserinfo.description
        attributes["server.address"] = url.rawHost
        attributes["server.port"] = url.effectivePort ?? (url.scheme == "https" ? 443 : 80)
        return attributes
    }

    /// Records the final response: status, protocol version, and an error type from 400 on.
    func finish(_ response: Response, resends: Int) {
        var attributes = SpanAttributes()
        attributes["http.response.status_code"] = response.statusCode
        attributes["network.protocol.version"] = ClientMetrics.protocolVersion(response.httpVersion)
        if resends > 0 { attributes["http.request.resend_count"] = resends }
        if response.statusCode >= 400 {
            attributes["error.type"] = String(response.statusCode)
            setError()
        }
        setAttributes(attributes)
    }

    /// Records a failure (the tracer records the error itself).
    func fail(_ error: any Error) {
        var attributes = SpanAttributes()
        attributes["error.type"] = ClientMetrics.errorType(error)
        setAttributes(attributes)
    }
}

extension Tracer {
    /// Runs `operation` in a client span named after the request's method.
    func withRequestSpan<T>(_ request: Request, _ operation: (RequestSpan) async throws -> T) async rethrows -> T {
        try await withSpan(request.method.rawValue, ofKind: .client) { span in
            span.attributes.merge(RequestSpan.requestAttributes(request))
            return try await operation(RequestSpan(span))
        }
    }
}
