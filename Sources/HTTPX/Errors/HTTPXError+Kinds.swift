extension HTTPXError.Kind {
    /// The root of the tree: every error swift-httpx throws is below it.
    public static let httpError = Self("HTTPError")

    /// A failure while sending a request or receiving its response.
    public static let request = Self("RequestError", parent: .httpError)
    /// A failure of the transport that carries the request.
    public static let transport = Self("TransportError", parent: .request)

    /// Any of the four timeouts.
    public static let timeout = Self("TimeoutException", parent: .transport)
    /// No connection was established within the connect timeout.
    public static let connectTimeout = Self("ConnectTimeout", parent: .timeout)
    /// No data arrived within the read timeout.
    public static let readTimeout = Self("ReadTimeout", parent: .timeout)
    /// No data could be sent within the write timeout.
    public static let writeTimeout = Self("WriteTimeout", parent: .timeout)
    /// No connection became free in the pool within the pool timeout.
    public static let poolTimeout = Self("PoolTimeout", parent: .timeout)
    /// The request's total deadline passed (connecting, sending, redirects, auth steps,
    /// retries and reading the body all count).
    public static let deadlineExceeded = Self("DeadlineExceeded", parent: .timeout)

    /// A failure of the network connection.
    public static let network = Self("NetworkError", parent: .transport)
    /// The connection could not be established (refused, unresolvable, TLS rejected).
    public static let connectError = Self("ConnectError", parent: .network)
    /// Reading from the connection failed.
    public static let readError = Self("ReadError", parent: .network)
    /// Writing to the connection failed.
    public static let writeError = Self("WriteError", parent: .network)
    /// Closing the connection failed.
    public static let closeError = Self("CloseError", parent: .network)

    /// The HTTP protocol was broken by one side.
    public static let `protocol` = Self("ProtocolError", parent: .transport)
    /// The request broke the protocol (an invalid header, say) and was not sent.
    public static let localProtocol = Self("LocalProtocolError", parent: .protocol)
    /// The server broke the protocol (a malformed status line, an invalid Location).
    public static let remoteProtocol = Self("RemoteProtocolError", parent: .protocol)

    /// The proxy could not be used.
    public static let proxy = Self("ProxyError", parent: .transport)
    /// No transport handles the URL's scheme.
    public static let unsupportedProtocol = Self("UnsupportedProtocol", parent: .transport)

    /// The response body could not be decoded (corrupt gzip, invalid JSON).
    public static let decoding = Self("DecodingError", parent: .request)
    /// More redirects than the client's `maxRedirects`.
    public static let tooManyRedirects = Self("TooManyRedirects", parent: .request)
    /// An auth flow sent more than ``AuthFlow/maxRequests`` requests.
    public static let tooManyAuthSteps = Self("TooManyAuthSteps", parent: .request)

    /// ``Response/raiseForStatus()`` found a 4xx or 5xx status (or an unfollowed redirect).
    public static let httpStatus = Self("HTTPStatusError", parent: .httpError)

    /// A URL could not be parsed or is not usable for a request.
    public static let invalidURL = Self("InvalidURL")
    /// A cookie lookup matched more than one cookie.
    public static let cookieConflict = Self("CookieConflict")

    /// A request or response body was used in a way its stream does not allow.
    public static let stream = Self("StreamError")
    /// A stream that can be read only once was read again.
    public static let streamConsumed = Self("StreamConsumed", parent: .stream)
    /// A stream was read after it was closed.
    public static let streamClosed = Self("StreamClosed", parent: .stream)
    /// The response body was used as a whole before it was read.
    public static let responseNotRead = Self("ResponseNotRead", parent: .stream)
    /// The request body was used as a whole before it was read.
    public static let requestNotRead = Self("RequestNotRead", parent: .stream)

    /// A request was sent on a client that was closed.
    public static let clientClosed = Self("ClientClosed")
    /// The blocking ``Client`` was used where blocking would deadlock (inside a Swift task).
    public static let blockingInAsyncContext = Self("BlockingInAsyncContext")
    /// A value given to the API was not valid (a header name, a file that can't be read).
    public static let invalidArgument = Self("InvalidArgument")
}
