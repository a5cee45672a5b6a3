/// A transport that answers every request with a function of yours, for tests.
///
/// The request's body is read before the handler runs, so ``Request/content`` is available:
///
/// ```swift
/// let transport = MockTransport { request in
///     if request.url.path == "/login" { return Response(401, text: "who are you?") }
///     return try Response(200, json: ["echo": String(decoding: request.content ?? [], as: UTF8.self)])
/// }
/// let client = AsyncClient(.init(transport: transport))
/// let r = try await client.post("https://example.org/echo", content: .text("hi"))
/// ```
public struct MockTransport: Transport {
    private let handler: @Sendable (Request) async throws -> Response

    /// A transport that calls `handler` for each request.
    public init(_ handler: @escaping @Sendable (Request) async throws -> Response) {
        self.handler = handler
    }

    public func handle(_ request: Request) async throws -> Response {
        var request = request
        try await request.read()
        var response = try await handler(request)
        response.request = request
        return response
    }
}
