/// Authentication by a function that takes a request and returns it authenticated.
///
/// ```swift
/// let client = AsyncClient(.init(auth: .function { request in
///     var request = request
///     request.headers["Authorization"] = "Bearer \(currentToken())"
///     return request
/// }))
/// ```
public struct FunctionAuth: Auth {
    private let transform: @Sendable (Request) throws -> Request

    public init(_ transform: @escaping @Sendable (Request) throws -> Request) {
        self.transform = transform
    }

    public func authFlow(for request: Request, flow: AuthFlow) async throws -> Response {
        try await flow.send(try transform(request))
    }
}

extension Auth where Self == FunctionAuth {
    /// Authentication by a function from a request to the authenticated request.
    public static func function(_ transform: @escaping @Sendable (Request) throws -> Request) -> FunctionAuth {
        FunctionAuth(transform)
    }
}
