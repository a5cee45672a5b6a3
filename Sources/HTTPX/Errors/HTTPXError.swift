/// The one error type that every failure in swift-httpx is thrown as.
///
/// Its ``kind`` places it in the same tree as httpx's exceptions, so a caller can catch a
/// whole branch (every timeout, every transport failure) or one leaf:
///
/// ```swift
/// do {
///     let response = try await client.get("https://example.org/")
///     try response.raiseForStatus()
/// } catch let error as HTTPXError where error.is(.timeout) {
///     print("timed out: \(error.message)")
/// } catch let error as HTTPXError where error.is(.httpStatus) {
///     print("bad status: \(error.response?.statusCode ?? 0)")
/// }
/// ```
///
/// Errors raised while sending carry the ``Request`` they belong to; an ``Kind/httpStatus``
/// error also carries the ``Response``.
public struct HTTPXError: Error, Sendable, CustomStringConvertible {
    /// Which failure this is, and so where it sits in the error tree.
    public var kind: Kind
    /// A sentence a person can act on, naming what went wrong.
    public var message: String
    /// The request the failure belongs to, when there is one.
    public var request: Request?
    /// The response, for ``Kind/httpStatus`` errors.
    public var response: Response?
    /// The lower-level error that caused this one, if any.
    public var underlying: (any Error & Sendable)?

    /// Creates an error of the given kind.
    public init(
        _ kind: Kind,
        _ message: String,
        request: Request? = nil,
        response: Response? = nil,
        underlying: (any Error & Sendable)? = nil
    ) {
        self.kind = kind
        self.message = message
        self.request = request
        self.response = response
        self.underlying = underlying
    }

    /// Whether this error is of `kind` or of a kind below it in the tree.
    ///
    /// `error.is(.timeout)` is true for a ``Kind/connectTimeout`` as well as for a
    /// ``Kind/readTimeout``.
    public func `is`(_ kind: Kind) -> Bool {
        self.kind.isA(kind)
    }

    /// `Kind: message`, the way httpx's command line prints an exception.
    public var description: String {
        "\(kind): \(message)"
    }

    /// The same error, attached to `request` unless it already names one.
    func attaching(_ request: Request) -> HTTPXError {
        var copy = self
        if copy.request == nil { copy.request = request }
        return copy
    }
}

extension HTTPXError {
    /// A node of the error tree: a name and the node above it.
    ///
    /// The tree mirrors httpx's exception hierarchy:
    ///
    /// ```
    /// httpError
    /// ├── request
    /// │   ├── transport
    /// │   │   ├── timeout: connectTimeout, readTimeout, writeTimeout, poolTimeout,
    /// │   │   │            deadlineExceeded
    /// │   │   ├── network: connectError, readError, writeError, closeError
    /// │   │   ├── protocol: localProtocol, remoteProtocol
    /// │   │   ├── proxy
    /// │   │   └── unsupportedProtocol
    /// │   ├── decoding
    /// │   ├── tooManyRedirects, tooManyAuthSteps
    /// │   └── webSocket: webSocketUpgrade (HTTPXWebSocket)
    /// ├── httpStatus
    /// └── cacheStore
    /// invalidURL, cookieConflict, stream (streamConsumed, streamClosed,
    /// responseNotRead, requestNotRead), clientClosed, blockingInAsyncContext
    /// ```
    public struct Kind: Hashable, Sendable, CustomStringConvertible {
        /// The kind's name, as httpx spells the matching exception.
        public var name: String { lineage[0] }
        /// This kind's name followed by the names of every kind above it.
        private let lineage: [String]

        /// Creates a kind below `parent`; use it for errors of your own transports or auths.
        public init(_ name: String, parent: Kind? = nil) {
            self.lineage = [name] + (parent?.lineage ?? [])
        }

        public var description: String { name }

        /// The kind directly above this one, if any.
        public var parent: Kind? {
            lineage.count > 1 ? Kind(lineage: Array(lineage.dropFirst())) : nil
        }

        private init(lineage: [String]) {
            self.lineage = lineage
        }

        func isA(_ other: Kind) -> Bool {
            lineage.contains(other.name)
        }

        public static func == (lhs: Kind, rhs: Kind) -> Bool { lhs.name == rhs.name }
        public func hash(into hasher: inout Hasher) { hasher.combine(name) }
    }
}
