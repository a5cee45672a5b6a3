import NIOPosix
import Testing

@testable import HTTPX

/// The pool's timers and its resend rule, decided by the state machine without sockets.
@Suite("Pool timers and resends")
struct PoolTimerTests {
    let a = PoolKey(scheme: "http", host: "a.test", port: 80)
    let t0 = ContinuousClock.now

    private func at(_ seconds: Double) -> ContinuousClock.Instant { t0 + .milliseconds(Int64(seconds * 1000)) }

    @Test("An idle connection gets one keep-alive check, which closes it once it expired")
    func keepAliveExpiry() {
        var pool = PoolStateMachine(limits: Limits(keepaliveExpiry: .seconds(5)))
        let id = pool.acquire(a, waiter: 1).create[0].connection
        _ = pool.connected(id, now: at(0))
        let released = pool.release(id, reusable: true, now: at(1))
        #expect(released.checkExpiry.map(\.connection) == [id])
        #expect(released.checkExpiry.map(\.after) == [.seconds(5)])
        // Used and released again before the check: no second check is scheduled.
        #expect(pool.leaseIdle(a) == id)
        #expect(pool.release(id, reusable: true, now: at(4)).checkExpiry.isEmpty)
        // The check at 6 s finds it idle for 2 s only: it moves to 9 s.
        let early = pool.expiryCheckDue(id, now: at(6))
        #expect(early.checkExpiry.map(\.after) == [.seconds(3)])
        #expect(early.close.isEmpty)
        let due = pool.expiryCheckDue(id, now: at(9))
        #expect(due.close == [id])
        #expect(pool.connections.isEmpty)
        #expect(pool.expiryCheckDue(id, now: at(20)) == .none, "a closed connection's check finds nothing")
    }

    @Test("A check that finds the connection busy does nothing; its next idle time schedules one")
    func busyAtCheck() {
        var pool = PoolStateMachine(limits: Limits(keepaliveExpiry: .seconds(5)))
        let id = pool.acquire(a, waiter: 1).create[0].connection
        _ = pool.connected(id, now: at(0))
        _ = pool.release(id, reusable: true, now: at(0))
        #expect(pool.leaseIdle(a) == id)
        #expect(pool.expiryCheckDue(id, now: at(5)) == .none)
        #expect(pool.release(id, reusable: true, now: at(7)).checkExpiry.map(\.connection) == [id])
    }

    @Test("No keep-alive expiry: no checks")
    func noExpiry() {
        var pool = PoolStateMachine(limits: Limits(keepaliveExpiry: nil))
        let id = pool.acquire(a, waiter: 1).create[0].connection
        _ = pool.connected(id, now: at(0))
        #expect(pool.release(id, reusable: true, now: at(1)).checkExpiry.isEmpty)
    }

    @Test("A failed connect is tried again with growing delays, then fails its waiters")
    func connectBackoff() {
        var pool = PoolStateMachine(limits: .default, connectRetries: 2)
        let id = pool.acquire(a, waiter: 1).create[0].connection
        let first = pool.connectFailed(id)
        #expect(first.reconnect.map(\.connection) == [id])
        #expect(first.reconnect.map(\.after) == [.milliseconds(500)])
        #expect(first.fail.isEmpty)
        #expect(pool.connectFailed(id).reconnect.map(\.after) == [.seconds(1)])
        let last = pool.connectFailed(id)
        #expect(last.reconnect.isEmpty)
        #expect(last.fail.map(\.waiter) == [1])
        #expect(pool.connections.isEmpty)
        #expect(PoolStateMachine.reconnectDelay(afterAttempt: 50) == .milliseconds(500 * 1024), "capped")
    }

    @Test("A connect nobody waits for any more is not tried again")
    func noRetryForOrphans() {
        var pool = PoolStateMachine(limits: .default, connectRetries: 3)
        let id = pool.acquire(a, waiter: 1).create[0].connection
        _ = pool.abandon(1, because: .cancelled)
        let failed = pool.connectFailed(id)
        #expect(failed.reconnect.isEmpty)
        #expect(pool.connections.isEmpty)
    }

    @Test("A success after retries starts the count again")
    func retriesReset() {
        var pool = PoolStateMachine(limits: .default, connectRetries: 1)
        let id = pool.acquire(a, waiter: 1).create[0].connection
        #expect(!pool.connectFailed(id).reconnect.isEmpty)
        _ = pool.connected(id, now: at(0))
        _ = pool.release(id, reusable: false, now: at(1))
        let next = pool.acquire(a, waiter: 2).create[0].connection
        #expect(!pool.connectFailed(next).reconnect.isEmpty, "a new connection has its own retries")
    }

    @Test("A waiter that queues gets its pool timeout; one served at once does not")
    func poolTimeouts() {
        var pool = PoolStateMachine(limits: Limits(maxConnections: 1))
        let first = pool.acquire(a, waiter: 1, poolTimeout: .seconds(2))
        #expect(first.timeouts.map(\.waiter) == [1], "it waits for the connection being opened")
        let id = first.create[0].connection
        _ = pool.connected(id, now: at(0))
        _ = pool.release(id, reusable: true, now: at(0))
        #expect(pool.acquire(a, waiter: 2, poolTimeout: .seconds(2)).timeouts.isEmpty, "served by the idle one")
        let queued = pool.acquire(a, waiter: 3, poolTimeout: .seconds(2))
        #expect(queued.timeouts.map(\.after) == [.seconds(2)])
        #expect(pool.acquire(a, waiter: 4).timeouts.isEmpty, "no pool timeout set")
    }

    @Test("Which unanswered requests are sent again", arguments: [
        (PoolStateMachine.UnansweredRequest(replayable: true, idempotent: true, reusedConnection: true, http2: false, goAwayReceived: false), 0, true),
        (PoolStateMachine.UnansweredRequest(replayable: true, idempotent: true, reusedConnection: true, http2: false, goAwayReceived: false), 1, false),
        (PoolStateMachine.UnansweredRequest(replayable: true, idempotent: true, reusedConnection: false, http2: false, goAwayReceived: false), 0, false),
        (PoolStateMachine.UnansweredRequest(replayable: true, idempotent: false, reusedConnection: true, http2: false, goAwayReceived: false), 0, false),
        (PoolStateMachine.UnansweredRequest(replayable: false, idempotent: true, reusedConnection: true, http2: false, goAwayReceived: false), 0, false),
        (PoolStateMachine.UnansweredRequest(replayable: true, idempotent: true, reusedConnection: false, http2: true, goAwayReceived: false), 7, true),
        (PoolStateMachine.UnansweredRequest(replayable: true, idempotent: true, reusedConnection: false, http2: true, goAwayReceived: false), 8, false),
        (PoolStateMachine.UnansweredRequest(replayable: true, idempotent: false, reusedConnection: false, http2: true, goAwayReceived: true), 0, true),
        (PoolStateMachine.UnansweredRequest(replayable: true, idempotent: false, reusedConnection: false, http2: true, goAwayReceived: false), 0, false),
    ])
    func resendRule(request: PoolStateMachine.UnansweredRequest, attempts: Int, expected: Bool) {
        #expect(PoolStateMachine.shouldSendAgain(request, after: attempts) == expected)
    }
}

/// The same timers carried out by `ConnectionPool`, with mock connections.
@Suite("Pool timers with mock connections")
struct PoolTimerMockTests {
    typealias Factory = ConnectAttributionTests.MockFactory
    let a = PoolKey(scheme: "http", host: "a.test", port: 80)

    private func waitUntil(_ condition: () -> Bool) async throws {
        let deadline = ContinuousClock.now + .seconds(5)
        while !condition() && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(5)) }
        #expect(condition())
    }

    @Test("A failed connect is opened again after the state machine's delay, for the same waiter")
    func reconnect() async throws {
        let factory = Factory()
        let pool = ConnectionPool<ConnectAttributionTests.MockConnection>(
            limits: Limits(), retries: 1, group: MultiThreadedEventLoopGroup.singleton, factory: factory.make)
        let request = try Request(.get, "http://a.test/")
        async let leased = pool.acquire(a, timeout: Timeout(10), connectTimeout: .seconds(3), for: request)
        try await waitUntil { factory.count == 1 }
        let failedAt = ContinuousClock.now
        factory.fail(0, HTTPXError(.connectError, "refused"))
        try await waitUntil { factory.count == 2 }
        #expect(ContinuousClock.now - failedAt >= .milliseconds(450), "after the first backoff of 0.5 s")
        factory.connect(1)
        let connection = try await leased
        #expect(connection.id == 0, "the same connection, opened again")
        #expect(factory.timeouts == [.seconds(3), .seconds(3)], "with the waiter's connect timeout each time")
    }

    @Test("An idle connection is closed once its keep-alive expires")
    func keepAliveExpiry() async throws {
        let factory = Factory()
        let pool = ConnectionPool<ConnectAttributionTests.MockConnection>(
            limits: Limits(keepaliveExpiry: .milliseconds(100)), retries: 0,
            group: MultiThreadedEventLoopGroup.singleton, factory: factory.make)
        let request = try Request(.get, "http://a.test/")
        async let leased = pool.acquire(a, timeout: Timeout(10), connectTimeout: nil, for: request)
        try await waitUntil { factory.count == 1 }
        factory.connect(0)
        let connection = try await leased
        pool.release(connection, reusable: true)
        #expect(pool.connectionCount == 1)
        try await waitUntil { pool.connectionCount == 0 }
        #expect(connection.closed.withLock { $0 })
    }
}
