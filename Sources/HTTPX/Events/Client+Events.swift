extension Client {
    /// Server-sent events from `url`, read one at a time by blocking; the options are those of
    /// ``AsyncClient/events(_:method:params:headers:cookies:content:data:files:json:auth:followRedirects:timeout:extensions:options:)``,
    /// which runs underneath.
    ///
    /// ```swift
    /// let events = client.events("https://example.org/updates")
    /// defer { events.close() }
    /// while let event = try events.next() {
    ///     print(event.event, event.data)
    /// }
    /// ```
    ///
    /// Nothing is sent until the first ``BlockingServerSentEvents/next()``.
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
    ) -> BlockingServerSentEvents {
        BlockingServerSentEvents(asyncClient.events(
            url, method: method, params: params, headers: headers, cookies: cookies, content: content, data: data,
            files: files, json: json, auth: auth, followRedirects: followRedirects, timeout: timeout,
            extensions: extensions, options: options))
    }
}
