import HTTPX

// Send the request as it is; if the server answers 401, send it again with the token.
struct RetryOn401Auth: Auth {
    let token: String

    func authFlow(for request: Request) -> AuthFlow {
        AuthFlow(request) { response in
            guard response.statusCode == 401 else { return nil }
            var retry = request
            retry.headers["X-Authentication"] = token
            return retry
        }
    }
}
