/// Functions a client calls around every request it sends, redirect hops and auth retries
/// included.
///
/// A request hook gets each request just before it is sent and may change it; a response
/// hook gets each response as soon as its headers arrive, and may change it or read its body
/// (the client then uses the read body). A hook that throws fails the request with its
/// error, so a response hook can raise on error statuses:
///
/// ```swift
/// let client = AsyncClient(.init(eventHooks: EventHooks(
///     request: [{ request in request.headers["X-Request-ID"] = UUID().uuidString }],
///     response: [{ response in
///         try await response.read()
///         print(response.statusCode, try response.text)
///         try response.raiseForStatus()
///     }]
/// )))
/// ```
public struct EventHooks: Sendable {
    /// A function that sees, and may change, each request before it is sent.
    public typealias RequestHook = @Sendable (inout Request) async throws -> Void
    /// A function that sees, and may change or read, each response before the client goes on.
    public typealias ResponseHook = @Sendable (inout Response) async throws -> Void

    /// Called with each request before it is sent.
    public var request: [RequestHook]
    /// Called with each response before its body is read.
    public var response: [ResponseHook]

    public init(request: [RequestHook] = [], response: [ResponseHook] = []) {
        self.request = request
        self.response = response
    }
}

/// Files for a multipart upload, by field name; a name may repeat.
///
/// ```swift
/// let files: MultipartFiles = ["upload-file": try .path("report.xls")]
/// ```
public struct MultipartFiles: Sendable, ExpressibleByDictionaryLiteral, ExpressibleByArrayLiteral {
    /// The fields and their files, in order.
    public var items: [(String, MultipartFile)]

    public init(_ items: [(String, MultipartFile)]) {
        self.items = items
    }

    public init(dictionaryLiteral elements: (String, MultipartFile)...) {
        self.items = elements
    }

    public init(arrayLiteral elements: (String, MultipartFile)...) {
        self.items = elements
    }

    public var isEmpty: Bool { items.isEmpty }
}

/// Form fields for `data:`: an ordered multi-map, where a repeated name sends each value.
public typealias FormFields = QueryParams

extension RequestBody {
    /// The body httpx builds from `content=`, `data=`, `files=` and `json=`.
    static func encode(
        content: RequestBody?, data: FormFields?, files: MultipartFiles?, json: (any Encodable & Sendable)?,
        boundary: String?
    ) throws -> RequestBody {
        let given = (content != nil ? 1 : 0) + (json != nil ? 1 : 0) + (data != nil || files != nil ? 1 : 0)
        guard given <= 1 else {
            throw HTTPXError(.invalidArgument, "Pass only one of content:, json:, or data: and files: as the request body")
        }
        if let content { return content }
        if let json { return try .json(json) }
        if let files, !files.isEmpty {
            let fields = data.map { $0.items.map { ($0.name, $0.value) } } ?? []
            return .multipart(fields: fields, files: files.items, boundary: boundary)
        }
        if let data { return .form(data.items.map { ($0.name, $0.value) }) }
        return .empty
    }
}
