import HTTPX

// Send the request as it is; if the server answers 401, send it again with the token.
struct RetryOn401Auth: Auth {
    let token: String

    func authFlow(for request: Request, flow: AuthFlow) async throws -> Response {
        let response = try await flow.send(request)
        guard response.statusCode == 401 else { return response }
        var retry = request
        retry.headers["X-Authentication"] = token
        return try await flow.send(retry)  // two requests at most, whatever the server answers
    }
}
