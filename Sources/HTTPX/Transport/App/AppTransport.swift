import Synchronization
/// A transport that sends requests straight into a Swift web app in the same process, with no
/// socket: for testing an app, or standing in for a service. The analog of httpx's
/// `WSGITransport` and `ASGITransport`.
///
/// The app is an async function from a ``Request`` and an ``AppContext`` to a ``Response``.
/// Bodies stream both ways: the app reads `request.body.stream` as the client produces it, and
/// may answer with a streamed ``ResponseBody``.
///
/// ```swift
/// let transport = AppTransport { request, context in
///     Response(200, text: "Hello World! (\(context.path))")
/// }
/// let client = AsyncClient(.init(baseURL: "http://testserver", transport: transport))
/// let r = try await client.get("/")       // r.text == "Hello World! (/)"
/// ```
///
/// Options, as in httpx:
/// - `raiseAppExceptions` (on by default): an error the app throws reaches the caller as it
///   is; off, the caller gets a 500 response whose body describes the error.
/// - `rootPath`: the app is mounted at this sub-path; requests outside it get a 404 without
///   reaching the app, and the app sees the path below it in ``AppContext/path``.
/// - `clientAddress` and `clientPort`: who the app sees calling (127.0.0.1 by default).
///
/// Everything the client does above the transport (cookies, redirects, auth flows, event
/// hooks) works the same; the read timeout bounds the time until the app answers.
public struct AppTransport: Transport {
    /// An in-process app.
    public typealias App = @Sendable (_ request: Request, _ context: AppContext) async throws -> Response

    private let app: App
    /// Whether an error thrown by the app reaches the caller (or becomes a 500 response).
    public let raiseAppExceptions: Bool
    /// The sub-path the app is mounted at; `""` for the root.
    public let rootPath: String
    /// The client address the app sees.
    public let clientAddress: String
    /// The client port the app sees.
    public let clientPort: Int

    /// A transport into `app`.
    public init(
        raiseAppExceptions: Bool = true, rootPath: String = "", clientAddress: String = "127.0.0.1",
        clientPort: Int = 123, app: @escaping App
    ) {
        self.app = app
        self.raiseAppExceptions = raiseAppExceptions
        var root = rootPath
        while root.hasSuffix("/") { root.removeLast() }
        if !root.isEmpty && !root.hasPrefix("/") { root = "/" + root }
        self.rootPath = root
        self.clientAddress = clientAddress
        self.clientPort = clientPort
    }

    /// A transport into an app that needs only the request.
    public init(
        raiseAppExceptions: Bool = true, rootPath: String = "", clientAddress: String = "127.0.0.1",
        clientPort: Int = 123, app: @escaping @Sendable (_ request: Request) async throws -> Response
    ) {
        self.init(
            raiseAppExceptions: raiseAppExceptions, rootPath: rootPath, clientAddress: clientAddress,
            clientPort: clientPort
        ) { request, _ in try await app(request) }
    }

    public func handle(_ request: Request) async throws -> Response {
        let path = request.url.path
        let below: Substring
        if rootPath.isEmpty {
            below = Substring(path)
        } else if path == rootPath || path.hasPrefix(rootPath + "/") {
            below = path.dropFirst(rootPath.count)
        } else {
            var response = Response(404, text: "Not Found: \(path) is outside the app's root path \(rootPath)")
            response.request = request
            return response
        }
        let context = AppContext(
            rootPath: rootPath, path: below.isEmpty ? "/" : PercentEncoding.decode(String(below)), clientAddress: clientAddress,
            clientPort: clientPort)
        var response: Response
        do {
            response = try await run(request, context: context)
        } catch let error as HTTPXError where error.is(.readTimeout) {
            throw error
        } catch {
            guard !raiseAppExceptions else { throw error }
            response = Response(500, text: "The app failed with \(String(reflecting: error))")
        }
        response.request = request
        return response
    }

    /// Calls the app, bounded by the request's read timeout. The app runs in a task of its
    /// own, so an app that ignores cancellation cannot hold the caller past the timeout (a task
    /// group would wait for it); it is cancelled, and left to end on its own.
    private func run(_ request: Request, context: AppContext) async throws -> Response {
        guard let timeout = request.extensions.timeout.read else { return try await app(request, context) }
        let app = self.app
        let appTask = Task { try await app(request, context) }
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Response, any Error>) in
                let slot = ContinuationSlot(continuation)
                let timer = Task {
                    try await Task.sleep(for: timeout)
                    slot.resume(
                        with: .failure(
                            HTTPXError(
                                .readTimeout,
                                "Timed out after \(timeout.secondsDescription) s waiting for the app to answer \(request)",
                                request: request)))
                    appTask.cancel()
                }
                Task {
                    let result = await appTask.result
                    timer.cancel()
                    slot.resume(with: result)
                }
            }
        } onCancel: {
            appTask.cancel()
        }
    }
}

/// Resumes a continuation once, whichever of several tasks gets there first.
private final class ContinuationSlot<Value: Sendable>: Sendable {
    private let continuation: Mutex<CheckedContinuation<Value, any Error>?>

    init(_ continuation: CheckedContinuation<Value, any Error>) {
        self.continuation = Mutex(continuation)
    }

    func resume(with result: Result<Value, any Error>) {
        let taken = continuation.withLock { slot -> CheckedContinuation<Value, any Error>? in
            defer { slot = nil }
            return slot
        }
        taken?.resume(with: result)
    }
}
