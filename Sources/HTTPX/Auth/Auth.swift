/// An authentication scheme: a flow of one or more requests that authorise a request.
///
/// A flow yields the first request to send, sees each response, and may yield another
/// request (a retry after a 401, a token refresh, a signed re-send) any number of times.
/// It performs no I/O itself: the client sends what it yields, so the same auth serves
/// ``AsyncClient`` and the blocking ``Client``.
///
/// ```swift
/// struct TokenAuth: Auth {
///     let token: String
///     func authFlow(for request: Request) -> AuthFlow {
///         var request = request
///         request.headers["X-Authentication"] = token
///         return AuthFlow(request)
///     }
/// }
/// let client = AsyncClient(auth: TokenAuth(token: "secret"))
/// ```
///
/// Built-in schemes: ``BasicAuth`` (`.basic(user, password)`), ``FunctionAuth``
/// (`.function { request in ... }`), and ``DisabledAuth`` (`.disabled`, to switch off a
/// client's auth for one request).
public protocol Auth: Sendable {
    /// Whether the flow needs the request body: it is then read into memory before the flow
    /// starts, even when it came as a stream, so ``Request/content`` is set and the body can be
    /// sent again.
    var requiresRequestBody: Bool { get }
    /// Whether the flow needs the body of the responses it sees; otherwise they are closed
    /// unread when the flow asks for another request.
    var requiresResponseBody: Bool { get }
    /// Starts a flow for `request`; throwing fails the request with that error.
    func authFlow(for request: Request) throws -> AuthFlow
}

extension Auth {
    public var requiresRequestBody: Bool { false }
    public var requiresResponseBody: Bool { false }
}

/// The steps of one authentication: a first request, then a function that sees each
/// response and returns the next request to send, or `nil` to finish with that response.
///
/// ```swift
/// func authFlow(for request: Request) -> AuthFlow {
///     AuthFlow(request) { response in
///         guard response.statusCode == 401 else { return nil }
///         var retry = request
///         retry.headers["X-Authentication"] = token
///         return retry
///     }
/// }
/// ```
public struct AuthFlow {
    /// The request sent first.
    public let first: Request
    private let nextStep: (Response) throws -> Request?

    /// A flow that sends `first`, then asks `next` after each response.
    public init(_ first: Request, next: @escaping (Response) throws -> Request? = { _ in nil }) {
        self.first = first
        self.nextStep = next
    }

    /// The request to send after `response`, or `nil` when the flow is done.
    public func next(after response: Response) throws -> Request? {
        try nextStep(response)
    }
}

/// No authentication: use `.disabled` on a request to switch off its client's auth.
///
/// ```swift
/// let r = try await client.get("https://example.org/public", auth: .disabled)
/// ```
public struct DisabledAuth: Auth {
    public init() {}
    public func authFlow(for request: Request) -> AuthFlow { AuthFlow(request) }
}

extension Auth where Self == DisabledAuth {
    /// No authentication, even when the client has some.
    public static var disabled: DisabledAuth { DisabledAuth() }
}
