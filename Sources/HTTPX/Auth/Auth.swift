/// An authentication scheme: a flow that sends one or more requests to authorise a request,
/// httpx's `auth_flow` (and `async_auth_flow`: a flow may await I/O, such as refreshing a
/// token, and serves the blocking ``Client`` as well).
///
/// The flow sends each request through ``AuthFlow/send(_:)`` and returns the response the
/// caller gets. Like an httpx generator, it sends the requests written in it and no more:
/// there is no callback asked again after every response, so a server that always answers
/// 401 gets as many requests as the flow's code sends, and a flow stuck in a loop is stopped
/// after ``AuthFlow/maxRequests``.
///
/// ```swift
/// struct RetryWithToken: Auth {
///     let token: String
///     func authFlow(for request: Request, flow: AuthFlow) async throws -> Response {
///         let response = try await flow.send(request)
///         guard response.statusCode == 401 else { return response }
///         var retry = request
///         retry.headers["X-Authentication"] = token
///         return try await flow.send(retry)          // two requests at most
///     }
/// }
/// let client = AsyncClient(.init(auth: RetryWithToken(token: "secret")))
/// ```
///
/// Built-in schemes: ``BasicAuth`` (`.basic(user, password)`), ``DigestAuth``, ``NetrcAuth``,
/// ``FunctionAuth`` (`.function { request in ... }`), and ``DisabledAuth`` (`.disabled`, to
/// switch off a client's auth for one request).
public protocol Auth: Sendable {
    /// Whether the flow needs the request body: it is then read into memory before the flow
    /// starts, even when it came as a stream, so ``Request/content`` is set and the body can be
    /// sent again.
    var requiresRequestBody: Bool { get }
    /// Whether the flow needs the body of the responses it sees: ``AuthFlow/send(_:)`` then
    /// returns them read. Otherwise a response is read (into the final response's history)
    /// only when the flow sends another request.
    var requiresResponseBody: Bool { get }
    /// Authorises `request`: sends it, or other requests, through `flow` and returns the
    /// response the caller gets (normally the last one sent). Throwing fails the request with
    /// that error.
    func authFlow(for request: Request, flow: AuthFlow) async throws -> Response
}

extension Auth {
    public var requiresRequestBody: Bool { false }
    public var requiresResponseBody: Bool { false }
}

/// What an ``Auth`` sends its requests through: each goes through the client's redirects,
/// event hooks and transport, and the responses before the last become its history.
///
/// A response the flow moves past (by sending another request) is read and kept in the
/// history; cookies it set go with the next request to the same origin.
public struct AuthFlow: Sendable {
    /// The most requests one flow may send; one more fails with
    /// ``HTTPXError/Kind/tooManyAuthSteps``.
    public static let maxRequests = 10

    let sendRequest: @Sendable (Request) async throws -> Response

    /// A flow that sends requests with `send`, to run an ``Auth`` outside a client (in a test,
    /// say). Nothing caps or records them.
    ///
    /// ```swift
    /// let flow = AuthFlow { request in Response(200, request: request) }
    /// let response = try await RetryWithToken(token: "t").authFlow(for: request, flow: flow)
    /// ```
    public init(send: @escaping @Sendable (Request) async throws -> Response) {
        self.sendRequest = send
    }

    /// Sends `request` and returns its response (read when the auth asks for response bodies).
    ///
    /// - Throws: the transport's error, or ``HTTPXError/Kind/tooManyAuthSteps`` past
    ///   ``maxRequests``.
    public func send(_ request: Request) async throws -> Response {
        try await sendRequest(request)
    }
}

/// No authentication: use `.disabled` on a request to switch off its client's auth.
///
/// ```swift
/// let r = try await client.get("https://example.org/public", auth: .disabled)
/// ```
public struct DisabledAuth: Auth {
    public init() {}
    public func authFlow(for request: Request, flow: AuthFlow) async throws -> Response {
        try await flow.send(request)
    }
}

extension Auth where Self == DisabledAuth {
    /// No authentication, even when the client has some.
    public static var disabled: DisabledAuth { DisabledAuth() }
}
