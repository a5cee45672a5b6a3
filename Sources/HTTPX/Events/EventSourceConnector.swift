/// Opens one connection of an event stream: builds the request through the client (so its
/// base URL, headers, params, cookies and auth apply anew each time), sends it, and checks
/// that the answer is an event stream.
struct EventSourceConnector: Sendable {
    let client: AsyncClient
    let method: HTTPMethod
    let url: String
    let options: RequestOptions

    /// The largest error body read into an ``HTTPXError/Kind/httpStatus`` error's response.
    static let maxErrorBodySize = 64 << 10

    /// Sends the request, with `Last-Event-ID` when `lastEventID` is not empty.
    ///
    /// - Returns: the response, its event stream unread; `nil` when the server answered
    ///   `204 No Content`, its way of saying the stream is over for good.
    /// - Throws: what sending throws; ``HTTPXError/Kind/httpStatus`` for a status other than
    ///   2xx, as ``Response/raiseForStatus()`` would; ``HTTPXError/Kind/decoding`` for a 2xx
    ///   that is not `text/event-stream`.
    func connect(lastEventID: String) async throws -> Response? {
        var options = self.options
        if options.timeout == nil {
            // An event stream may stay quiet for long: without a timeout of the caller's, the
            // client's apply except the read timeout.
            var timeout = client.timeout
            timeout.read = nil
            options.timeout = timeout
        }
        var request = try client.buildRequest(method, url, options)
        let given = options.headers ?? [:]
        if !given.contains("Accept") { request.headers.set("Accept", "text/event-stream") }
        if !given.contains("Cache-Control") { request.headers.set("Cache-Control", "no-store") }
        // An ID that cannot be a header value (a control character) is not sent.
        if !lastEventID.isEmpty, HTTPToken.isValidFieldValue(lastEventID) {
            request.headers.set("Last-Event-ID", lastEventID)
        }
        let response = try await client.send(
            request, auth: options.auth, followRedirects: options.followRedirects, stream: true)
        return try await check(response)
    }

    private func check(_ response: Response) async throws -> Response? {
        if response.statusCode == 204 {
            await response.close()
            return nil
        }
        if !response.isSuccess {
            try await Self.raiseForStatus(response)
        }
        let contentType = response.headers.values(for: "Content-Type").last
        guard let contentType, Self.isEventStream(contentType) else {
            await response.close()
            let got = contentType.map { "Content-Type '\($0)'" } ?? "no Content-Type"
            throw HTTPXError(
                .decoding,
                "Expected an event stream (Content-Type 'text/event-stream') in the response to \(response.request), but it came with \(got) (status \(response.statusCode) \(response.reasonPhrase))",
                request: response.request, response: response)
        }
        return response
    }

    /// Throws the error ``Response/raiseForStatus()`` throws, its response carrying a small
    /// body the server announced (an API's explanation, say); a larger or unannounced one is
    /// closed unread, as a stream that may never end cannot be waited for.
    private static func raiseForStatus(_ response: Response) async throws {
        var answer = response
        let length = response.headers.first("Content-Length").flatMap { Int($0) }
        if let length, length >= 0, length <= maxErrorBodySize {
            answer.limits.maxBodySize = maxErrorBodySize
            do {
                try await answer.read()
            } catch {
                await response.close()
                answer = response
            }
        } else {
            await response.close()
        }
        try answer.raiseForStatus()
    }

    /// Whether a `Content-Type` value names `text/event-stream` (parameters aside).
    static func isEventStream(_ contentType: String) -> Bool {
        let essence = contentType.split(separator: ";", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
        return essence.trimmingSpaces.lowercased() == "text/event-stream"
    }
}
