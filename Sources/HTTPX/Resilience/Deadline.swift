/// A request's total deadline: the work races a timer, and loses to it.
enum Deadline {
    /// Runs `body`, cancelling it and failing with ``HTTPXError/Kind/deadlineExceeded`` when
    /// `expiry` comes first.
    static func run<T: Sendable>(
        until expiry: ContinuousClock.Instant, describing deadline: Duration, for request: Request,
        _ body: @escaping @Sendable () async throws -> T
    ) async throws -> T {
        try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask { try await body() }
            group.addTask {
                try await Task.sleep(until: expiry, clock: .continuous)
                return nil
            }
            defer { group.cancelAll() }
            do {
                if let value = try await group.next(), let value { return value }
            } catch let error as HTTPXError where error.is(.timeout) && ContinuousClock.now >= expiry {
                // A timeout cut short by the deadline is the deadline's.
                throw exceeded(deadline, request, underlying: error)
            }
            throw exceeded(deadline, request, underlying: nil)
        }
    }

    static func exceeded(_ deadline: Duration, _ request: Request, underlying: HTTPXError?) -> HTTPXError {
        HTTPXError(
            .deadlineExceeded,
            "\(request) did not finish within its deadline of \(deadline.secondsDescription) s",
            request: request, underlying: underlying)
    }
}

extension Timeout {
    /// These timeouts, none longer than the time left until `expiry` (a disabled one becomes
    /// that time).
    func capped(until expiry: ContinuousClock.Instant) -> Timeout {
        let left = max(expiry - ContinuousClock.now, .milliseconds(1))
        func cap(_ value: Duration?) -> Duration { min(value ?? left, left) }
        return Timeout(connect: cap(connect), read: cap(read), write: cap(write), pool: cap(pool))
    }
}
