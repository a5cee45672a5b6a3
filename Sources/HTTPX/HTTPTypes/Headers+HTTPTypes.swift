import HTTPTypes

extension Headers {
    /// The fields of swift-http-types' `HTTPFields`, in order (pseudo-headers are not among them).
    ///
    /// ```swift
    /// let fields: HTTPFields = [.accept: "application/json"]
    /// let headers = Headers(fields)     // [Accept: application/json]
    /// ```
    public init(_ fields: HTTPFields) {
        self.init(capacity: fields.count)
        for field in fields { add(field.name.rawName, field.value) }
    }
}

extension HTTPFields {
    /// These headers as swift-http-types' `HTTPFields`, in order.
    ///
    /// ```swift
    /// let fields = try HTTPFields(validating: ["Accept": "application/json"])
    /// fields[.accept]                  // "application/json"
    /// ```
    ///
    /// - Throws: ``HTTPXError/Kind/localProtocol`` for a name that is not a token or a value
    ///   with control characters, which `HTTPFields` would otherwise change silently.
    public init(validating headers: Headers) throws {
        try headers.validate()
        self.init()
        reserveCapacity(headers.count)
        for (name, value) in headers {
            guard let name = HTTPField.Name(name) else {
                throw HTTPXError(.localProtocol, "Invalid header name '\(name)': a name must be a non-empty token")
            }
            append(HTTPField(name: name, value: value))
        }
    }
}
