extension AsyncClient {
    /// Server-sent events from `url`: the stream an `EventSource` would read, as an async
    /// sequence of ``ServerSentEvent``.
    ///
    /// ```swift
    /// for try await event in client.events("https://example.org/updates") {
    ///     print(event.event, event.data)
    /// }
    ///
    /// // An API that streams its answer to a POST:
    /// let answer = client.events("/v1/complete", method: .post, json: ["prompt": "Hi"],
    ///                            options: EventSourceOptions(maxReconnects: 0))
    /// for try await event in answer where event.data != "[DONE]" {
    ///     print(event.data)
    /// }
    /// ```
    ///
    /// Nothing is sent until the sequence is iterated; each connection is a request of this
    /// client, so its base URL, headers, params, cookies (as they are at that moment), auth,
    /// event hooks, retry policy and transport apply. The request asks for
    /// `Accept: text/event-stream` and, as a browser's `EventSource` does,
    /// `Cache-Control: no-cache` (unless `headers` gives those), and a reconnection sends
    /// `Last-Event-ID`: the last event ID, unless it is longer than 1024 bytes or holds a
    /// character a header cannot (the ID is kept, and ``ServerSentEvent/id`` still has it;
    /// it is just not sent). See ``ServerSentEvents`` for when the sequence reconnects, ends
    /// and throws, and ``EventSourceOptions`` for how.
    ///
    /// An event stream may stay quiet for long: unless `timeout` is given, the client's
    /// timeouts apply except the read timeout, which is off. (A read timeout of yours that
    /// fires is reconnected like a dropped connection.) The error body of a status other than
    /// 2xx is still read under the read timeout (yours, else the client's, else 10 s), so a
    /// server that stalls in it cannot hold the stream. The other options are those of
    /// ``AsyncClient/request(_:_:params:headers:cookies:content:data:files:json:auth:followRedirects:timeout:extensions:)``.
    ///
    /// `url` is joined to the client's base URL. `method` is `GET` unless the server wants
    /// another (some APIs stream the answer to a `POST`); a body is sent again with each
    /// reconnection, so it must be replayable (in memory, or a file). `options` sets
    /// reconnection and the bound on an event's size.
    public func events(
        _ url: String,
        method: HTTPMethod = .get,
        params: QueryParams? = nil,
        headers: Headers? = nil,
        cookies: Cookies? = nil,
        content: RequestBody? = nil,
        data: FormFields? = nil,
        files: MultipartFiles? = nil,
        json: (any Encodable & Sendable)? = nil,
        auth: (any Auth)? = nil,
        followRedirects: Bool? = nil,
        timeout: Timeout? = nil,
        extensions: RequestExtensions? = nil,
        options: EventSourceOptions = EventSourceOptions()
    ) -> ServerSentEvents {
        let request = RequestOptions(
            params: params, headers: headers, cookies: cookies, content: content, data: data, files: files,
            json: json, auth: auth, followRedirects: followRedirects, timeout: timeout, extensions: extensions)
        return ServerSentEvents(
            connector: EventSourceConnector(client: self, method: method, url: url, options: request), options: options)
    }
}
