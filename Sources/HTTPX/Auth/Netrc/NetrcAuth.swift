/// Basic authentication with the credentials a `.netrc` file lists for the request's host.
///
/// A client with `trustEnv` (the default) and no other auth does this by itself, reading the
/// file once; use `NetrcAuth` to name a file, or to use one with `trustEnv` off. Requests to
/// hosts the file does not list (and no `default` entry) go out without credentials.
///
/// ```swift
/// let client = AsyncClient(.init(auth: try NetrcAuth(file: "/etc/my-app/netrc")))
/// ```
public struct NetrcAuth: Auth, CustomStringConvertible {
    /// The parsed file.
    public let netrc: Netrc
    private let path: String

    /// Reads `file`, or the file the environment names (`NETRC`, `~/.netrc`, `~/_netrc`)
    /// when `nil`.
    ///
    /// - Throws: ``HTTPXError/Kind/invalidArgument`` when there is no such file, or it cannot
    ///   be read or parsed.
    public init(file: String? = nil) throws {
        guard let path = file ?? Netrc.defaultPath() else {
            throw HTTPXError(.invalidArgument, "No .netrc file: NETRC is not set and neither ~/.netrc nor ~/_netrc exists")
        }
        self.path = path
        self.netrc = try Netrc(contentsOf: path)
    }

    /// Uses an already parsed file.
    public init(_ netrc: Netrc) {
        self.netrc = netrc
        self.path = "<parsed>"
    }

    public func authFlow(for request: Request, flow: AuthFlow) async throws -> Response {
        guard let entry = netrc.entry(for: request.url.rawHost), let login = entry.login else {
            return try await flow.send(request)
        }
        return try await flow.send(BasicAuth(login, entry.password ?? "").authorizing(request))
    }

    /// `NetrcAuth(path)`: no credentials are printed.
    public var description: String { "NetrcAuth(\(path))" }
}

extension Auth where Self == NetrcAuth {
    /// Basic auth from a `.netrc` file: `file`, or the one the environment names.
    ///
    /// ```swift
    /// let client = AsyncClient(.init(auth: try .netrc(file: "/etc/my-app/netrc")))
    /// ```
    public static func netrc(file: String? = nil) throws -> NetrcAuth {
        try NetrcAuth(file: file)
    }
}
