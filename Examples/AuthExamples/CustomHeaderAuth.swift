import HTTPX

// The seed's first custom auth: one request, with a custom header.
struct CustomHeaderAuth: Auth {
    let token: String

    func authFlow(for request: Request, flow: AuthFlow) async throws -> Response {
        var request = request
        request.headers["X-Authentication"] = token
        return try await flow.send(request)
    }
}
