/// What carries a request and brings back its response: the network, an app in-process, or a
/// mock.
///
/// The contract is one method. Timeouts and other per-request settings travel in
/// ``Request/extensions``, so a transport of your own stays small:
///
/// ```swift
/// struct EchoTransport: Transport {
///     func handle(_ request: Request) async throws -> Response {
///         Response(200, text: request.url.description)
///     }
/// }
/// let client = AsyncClient(.init(transport: EchoTransport()))
/// ```
///
/// The response body may stream; the client reads it unless the caller asked to stream.
/// Throw ``HTTPXError`` for failures so callers can catch them by kind.
public protocol Transport: Sendable {
    /// Sends `request` and returns its response, whose body may still be streaming.
    func handle(_ request: Request) async throws -> Response

    /// Releases what the transport holds (connections, threads). Called by the client's
    /// `close()`; the default does nothing.
    func close() async
}

extension Transport {
    public func close() async {}
}
