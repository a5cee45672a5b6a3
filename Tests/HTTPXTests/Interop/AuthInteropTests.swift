import Testing

@testable import HTTPX

/// Every auth scheme against httpbin's auth endpoints.
@Suite("Interop: auth against httpbin", Interop.enabled(Interop.httpbin), .timeLimit(.minutes(2)))
struct AuthInteropTests {
    func client(auth: (any Auth)? = nil) throws -> AsyncClient {
        AsyncClient(.init(baseURL: try Interop.url(Interop.httpbin, "httpbin"), auth: auth, timeout: Timeout(10)))
    }

    @Test func basicFromPairURLAndHidden() async throws {
        let client = try client()
        let r = try await client.get("/basic-auth/user/passwd", auth: .basic("user", "passwd"))
        #expect(r.statusCode == 200)
        #expect(try r.json()["authenticated"] == true)
        #expect(try await client.get("/basic-auth/user/passwd", auth: .basic("user", "nope")).statusCode == 401)
        #expect(try await client.get("/basic-auth/user/passwd").statusCode == 401)

        let base = try Interop.url(Interop.httpbin, "httpbin")
        let fromURL = try await client.get(base.replacing("://", with: "://user:passwd@") + "/basic-auth/user/passwd")
        #expect(fromURL.statusCode == 200)

        // Hidden: 404 instead of a challenge, so only credentials sent up front work.
        #expect(try await client.get("/hidden-basic-auth/user/passwd").statusCode == 404)
        #expect(try await client.get("/hidden-basic-auth/user/passwd", auth: .basic("user", "passwd")).statusCode == 200)
    }

    @Test func bearerByFunctionAndByCustomFlow() async throws {
        let client = try client()
        #expect(try await client.get("/bearer").statusCode == 401)
        let r = try await client.get("/bearer", auth: .function { request in
            var request = request
            request.headers["Authorization"] = "Bearer abc123"
            return request
        })
        #expect(try r.json()["token"] == "abc123")
    }

    @Test(arguments: ["auth", "auth-int"], ["MD5", "SHA-256", "SHA-512"])
    func digestForEachQopAndAlgorithm(qop: String, algorithm: String) async throws {
        let digest = DigestAuth("user", "passwd")
        let client = try client(auth: digest)
        let path = "/digest-auth/\(qop)/user/passwd/\(algorithm)"
        let r = try await client.get(path)
        #expect(r.statusCode == 200, "\(qop) \(algorithm)")
        #expect(try r.json()["authenticated"] == true)
        #expect(r.history.map(\.statusCode) == [401])
        // The next request answers the remembered challenge up front (nc=2), no 401 first.
        let again = try await client.get(path)
        #expect(again.statusCode == 200)
        #expect(again.history.isEmpty)
        #expect(again.request.headers["Authorization"]?.contains("nc=00000002") == true)

        let wrong = try await self.client(auth: DigestAuth("user", "wrong")).get(path)
        #expect(wrong.statusCode == 401)
    }

    @Test func digestStaleNonceAndCookiesSetOnTheChallenge() async throws {
        let client = try client(auth: DigestAuth("user", "passwd"))
        // stale_after=1: the second request's nonce is reported stale (httpbin counts with the
        // cookies it sets on each 401 and 200, so they must travel); the flow answers the new
        // nonce. (httpbin 0.10's `require-cookie` query cannot be used: it fails on any query.)
        let path = "/digest-auth/auth/user/passwd/MD5/1"
        #expect(try await client.get(path).statusCode == 200)
        let second = try await client.get(path)
        #expect(second.statusCode == 200)
        #expect(second.history.count == 1, "one stale 401, then accepted")
        #expect(second.history.first?.headers["WWW-Authenticate"]?.contains("stale=TRUE") == true
            || second.history.first?.headers["WWW-Authenticate"]?.lowercased().contains("stale=true") == true)
    }

    @Test func blockingClientDigest() async throws {
        let base = try Interop.url(Interop.httpbin, "httpbin")
        let status = try await onPlainThread {
            try Client.withClient(.init(baseURL: base, auth: DigestAuth("user", "passwd"))) { client in
                try client.get("/digest-auth/auth/user/passwd/SHA-256").statusCode
            }
        }
        #expect(status == 200)
    }
}
