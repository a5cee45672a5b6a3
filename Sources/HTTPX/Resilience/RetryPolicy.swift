/// When and how a client sends a request again: which methods, after which failures and
/// statuses, how long it waits (exponential backoff with full jitter, or what the server's
/// `Retry-After` says, within a cap), and how much time all attempts may take.
///
/// ```swift
/// // GET, HEAD, OPTIONS, PUT, DELETE and TRACE, after connect errors, resets and 429/502/503/504,
/// // at most 3 more times:
/// let client = AsyncClient(.init(retry: .default))
///
/// var policy = RetryPolicy(maxRetries: 5, baseDelay: .milliseconds(200))
/// policy.methods.insert(.post)              // POSTs too (only do this for idempotent APIs)
/// var extensions = RequestExtensions()
/// extensions.retry = policy                 // this request only
/// ```
///
/// A POST or PATCH is retried when it carries an `Idempotency-Key` header (unless
/// ``retriesWithIdempotencyKey`` is off). A body that cannot be sent twice (a stream of yours)
/// is never retried. Each response says how many retries led to it (``Response/retries``).
public struct RetryPolicy: Hashable, Sendable {
    /// The kinds of failure a request is sent again after.
    public enum Failure: Hashable, Sendable {
        /// The connection could not be opened (``HTTPXError/Kind/connectError``,
        /// ``HTTPXError/Kind/connectTimeout``).
        case connect
        /// The connection failed before a response arrived (``HTTPXError/Kind/readError``,
        /// ``HTTPXError/Kind/writeError``, ``HTTPXError/Kind/remoteProtocol``, such as a reset).
        case reset
    }

    /// How many times a request is sent again at most (after the first time).
    public var maxRetries: Int
    /// The methods that are retried.
    public var methods: Set<HTTPMethod>
    /// Whether a POST or PATCH with an `Idempotency-Key` header is retried too.
    public var retriesWithIdempotencyKey: Bool
    /// The failures that are retried.
    public var failures: Set<Failure>
    /// The response statuses that are retried (their body is read and dropped first).
    public var statuses: Set<Int>
    /// The first backoff; each retry doubles it, and the wait is a random time up to it.
    public var baseDelay: Duration
    /// The longest backoff.
    public var maxDelay: Duration
    /// The longest `Retry-After` honoured: a server asking for more is answered with its
    /// response, not a wait.
    public var maxRetryAfter: Duration
    /// How long all attempts of a request may take, waits included; `nil` for no bound.
    public var budget: Duration?

    public init(
        maxRetries: Int = 3,
        methods: Set<HTTPMethod> = RetryPolicy.idempotentMethods,
        retriesWithIdempotencyKey: Bool = true,
        failures: Set<Failure> = [.connect, .reset],
        statuses: Set<Int> = [429, 502, 503, 504],
        baseDelay: Duration = .milliseconds(500),
        maxDelay: Duration = .seconds(30),
        maxRetryAfter: Duration = .seconds(60),
        budget: Duration? = nil
    ) {
        self.maxRetries = max(0, maxRetries)
        self.methods = methods
        self.retriesWithIdempotencyKey = retriesWithIdempotencyKey
        self.failures = failures
        self.statuses = statuses
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
        self.maxRetryAfter = maxRetryAfter
        self.budget = budget
    }

    /// GET, HEAD, OPTIONS, PUT, DELETE and TRACE: the methods RFC 9110 makes idempotent.
    public static let idempotentMethods: Set<HTTPMethod> = [.get, .head, .options, .put, .delete, .trace]

    /// Three retries of idempotent requests after connect errors, resets and 429/502/503/504.
    public static let `default` = RetryPolicy()

    /// No retries (what a client does unless told otherwise).
    public static let none = RetryPolicy(maxRetries: 0)

    /// Whether `request` may be sent again at all.
    func allows(_ request: Request) -> Bool {
        guard maxRetries > 0, request.body.isReplayable else { return false }
        if methods.contains(request.method) { return true }
        return retriesWithIdempotencyKey && (request.method == .post || request.method == .patch)
            && request.headers.contains("Idempotency-Key")
    }

    /// Whether a failure of this kind is retried.
    func retries(_ error: any Error) -> Bool {
        guard let error = error as? HTTPXError else { return false }
        if error.is(.connectError) || error.is(.connectTimeout) { return failures.contains(.connect) }
        if error.is(.readError) || error.is(.writeError) || error.is(.remoteProtocol) { return failures.contains(.reset) }
        return false
    }

    /// The backoff before retry number `attempt` (1 for the first): a random time up to
    /// `baseDelay × 2^(attempt−1)`, at most `maxDelay` ("full jitter").
    func backoff(attempt: Int, random: (Duration) -> Duration = RetryPolicy.randomUpTo) -> Duration {
        let exponent = min(max(attempt - 1, 0), 30)
        var ceiling = baseDelay * (1 << exponent)
        if ceiling > maxDelay || ceiling < .zero { ceiling = maxDelay }
        return random(ceiling)
    }

    @Sendable static func randomUpTo(_ ceiling: Duration) -> Duration {
        let nanoseconds = ceiling.components.seconds * 1_000_000_000 + ceiling.components.attoseconds / 1_000_000_000
        guard nanoseconds > 0 else { return .zero }
        return .nanoseconds(Int64.random(in: 0...nanoseconds))
    }
}
