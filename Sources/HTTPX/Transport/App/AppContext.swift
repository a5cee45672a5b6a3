/// What an in-process app learns about a request besides the request itself: where it is
/// mounted and who is calling, as a server would tell it.
///
/// ```swift
/// let transport = AppTransport(rootPath: "/api", clientAddress: "10.0.0.7") { request, context in
///     Response(200, text: "\(context.path) from \(context.clientAddress)")
/// }
/// // GET http://app/api/users → the app sees path "/users", rootPath "/api".
/// ```
public struct AppContext: Sendable {
    /// The sub-path the app is mounted at (`""` at the root), as WSGI's `SCRIPT_NAME` or
    /// ASGI's `root_path`.
    public let rootPath: String
    /// The request's path below ``rootPath``, percent-decoded, always starting with `/`.
    public let path: String
    /// The client's IP address the app sees.
    public let clientAddress: String
    /// The client's port the app sees.
    public let clientPort: Int

    public init(rootPath: String, path: String, clientAddress: String, clientPort: Int) {
        self.rootPath = rootPath
        self.path = path
        self.clientAddress = clientAddress
        self.clientPort = clientPort
    }
}
