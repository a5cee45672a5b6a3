import HTTPX

// The seed's first custom auth: one request, with a custom header.
struct CustomHeaderAuth: Auth {
    let token: String

    func authFlow(for request: Request) -> AuthFlow {
        var request = request
        request.headers["X-Authentication"] = token
        return AuthFlow(request)
    }
}
