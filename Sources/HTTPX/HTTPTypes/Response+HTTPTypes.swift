import HTTPTypes

extension Response {
    /// A response from swift-http-types' `HTTPResponse` and a body, as a transport of your
    /// own (or a Hummingbird app) makes one.
    ///
    /// ```swift
    /// let response = Response(HTTPResponse(status: .ok, headerFields: [.contentType: "text/plain"]),
    ///                         body: ResponseBody(text: "hello"))
    /// ```
    public init(_ response: HTTPResponse, body: ResponseBody = ResponseBody(), request: Request? = nil) {
        self.init(
            response.status.code, reasonPhrase: response.status.reasonPhrase, headers: Headers(response.headerFields),
            body: body, request: request)
    }

    /// The status and headers as swift-http-types' `HTTPResponse`, for code written against
    /// HTTPTypes (a Hummingbird handler, an OpenAPI middleware). Fields that `HTTPFields`
    /// cannot hold (a server's malformed header name) are left out rather than changed.
    ///
    /// ```swift
    /// let r = try await client.get("https://example.org/")
    /// r.httpResponse.status == .ok
    /// ```
    public var httpResponse: HTTPResponse {
        var fields = HTTPFields()
        fields.reserveCapacity(headers.count)
        for (name, value) in headers {
            if let name = HTTPField.Name(name) { fields.append(HTTPField(name: name, value: value)) }
        }
        // HTTPTypes allows codes up to 999; a mock's code beyond that is reported as 999.
        let code = min(max(statusCode, 0), 999)
        return HTTPResponse(status: HTTPResponse.Status(code: code, reasonPhrase: reasonPhrase), headerFields: fields)
    }
}
