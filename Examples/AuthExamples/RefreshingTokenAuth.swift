import HTTPX
import Synchronization

// httpx's `async_auth_flow`: a flow that does I/O. It sends the request with the token it
// holds; on a 401 it fetches a new token from the token endpoint (with a client of its own)
// and sends the request once more.
final class RefreshingTokenAuth: Auth {
    private let token = Mutex<String?>(nil)
    private let tokenURL: String
    private let tokenClient: AsyncClient

    init(tokenURL: String, tokenClient: AsyncClient) {
        self.tokenURL = tokenURL
        self.tokenClient = tokenClient
    }

    func authFlow(for request: Request, flow: AuthFlow) async throws -> Response {
        var request = request
        if let current = token.withLock({ $0 }) { request.headers["Authorization"] = "Bearer \(current)" }
        let response = try await flow.send(request)
        guard response.statusCode == 401 else { return response }
        let fresh = try await tokenClient.post(tokenURL).text
        token.withLock { $0 = fresh }
        request.headers["Authorization"] = "Bearer \(fresh)"
        return try await flow.send(request)
    }
}
