import Synchronization

/// HTTP Digest authentication (RFC 7616, and RFC 2069 when the server offers no `qop`).
///
/// The first request goes out without credentials; the server's 401 challenge is answered
/// with a hash of the password, never the password itself. The challenge is remembered, so
/// later requests through the same auth answer it up front with an increasing nonce count
/// (`nc`); a new 401 restarts it, and `stale=true` (an expired nonce) is answered again with
/// the new nonce. Algorithms: MD5, SHA (SHA-1), SHA-256, SHA-512 and their `-sess` forms;
/// `qop` `auth`, or `auth-int` when the body is in memory.
///
/// ```swift
/// let client = AsyncClient(.init(auth: DigestAuth("user", "pass")))
/// let r = try await client.get("https://httpbin.org/digest-auth/auth/user/pass")
/// r.statusCode  // 200
/// ```
public final class DigestAuth: Auth, CustomStringConvertible {
    /// The user name.
    public let username: String
    private let password: String
    private let makeClientNonce: @Sendable () -> String

    /// The last challenge of each origin and how many times it was answered.
    private let remembered = Mutex<[String: (challenge: DigestChallenge, nonceCount: Int)]>([:])

    /// Digest auth for `username` and `password` (UTF-8).
    public convenience init(_ username: String, _ password: String) {
        self.init(username, password, clientNonce: DigestAuth.randomClientNonce)
    }

    /// For tests: a fixed client nonce.
    init(_ username: String, _ password: String, clientNonce: @escaping @Sendable () -> String) {
        self.username = username
        self.password = password
        self.makeClientNonce = clientNonce
    }

    /// `DigestAuth(user, [secure])`: the password is never printed.
    public var description: String { "DigestAuth(\(username), [secure])" }

    public func authFlow(for request: Request, flow: AuthFlow) async throws -> Response {
        var first = request
        if let header = try headerForRememberedChallenge(request) {
            first.headers.set("Authorization", header)
        }
        var response = try await flow.send(first)
        // One answer to a new challenge, and two more only while the server says the nonce
        // was merely stale: four requests at most.
        for attempt in 0..<3 {
            guard response.statusCode == 401,
                let challenge = try DigestChallenge.first(in: response, request: request),
                attempt == 0 || challenge.isStale
            else { return response }
            var retry = request
            retry.headers.set("Authorization", try answer(challenge, for: request))
            response = try await flow.send(retry)
        }
        return response
    }

    /// Remembers `challenge`, restarting the nonce count, and answers it.
    private func answer(_ challenge: DigestChallenge, for request: Request) throws -> String {
        let origin = request.url.origin
        remembered.withLock { $0[origin] = (challenge, 1) }
        return try challenge.authorization(
            for: request, username: username, password: password, nonceCount: 1, clientNonce: makeClientNonce())
    }

    /// Answers the challenge last seen from the request's origin (never another's) up front.
    private func headerForRememberedChallenge(_ request: Request) throws -> String? {
        let origin = request.url.origin
        let current = remembered.withLock { remembered -> (DigestChallenge, Int)? in
            guard var entry = remembered[origin] else { return nil }
            entry.nonceCount += 1
            remembered[origin] = entry
            return (entry.challenge, entry.nonceCount)
        }
        guard let (challenge, count) = current else { return nil }
        return try challenge.authorization(
            for: request, username: username, password: password, nonceCount: count, clientNonce: makeClientNonce())
    }

    /// 16 random bytes as hex.
    @Sendable static func randomClientNonce() -> String {
        var generator = SystemRandomNumberGenerator()
        return DigestAlgorithm.lowercaseHex((0..<16).map { _ in UInt8.random(in: 0...255, using: &generator) })
    }
}

extension Auth where Self == DigestAuth {
    /// Digest authentication with `username` and `password`.
    public static func digest(_ username: String, _ password: String) -> DigestAuth {
        DigestAuth(username, password)
    }
}
