#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// HTTP Basic authentication (RFC 7617): the user and password sent with every request.
///
/// ```swift
/// let client = AsyncClient(.init(auth: .basic("user", "pass")))
/// let r = try await client.get("https://httpbin.org/basic-auth/user/pass")
/// ```
///
/// Credentials in a URL (`https://user:pass@host/`) are sent the same way when no other auth
/// is given.
public struct BasicAuth: Auth, CustomStringConvertible {
    /// The user name.
    public let username: String
    private let password: String

    /// Basic auth for `username` and `password`, encoded as UTF-8.
    public init(_ username: String, _ password: String) {
        self.username = username
        self.password = password
    }

    /// The `Authorization` header value.
    public var headerValue: String {
        "Basic " + Data("\(username):\(password)".utf8).base64EncodedString()
    }

    public func authFlow(for request: Request, flow: AuthFlow) async throws -> Response {
        try await flow.send(authorizing(request))
    }

    /// `request` with this auth's `Authorization` header.
    func authorizing(_ request: Request) -> Request {
        var request = request
        request.headers.set("Authorization", headerValue)
        return request
    }

    /// `BasicAuth(user, [secure])`: the password is never printed.
    public var description: String { "BasicAuth(\(username), [secure])" }
}

extension Auth where Self == BasicAuth {
    /// Basic authentication with `username` and `password`.
    public static func basic(_ username: String, _ password: String) -> BasicAuth {
        BasicAuth(username, password)
    }
}
