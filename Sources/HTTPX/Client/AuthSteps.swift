import Synchronization

/// The bookkeeping of one auth flow inside a client: how many requests it sent, the response
/// it may still move past, and the history of those it did.
final class AuthSteps: Sendable {
    private struct State {
        var count = 0
        /// The last response sent, until the flow sends another request or returns.
        var pending: Response?
        var history: [Response] = []
        var lastRequest: Request?
    }

    private let state = Mutex(State())
    private let authName: String

    init(auth: any Auth) {
        authName = "\(type(of: auth))"
    }

    /// Before the flow's next request: counts it, and reads the response it moves past into
    /// the history (calling `step` with it), carrying that response's cookies to a request for
    /// the same origin. Returns the history the next response gets.
    func begin(
        _ request: inout Request, step: (Response) -> Void, cookies: (Response, Request) -> String?
    ) async throws -> [Response] {
        let (count, pending, lastRequest) = state.withLock { state in
            state.count += 1
            defer { state.pending = nil }
            return (state.count, state.pending, state.lastRequest)
        }
        if count > AuthFlow.maxRequests {
            await pending?.close()
            throw HTTPXError(
                .tooManyAuthSteps,
                "The auth flow of \(authName) sent more than \(AuthFlow.maxRequests) requests, the last for \(request)",
                request: request)
        }
        if var previous = pending {
            do {
                try await previous.read()
            } catch {
                await previous.close()
                throw error
            }
            step(previous)
            if let lastRequest, request.url.hasSameOrigin(as: lastRequest.url), let cookie = cookies(previous, request) {
                request.headers.set("Cookie", cookie)
            }
            let moved = previous
            state.withLock { $0.history = moved.history + [moved] }
        }
        let next = request
        return state.withLock { state in
            state.lastRequest = next
            return state.history
        }
    }

    /// Records the response the flow's last request got.
    func sent(_ response: Response) {
        state.withLock { $0.pending = response }
    }

    /// Closes the last response when the flow returns another one.
    func finish(returning response: Response) async {
        let pending = state.withLock { state in
            defer { state.pending = nil }
            return state.pending
        }
        if let pending, !pending.body.isSameStream(as: response.body) { await pending.close() }
    }

    /// Closes the last response when the flow fails.
    func abandon() async {
        let pending = state.withLock { state in
            defer { state.pending = nil }
            return state.pending
        }
        await pending?.close()
    }
}
