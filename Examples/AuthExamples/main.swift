// Runs the auth examples of docs/auth.md against in-process servers that demand them:
// `swift run httpx-auth-examples`. Exits with 1 if one of them is not let in.
import Crypto
import HTTPX

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A server that lets a request in when `isAuthorised` says so, and answers 401 otherwise.
func server(_ isAuthorised: @escaping @Sendable (Request) -> Bool) -> MockTransport {
    MockTransport { request in
        isAuthorised(request) ? Response(200, text: "welcome") : Response(401)
    }
}

// The token endpoint of the refreshing auth: hands out "fresh-token".
let tokenServer = AsyncClient(.init(transport: MockTransport { _ in Response(200, text: "fresh-token") }))
let key = SymmetricKey(data: Array("shared secret".utf8))
let signer = SigningAuth(key: key)
let examples: [(String, any Auth, MockTransport, RequestBody)] = [
    ("custom header", CustomHeaderAuth(token: "t0k3n"), server { $0.headers["X-Authentication"] == "t0k3n" }, .empty),
    ("401 then retry", RetryOn401Auth(token: "t0k3n"), server { $0.headers["X-Authentication"] == "t0k3n" }, .empty),
    ("token refreshed with I/O", RefreshingTokenAuth(tokenURL: "https://auth.example.org/token", tokenClient: tokenServer),
     server { $0.headers["Authorization"] == "Bearer fresh-token" }, .empty),
    ("signed body", signer, server { $0.headers["X-Signature"] == signer.signature(of: $0) },
     .stream(bytes: AsyncStream { continuation in
         continuation.yield(Array("streamed ".utf8))
         continuation.yield(Array("body".utf8))
         continuation.finish()
     })),
]

var failures = 0
for (name, auth, transport, body) in examples {
    do {
        let response = try await AsyncClient.withClient(.init(transport: transport)) { client in
            try await client.post("https://api.example.org/items", content: body, auth: auth)
        }
        print("\(name): \(response.statusCode) after \(response.history.count) other response(s)")
        if response.statusCode != 200 { failures += 1 }
    } catch {
        print("\(name): \(error)")
        failures += 1
    }
}
await tokenServer.close()
exit(failures == 0 ? 0 : 1)
