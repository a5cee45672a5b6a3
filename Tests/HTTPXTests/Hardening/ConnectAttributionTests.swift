import NIOCore
import NIOEmbedded
import NIOPosix
import Synchronization
import Testing

@testable import HTTPX

/// A connection is opened for the requests waiting when it was started: its failure is theirs
/// (a connect error or timeout, never a pool timeout), and no later request inherits it.
@Suite("Connect failure attribution", .timeLimit(.minutes(1)))
struct ConnectAttributionTests {
    let a = PoolKey(scheme: "http", host: "a.com", port: 80)
    let t0 = ContinuousClock.now

    // MARK: - The state machine

    @Test func thePoolTimeoutWaitsForTheConnectionBeingOpened() {
        var pool = PoolStateMachine(limits: .default)
        let create = pool.acquire(a, waiter: 1).create
        #expect(create.map(\.waiter) == [1], "opened for waiter 1")
        #expect(pool.abandon(1, because: .timedOut) == .none, "its connect timeout decides")
        let failed = pool.connectFailed(create[0].connection)
        #expect(failed.fail.map(\.waiter) == [1])
        #expect(failed.fail.map(\.failure) == [.connectFailed(create[0].connection)])
    }

    @Test func aLaterRequestDoesNotInheritAnAbandonedAttempt() {
        var pool = PoolStateMachine(limits: .default)
        let c1 = pool.acquire(a, waiter: 1).create[0].connection
        #expect(pool.abandon(1, because: .cancelled).fail.map(\.waiter) == [1])
        let second = pool.acquire(a, waiter: 2)
        #expect(second.create.map(\.waiter) == [2], "a fresh attempt, not the orphaned one")
        #expect(pool.connectFailed(c1) == .none, "the orphan's failure is nobody's")
        #expect(pool.waitingCount == 1)
    }

    @Test func anOrphanThatConnectsStillServesWhoeverWaits() {
        var pool = PoolStateMachine(limits: .default)
        let c1 = pool.acquire(a, waiter: 1).create[0].connection
        _ = pool.abandon(1, because: .cancelled)
        let c2 = pool.acquire(a, waiter: 2).create[0].connection
        #expect(pool.connected(c1, now: t0).leases.map(\.waiter) == [2])
        // Waiter 2's own attempt is now nobody's: a third request opens its own again.
        #expect(pool.acquire(a, waiter: 3).create.map(\.waiter) == [3])
        #expect(pool.connectFailed(c2) == .none)
    }

    @Test func everyRequestAMultiplexedAttemptWasForFailsWithIt() {
        var pool = PoolStateMachine(limits: .default, assumedCapacity: 100)
        let c1 = pool.acquire(a, waiter: 1).create[0].connection
        #expect(pool.acquire(a, waiter: 2) == .none, "waits for the same HTTP/2 attempt")
        #expect(pool.acquire(a, waiter: 3) == .none)
        let failed = pool.connectFailed(c1)
        #expect(failed.fail.map(\.waiter) == [1, 2, 3])
        #expect(failed.create.isEmpty)
    }

    @Test func aWaiterLeftWithoutAConnectionAfterItsPoolTimeoutFails() {
        // An HTTP/2 attempt turns out to carry one request (HTTP/1.1 by ALPN), and the pool
        // has no room for another connection: the second waiter's pool timeout, which passed
        // while the attempt ran, now applies.
        var pool = PoolStateMachine(limits: Limits(maxConnections: 1), assumedCapacity: 100)
        let c1 = pool.acquire(a, waiter: 1).create[0].connection
        _ = pool.acquire(a, waiter: 2)
        #expect(pool.abandon(2, because: .timedOut) == .none)
        let connected = pool.connected(c1, now: t0, capacity: 1)
        #expect(connected.leases.map(\.waiter) == [1])
        #expect(connected.fail.map(\.waiter) == [2])
        #expect(connected.fail.map(\.failure) == [.timedOut])
    }

    @Test func aWaiterStillInLineWhenThePoolIsFullTimesOut() {
        var pool = PoolStateMachine(limits: Limits(maxConnections: 1))
        let c1 = pool.acquire(a, waiter: 1).create[0].connection
        _ = pool.connected(c1, now: t0)
        #expect(pool.acquire(a, waiter: 2) == .none)
        #expect(pool.abandon(2, because: .timedOut).fail.map(\.failure) == [.timedOut])
    }

    // MARK: - The pool, with connections that never connect on their own

    final class MockConnection: PoolConnection {
        let id: Int
        let eventLoop: any EventLoop
        init(id: Int, eventLoop: any EventLoop) {
            self.id = id
            self.eventLoop = eventLoop
        }
        var capacity: Int { 1 }
        var isActive: Bool { true }
        /// Whether the pool closed it.
        let closed = Mutex(false)
        func close() { closed.withLock { $0 = true } }
        func markDraining() {}
        func updateCapacity(_ capacity: Int) {}
    }

    /// Records the connect timeout of every connection the pool opens, and lets the test
    /// decide when each one connects.
    final class MockFactory: Sendable {
        let opened = Mutex<[(id: Int, timeout: Duration?, promise: EventLoopPromise<MockConnection>)]>([])

        func make(_ id: Int, _ key: PoolKey, _ timeout: Duration?, _ loop: any EventLoop, _ events: ConnectionEvents)
            -> EventLoopFuture<MockConnection>
        {
            let promise = loop.makePromise(of: MockConnection.self)
            opened.withLock { $0.append((id, timeout, promise)) }
            return promise.futureResult
        }

        func connect(_ index: Int) {
            let (id, promise) = opened.withLock { ($0[index].id, $0[index].promise) }
            promise.succeed(MockConnection(id: id, eventLoop: promise.futureResult.eventLoop))
        }

        func fail(_ index: Int, _ error: any Error) {
            opened.withLock { $0[index].promise }.fail(error)
        }

        var timeouts: [Duration?] { opened.withLock { $0.map(\.timeout) } }
        var count: Int { opened.withLock { $0.count } }
    }

    func waitUntil(_ condition: () -> Bool) async throws {
        let deadline = ContinuousClock.now + .seconds(5)
        while !condition() && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(5)) }
        #expect(condition())
    }

    @Test func connectionsThePoolOpensLaterKeepTheConnectTimeout() async throws {
        let factory = MockFactory()
        let pool = ConnectionPool<MockConnection>(
            limits: Limits(maxConnections: 1), retries: 0, group: MultiThreadedEventLoopGroup.singleton, factory: factory.make)
        let request = try Request(.get, "http://a.com/")
        let connectTimeout = Duration.seconds(7)
        async let first = pool.acquire(a, timeout: Timeout(10), connectTimeout: connectTimeout, for: request)
        try await waitUntil { factory.count == 1 }
        factory.connect(0)
        let connection = try await first
        // A second request waits for the only slot; the first connection then breaks, so the
        // pool opens one for the waiter on its own.
        async let second = pool.acquire(a, timeout: Timeout(10), connectTimeout: connectTimeout, for: request)
        try await Task.sleep(for: .milliseconds(50))
        pool.release(connection, reusable: false)
        try await waitUntil { factory.count == 2 }
        factory.connect(1)
        _ = try await second
        #expect(factory.timeouts == [connectTimeout, connectTimeout])
    }

    // MARK: - On loopback, with a port that never accepts

    #if os(Linux)
    @Test(arguments: [false, true])
    func anUnreachableHostIsAConnectTimeoutForEachRequest(http2: Bool) async throws {
        let blackHole = try await BlackHoleListener.start()
        defer { blackHole.close() }
        let url = "http://127.0.0.1:\(blackHole.port)/"
        // httpx's defaults: connect and pool timeouts equal.
        let transport = http2 ? HTTPTransport(http1: false, http2: true) : HTTPTransport()
        let client = AsyncClient(.init(timeout: Timeout(0.5), transport: transport))
        let start = ContinuousClock.now
        let first = await expectHTTPXError(.connectTimeout) { _ = try await client.get(url) }
        #expect(first?.message.contains("for <Request(GET, '\(url)')>") == true, "\(String(describing: first))")
        #expect(first?.request?.url.description == url)
        // The next request makes its own attempt and waits its own connect timeout.
        let second = ContinuousClock.now
        await expectHTTPXError(.connectTimeout) { _ = try await client.get(url) }
        #expect(ContinuousClock.now - second >= .milliseconds(400), "not a stale failure of the first attempt")
        #expect(ContinuousClock.now - start < .seconds(20))
    }
    #endif
}
