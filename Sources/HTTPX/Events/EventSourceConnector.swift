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
    /// The longest wait for an error body when no read timeout applies (the caller's nor the
    /// client's).
    static let errorBodyDeadline = Duration.seconds(10)
    /// The longest last event ID sent as `Last-Event-ID`, in bytes: a server may set an ID as
    /// long as an event, which would make every reconnection's head that large.
    static let maxLastEventIDSize = 1024

    /// Sends the request, with `Last-Event-ID` when `lastEventID` is not empty and can be sent
    /// (see ``shouldSend(lastEventID:)``).
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
        // As a browser's EventSource: `no-cache` makes a cache on the way ask the server
        // (`no-store` would not stop one answering from what it stored).
        if !given.contains("Cache-Control") { request.headers.set("Cache-Control", "no-cache") }
        if Self.shouldSend(lastEventID: lastEventID) {
            request.headers.set("Last-Event-ID", lastEventID)
        }
        let response = try await client.send(
            request, auth: options.auth, followRedirects: options.followRedirects, stream: true)
        return try await check(response)
    }

    /// Whether `lastEventID` goes out as `Last-Event-ID`: not when it is empty, longer than
    /// ``maxLastEventIDSize`` bytes, or not a valid header value (a control character such as
    /// CR, LF or NUL). The stream keeps such an ID as its last event ID all the same.
    static func shouldSend(lastEventID: String) -> Bool {
        !lastEventID.isEmpty && lastEventID.utf8.count <= maxLastEventIDSize
            && HTTPToken.isValidFieldValue(lastEventID)
    }

    private func check(_ response: Response) async throws -> Response? {
        if response.statusCode == 204 {
            await response.close()
            return nil
        }
        if !response.isSuccess {
            // Bounded by the read timeout (the caller's, else the client's), as the request's
            // own read timeout may be off for the stream.
            let readTimeout = (options.timeout ?? client.timeout).read
            try await Self.raiseForStatus(response, within: readTimeout ?? Self.errorBodyDeadline)
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
    /// body the server announced (an API's explanation, say) when it arrives within `limit`; a
    /// larger, unannounced or late one is closed unread, as a stream that may never end (or a
    /// server that stalls) cannot be waited for.
    static func raiseForStatus(_ response: Response, within limit: Duration) async throws {
        var answer = response
        let length = response.headers.first("Content-Length").flatMap { Int($0) }
        if let length, length >= 0, length <= maxErrorBodySize {
            answer.limits.maxBodySize = maxErrorBodySize
            if let read = await readBody(of: answer, within: limit) {
                answer = read
            } else {
                await response.close()
                answer = response
            }
        } else {
            await response.close()
        }
        try answer.raiseForStatus()
    }

    /// `response` with its body read, or `nil` when reading failed or took longer than
    /// `limit` (the read is then cancelled, which closes the body).
    private static func readBody(of response: Response, within limit: Duration) async -> Response? {
        await withTaskGroup(of: Response?.self, returning: Response?.self) { group in
            group.addTask {
                var copy = response
                do {
                    try await copy.read()
                    return copy
                } catch {
                    return nil
                }
            }
            group.addTask {
                try? await Task.sleep(for: limit)
                return nil
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            return first
        }
    }

    /// Whether a `Content-Type` value names `text/event-stream` (parameters aside).
    static func isEventStream(_ contentType: String) -> Bool {
        let essence = contentType.split(separator: ";", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
        return essence.trimmingSpaces.lowercased() == "text/event-stream"
    }
}
