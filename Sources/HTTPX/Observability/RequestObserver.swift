import Logging

/// Where one request's trace events go: the caller's ``RequestExtensions/trace`` callback and
/// the request's logger (connection events at debug level, the exchange's at trace level).
/// `nil` when nothing listens, so a request nobody observes costs nothing more.
struct RequestObserver: Sendable {
    private let trace: (@Sendable (TraceEvent) -> Void)?
    private let logger: Logger?

    init?(_ request: Request) {
        let extensions = request.extensions
        let logger = extensions.logger.flatMap { $0.logLevel <= .debug ? $0 : nil }
        guard extensions.trace != nil || logger != nil else { return nil }
        self.trace = extensions.trace
        // The URL is logged without its credentials.
        var described = logger
        described?[metadataKey: "http.request.method"] = "\(request.method)"
        described?[metadataKey: "url.full"] = "\(request.url.removingUserinfo.description)"
        self.logger = described
    }

    func callAsFunction(_ event: TraceEvent) {
        trace?(event)
        guard let logger else { return }
        switch event {
        case .requestHeadSent, .requestBodySent, .responseHeadReceived, .responseBodyCompleted:
            logger.trace("\(event.name): \(event)")
        default:
            logger.debug("\(event.name): \(event)")
        }
    }
}
