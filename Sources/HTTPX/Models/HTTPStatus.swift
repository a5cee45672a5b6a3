/// The status codes and reason phrases of RFC 9110 and the IANA registry: httpx's `codes`.
///
/// ```swift
/// if response.statusCode == HTTPStatus.notFound { ... }
/// HTTPStatus.reasonPhrase(for: 418)      // "I'm a teapot"
/// HTTPStatus.isClientError(404)          // true
/// ```
public enum HTTPStatus {
    /// 100 Continue
    public static let `continue` = 100
    /// 101 Switching Protocols
    public static let switchingProtocols = 101
    /// 102 Processing
    public static let processing = 102
    /// 103 Early Hints
    public static let earlyHints = 103
    /// 200 OK
    public static let ok = 200
    /// 201 Created
    public static let created = 201
    /// 202 Accepted
    public static let accepted = 202
    /// 203 Non-Authoritative Information
    public static let nonAuthoritativeInformation = 203
    /// 204 No Content
    public static let noContent = 204
    /// 205 Reset Content
    public static let resetContent = 205
    /// 206 Partial Content
    public static let partialContent = 206
    /// 207 Multi-Status
    public static let multiStatus = 207
    /// 208 Already Reported
    public static let alreadyReported = 208
    /// 226 IM Used
    public static let imUsed = 226
    /// 300 Multiple Choices
    public static let multipleChoices = 300
    /// 301 Moved Permanently
    public static let movedPermanently = 301
    /// 302 Found
    public static let found = 302
    /// 303 See Other
    public static let seeOther = 303
    /// 304 Not Modified
    public static let notModified = 304
    /// 305 Use Proxy
    public static let useProxy = 305
    /// 307 Temporary Redirect
    public static let temporaryRedirect = 307
    /// 308 Permanent Redirect
    public static let permanentRedirect = 308
    /// 400 Bad Request
    public static let badRequest = 400
    /// 401 Unauthorized
    public static let unauthorized = 401
    /// 402 Payment Required
    public static let paymentRequired = 402
    /// 403 Forbidden
    public static let forbidden = 403
    /// 404 Not Found
    public static let notFound = 404
    /// 405 Method Not Allowed
    public static let methodNotAllowed = 405
    /// 406 Not Acceptable
    public static let notAcceptable = 406
    /// 407 Proxy Authentication Required
    public static let proxyAuthenticationRequired = 407
    /// 408 Request Timeout
    public static let requestTimeout = 408
    /// 409 Conflict
    public static let conflict = 409
    /// 410 Gone
    public static let gone = 410
    /// 411 Length Required
    public static let lengthRequired = 411
    /// 412 Precondition Failed
    public static let preconditionFailed = 412
    /// 413 Request Entity Too Large
    public static let requestEntityTooLarge = 413
    /// 414 Request-URI Too Long
    public static let requestURITooLong = 414
    /// 415 Unsupported Media Type
    public static let unsupportedMediaType = 415
    /// 416 Requested Range Not Satisfiable
    public static let requestedRangeNotSatisfiable = 416
    /// 417 Expectation Failed
    public static let expectationFailed = 417
    /// 418 I'm a teapot
    public static let imATeapot = 418
    /// 421 Misdirected Request
    public static let misdirectedRequest = 421
    /// 422 Unprocessable Entity
    public static let unprocessableEntity = 422
    /// 423 Locked
    public static let locked = 423
    /// 424 Failed Dependency
    public static let failedDependency = 424
    /// 425 Too Early
    public static let tooEarly = 425
    /// 426 Upgrade Required
    public static let upgradeRequired = 426
    /// 428 Precondition Required
    public static let preconditionRequired = 428
    /// 429 Too Many Requests
    public static let tooManyRequests = 429
    /// 431 Request Header Fields Too Large
    public static let requestHeaderFieldsTooLarge = 431
    /// 451 Unavailable For Legal Reasons
    public static let unavailableForLegalReasons = 451
    /// 500 Internal Server Error
    public static let internalServerError = 500
    /// 501 Not Implemented
    public static let notImplemented = 501
    /// 502 Bad Gateway
    public static let badGateway = 502
    /// 503 Service Unavailable
    public static let serviceUnavailable = 503
    /// 504 Gateway Timeout
    public static let gatewayTimeout = 504
    /// 505 HTTP Version Not Supported
    public static let httpVersionNotSupported = 505
    /// 506 Variant Also Negotiates
    public static let variantAlsoNegotiates = 506
    /// 507 Insufficient Storage
    public static let insufficientStorage = 507
    /// 508 Loop Detected
    public static let loopDetected = 508
    /// 510 Not Extended
    public static let notExtended = 510
    /// 511 Network Authentication Required
    public static let networkAuthenticationRequired = 511

    /// The standard reason phrase of `code`, or an empty string for a code without one.
    public static func reasonPhrase(for code: Int) -> String {
        phrases[code] ?? ""
    }

    /// 1xx.
    public static func isInformational(_ code: Int) -> Bool { (100...199).contains(code) }
    /// 2xx.
    public static func isSuccess(_ code: Int) -> Bool { (200...299).contains(code) }
    /// 3xx.
    public static func isRedirect(_ code: Int) -> Bool { (300...399).contains(code) }
    /// 4xx.
    public static func isClientError(_ code: Int) -> Bool { (400...499).contains(code) }
    /// 5xx.
    public static func isServerError(_ code: Int) -> Bool { (500...599).contains(code) }
    /// 4xx or 5xx.
    public static func isError(_ code: Int) -> Bool { (400...599).contains(code) }

    private static let phrases: [Int: String] = [
        100: "Continue", 101: "Switching Protocols", 102: "Processing", 103: "Early Hints",
        200: "OK", 201: "Created", 202: "Accepted", 203: "Non-Authoritative Information",
        204: "No Content", 205: "Reset Content", 206: "Partial Content", 207: "Multi-Status",
        208: "Already Reported", 226: "IM Used",
        300: "Multiple Choices", 301: "Moved Permanently", 302: "Found", 303: "See Other",
        304: "Not Modified", 305: "Use Proxy", 307: "Temporary Redirect", 308: "Permanent Redirect",
        400: "Bad Request", 401: "Unauthorized", 402: "Payment Required", 403: "Forbidden",
        404: "Not Found", 405: "Method Not Allowed", 406: "Not Acceptable",
        407: "Proxy Authentication Required", 408: "Request Timeout", 409: "Conflict", 410: "Gone",
        411: "Length Required", 412: "Precondition Failed", 413: "Request Entity Too Large",
        414: "Request-URI Too Long", 415: "Unsupported Media Type",
        416: "Requested Range Not Satisfiable", 417: "Expectation Failed", 418: "I'm a teapot",
        421: "Misdirected Request", 422: "Unprocessable Entity", 423: "Locked",
        424: "Failed Dependency", 425: "Too Early", 426: "Upgrade Required",
        428: "Precondition Required", 429: "Too Many Requests",
        431: "Request Header Fields Too Large", 451: "Unavailable For Legal Reasons",
        500: "Internal Server Error", 501: "Not Implemented", 502: "Bad Gateway",
        503: "Service Unavailable", 504: "Gateway Timeout", 505: "HTTP Version Not Supported",
        506: "Variant Also Negotiates", 507: "Insufficient Storage", 508: "Loop Detected",
        510: "Not Extended", 511: "Network Authentication Required",
    ]
}
