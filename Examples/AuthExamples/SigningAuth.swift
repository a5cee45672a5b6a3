import Crypto
import HTTPX

// Signs the method, target and body. `requiresRequestBody` makes the client read the body
// first (even a stream), so `request.content` is set and the request can be sent again.
struct SigningAuth: Auth {
    let key: SymmetricKey
    var requiresRequestBody: Bool { true }

    func authFlow(for request: Request, flow: AuthFlow) async throws -> Response {
        let response = try await flow.send(request)
        guard response.statusCode == 401 else { return response }
        var signed = request
        signed.headers["X-Signature"] = signature(of: request)
        return try await flow.send(signed)
    }

    func signature(of request: Request) -> String {
        let message = Array("\(request.method.rawValue) \(request.target)\n".utf8) + (request.content ?? [])
        let code = HMAC<SHA256>.authenticationCode(for: message, using: key)
        return code.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
    }
}
