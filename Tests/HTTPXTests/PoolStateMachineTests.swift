import Testing

@testable import HTTPX

@Suite("Pool state machine")
/// (Pools whose exact actions are compared after a release run without keep-alive expiry; its
/// checks are tested in `PoolTimerTests`.)
struct PoolStateMachineTests {
    let a = PoolKey(scheme: "http", host: "a.com", port: 80)
    let b = PoolKey(scheme: "http", host: "b.com", port: 80)
    let t0 = ContinuousClock.now

    func at(_ seconds: Int) -> ContinuousClock.Instant { t0 + .seconds(seconds) }

    @Test func createsThenReusesAConnection() {
        var pool = PoolStateMachine(limits: Limits(keepaliveExpiry: nil))
        let first = pool.acquire(a, waiter: 1)
        #expect(first.create.map(\.key) == [a])
        let id = first.create[0].connection
        let ready = pool.connected(id, now: at(0))
        #expect(ready.lease?.connection == id && ready.lease?.waiter == 1)
        #expect(pool.release(id, reusable: true, now: at(1)) == .none)
        #expect(pool.idleCount == 1)
        let reuse = pool.acquire(a, waiter: 2)
        #expect(reuse.lease?.connection == id && reuse.lease?.waiter == 2)
        #expect(reuse.create.isEmpty)
        _ = pool.release(id, reusable: true, now: at(2))
        #expect(pool.leaseIdle(b) == nil)
        #expect(pool.leaseIdle(a) == id)
        #expect(pool.leaseIdle(a) == nil)
    }

    @Test func differentOriginsGetDifferentConnections() {
        var pool = PoolStateMachine(limits: .default)
        let idA = pool.acquire(a, waiter: 1).create[0].connection
        _ = pool.connected(idA, now: at(0))
        _ = pool.release(idA, reusable: true, now: at(0))
        let forB = pool.acquire(b, waiter: 2)
        #expect(forB.lease == nil)
        #expect(forB.create.map(\.key) == [b])
    }

    @Test func waitersBeyondTheLimitAreServedInOrder() {
        var pool = PoolStateMachine(limits: Limits(maxConnections: 2))
        let c1 = pool.acquire(a, waiter: 1).create[0].connection
        let c2 = pool.acquire(a, waiter: 2).create[0].connection
        #expect(pool.acquire(a, waiter: 3) == .none)
        #expect(pool.acquire(a, waiter: 4) == .none)
        #expect(pool.waitingCount == 4, "waiters stay queued until they get a connection")
        #expect(pool.connected(c1, now: at(0)).lease?.waiter == 1)
        #expect(pool.connected(c2, now: at(0)).lease?.waiter == 2)
        #expect(pool.release(c2, reusable: true, now: at(1)).lease?.waiter == 3)
        // A connection that cannot be reused makes room for a new one.
        let replaced = pool.release(c1, reusable: false, now: at(1))
        #expect(replaced.create.count == 1)
        #expect(pool.connected(replaced.create[0].connection, now: at(1)).lease?.waiter == 4)
        #expect(pool.waitingCount == 0)
    }

    @Test func idleConnectionOfAnotherOriginIsClosedToMakeRoom() {
        var pool = PoolStateMachine(limits: Limits(maxConnections: 1))
        let idA = pool.acquire(a, waiter: 1).create[0].connection
        _ = pool.connected(idA, now: at(0))
        _ = pool.release(idA, reusable: true, now: at(0))
        let forB = pool.acquire(b, waiter: 2)
        #expect(forB.close == [idA])
        #expect(forB.create.map(\.key) == [b])
        #expect(pool.connections.count == 1)
    }

    @Test func busyConnectionOfAnotherOriginMakesTheWaiterWait() {
        var pool = PoolStateMachine(limits: Limits(maxConnections: 1))
        let idA = pool.acquire(a, waiter: 1).create[0].connection
        _ = pool.connected(idA, now: at(0))
        #expect(pool.acquire(b, waiter: 2) == .none)
        let after = pool.release(idA, reusable: true, now: at(1))
        #expect(after.close == [idA])
        #expect(after.create.map(\.key) == [b])
    }

    @Test func keepsAtMostMaxKeepaliveIdleConnections() {
        var pool = PoolStateMachine(limits: Limits(maxConnections: 10, maxKeepaliveConnections: 1, keepaliveExpiry: nil))
        let c1 = pool.acquire(a, waiter: 1).create[0].connection
        let c2 = pool.acquire(a, waiter: 2).create[0].connection
        _ = pool.connected(c1, now: at(0))
        _ = pool.connected(c2, now: at(0))
        #expect(pool.release(c1, reusable: true, now: at(1)) == .none)
        let second = pool.release(c2, reusable: true, now: at(2))
        #expect(second.close == [c1], "the oldest idle connection is closed")
        #expect(pool.idleCount == 1)
        let zero = PoolStateMachine(limits: Limits(maxKeepaliveConnections: 0))
        var none = zero
        let c = none.acquire(a, waiter: 1).create[0].connection
        _ = none.connected(c, now: at(0))
        #expect(none.release(c, reusable: true, now: at(0)).close == [c])
    }

    @Test func mostRecentlyReleasedIsReusedFirst() {
        var pool = PoolStateMachine(limits: .default)
        let c1 = pool.acquire(a, waiter: 1).create[0].connection
        let c2 = pool.acquire(a, waiter: 2).create[0].connection
        _ = pool.connected(c1, now: at(0))
        _ = pool.connected(c2, now: at(0))
        _ = pool.release(c1, reusable: true, now: at(1))
        _ = pool.release(c2, reusable: true, now: at(2))
        #expect(pool.acquire(a, waiter: 3).lease?.connection == c2)
    }

    @Test func connectFailureFailsTheOldestWaiterAndRetriesForOthers() {
        var pool = PoolStateMachine(limits: Limits(maxConnections: 1))
        let c1 = pool.acquire(a, waiter: 1).create[0].connection
        #expect(pool.acquire(a, waiter: 2) == .none)
        let failed = pool.connectFailed(c1)
        #expect(failed.fail.map(\.waiter) == [1])
        #expect(failed.fail.map(\.failure) == [.connectFailed(c1)])
        #expect(failed.create.map(\.key) == [a], "the next waiter gets its own attempt")
    }

    @Test func timedOutAndCancelledWaitersLeaveTheQueue() {
        var pool = PoolStateMachine(limits: Limits(maxConnections: 1))
        let c1 = pool.acquire(a, waiter: 1).create[0].connection
        _ = pool.connected(c1, now: at(0))
        _ = pool.acquire(a, waiter: 2)
        _ = pool.acquire(a, waiter: 3)
        #expect(pool.abandon(2, because: .timedOut).fail.map(\.failure) == [.timedOut])
        #expect(pool.abandon(2, because: .timedOut) == .none, "only once")
        #expect(pool.abandon(3, because: .cancelled).fail.map(\.waiter) == [3])
        #expect(pool.release(c1, reusable: true, now: at(1)).lease == nil)
        #expect(pool.idleCount == 1)
    }

    @Test func idleClosedAndExpiry() {
        var pool = PoolStateMachine(limits: .default)
        let c1 = pool.acquire(a, waiter: 1).create[0].connection
        _ = pool.connected(c1, now: at(0))
        _ = pool.release(c1, reusable: true, now: at(1))
        #expect(pool.isIdle(c1, since: at(1)))
        #expect(!pool.isIdle(c1, since: at(0)))
        _ = pool.idleClosed(c1)
        #expect(pool.connections.isEmpty)
        #expect(pool.acquire(a, waiter: 2).create.count == 1)
    }

    @Test func shutDownClosesIdleAndFailsWaiters() {
        var pool = PoolStateMachine(limits: Limits(maxConnections: 3))
        let c1 = pool.acquire(a, waiter: 1).create[0].connection
        let c2 = pool.acquire(b, waiter: 2).create[0].connection
        _ = pool.connected(c1, now: at(0))
        _ = pool.connected(c2, now: at(0))
        _ = pool.release(c1, reusable: true, now: at(0))
        let c3 = pool.acquire(b, waiter: 3).create[0].connection
        let down = pool.shutDown()
        #expect(down.close == [c1])
        #expect(down.fail.map(\.waiter) == [3])
        #expect(pool.connected(c3, now: at(1)).close == [c3], "a connection that finishes connecting after shutdown is closed")
        #expect(pool.release(c2, reusable: true, now: at(1)).close == [c2])
        #expect(pool.acquire(a, waiter: 4).fail.map(\.failure) == [.shutDown])
        #expect(pool.connections.isEmpty)
    }

    @Test func multiplexedConnectionCarriesUpToItsCapacity() {
        var pool = PoolStateMachine(limits: Limits(keepaliveExpiry: nil))
        // Until a connection says it multiplexes, each waiter gets a connection started.
        let first = pool.acquire(a, waiter: 1).create[0].connection
        let second = pool.acquire(a, waiter: 2).create[0].connection
        _ = pool.acquire(a, waiter: 3)
        let ready = pool.connected(first, now: at(0), capacity: 2)
        #expect(ready.leases.map(\.waiter) == [1, 2], "one HTTP/2 connection serves two waiters at once")
        #expect(ready.leases.allSatisfy { $0.connection == first })
        // A request that ends makes room for the next waiter on the same connection.
        let released = pool.release(first, reusable: true, now: at(1))
        #expect(released.leases.map(\.waiter) == [3])
        #expect(released.leases.first?.connection == first)
        #expect(pool.waitingCount == 0)
        // The connections started for the waiters it served go idle.
        #expect(pool.connected(second, now: at(1)) == .none)
        #expect(pool.leaseIdle(a) == second)
        #expect(pool.leaseIdle(a) == nil, "everything is full")
    }

    @Test func burstOpensOneConnectionPerStreamLimit() {
        var pool = PoolStateMachine(limits: .default)
        let first = pool.acquire(a, waiter: 0).create[0].connection
        _ = pool.connected(first, now: at(0), capacity: 4)
        // The origin's stream limit is known now: 9 more waiters need 2 more connections.
        var created: [Int] = []
        for waiter in 1...9 { created += pool.acquire(a, waiter: waiter).create.map(\.connection) }
        #expect(created.count == 2, "3 of 9 ride the open connection, 6 need two more of 4 streams")
        var served = 0
        for id in created { served += pool.connected(id, now: at(1), capacity: 4).leases.count }
        #expect(served == 6)
        #expect(pool.waitingCount == 0)
    }

    @Test func assumedCapacityWaitsForOneConnectionFirst() {
        var pool = PoolStateMachine(limits: .default, assumedCapacity: 100)
        var created: [Int] = []
        for waiter in 0..<10 { created += pool.acquire(a, waiter: waiter).create.map(\.connection) }
        #expect(created.count == 1, "prior knowledge: one connection is expected to carry them all")
        // The server allows 4 streams: the rest get connections of their own.
        let ready = pool.connected(created[0], now: at(0), capacity: 4)
        #expect(ready.leases.count == 4)
        #expect(ready.create.count == 2)
    }

    @Test func capacityChangeServesWaitersOrTakesEffectLater() {
        var pool = PoolStateMachine(limits: Limits(maxConnections: 1))
        let id = pool.acquire(a, waiter: 0).create[0].connection
        _ = pool.connected(id, now: at(0), capacity: 1)
        for waiter in 1...3 { _ = pool.acquire(a, waiter: waiter) }
        #expect(pool.waitingCount == 3)
        let raised = pool.capacityChanged(id, to: 3)
        #expect(raised.leases.map(\.waiter) == [1, 2], "the raised limit serves waiters at once")
        #expect(pool.capacityChanged(id, to: 1) == .none, "a lowered limit does not touch running requests")
        #expect(pool.release(id, reusable: true, now: at(1)) == .none, "2 still run, above the new limit of 1")
        #expect(pool.release(id, reusable: true, now: at(2)) == .none)
        #expect(pool.release(id, reusable: true, now: at(3)).leases.map(\.waiter) == [3])
        #expect(pool.capacityChanged(99, to: 5) == .none, "an unknown connection is ignored")
    }

    @Test func multiplexedConnectionGoesIdleWhenItsLastRequestEnds() {
        var pool = PoolStateMachine(limits: Limits(keepaliveExpiry: nil))
        let id = pool.acquire(a, waiter: 1).create[0].connection
        _ = pool.connected(id, now: at(0), capacity: 100)
        #expect(pool.leaseIdle(a) == id)
        #expect(pool.release(id, reusable: true, now: at(1)) == .none)
        #expect(pool.idleCount == 0, "one request still runs")
        #expect(pool.release(id, reusable: true, now: at(2)) == .none)
        #expect(pool.idleCount == 1)
        #expect(pool.acquire(a, waiter: 2).lease?.connection == id)
    }

    @Test func drainingConnectionTakesNoNewRequests() {
        var pool = PoolStateMachine(limits: Limits(keepaliveExpiry: nil))
        let id = pool.acquire(a, waiter: 1).create[0].connection
        _ = pool.connected(id, now: at(0), capacity: 10)
        let drained = pool.drain(id)
        #expect(drained.close.isEmpty, "its request still runs")
        let next = pool.acquire(a, waiter: 2)
        #expect(next.lease == nil)
        #expect(next.create.count == 1, "new requests get a new connection")
        #expect(pool.release(id, reusable: true, now: at(1)).close == [id], "closed after its last request")
        let idleOne = next.create[0].connection
        _ = pool.connected(idleOne, now: at(1))
        #expect(pool.release(idleOne, reusable: true, now: at(2)) == .none)
        #expect(pool.drain(idleOne).close == [idleOne], "an idle connection that drains closes at once")
        #expect(pool.connections.isEmpty)
    }

    @Test func brokenMultiplexedConnectionIsRemoved() {
        var pool = PoolStateMachine(limits: Limits(maxConnections: 1))
        let id = pool.acquire(a, waiter: 1).create[0].connection
        _ = pool.connected(id, now: at(0), capacity: 5)
        #expect(pool.leaseIdle(a) == id)
        let broken = pool.release(id, reusable: false, now: at(1))
        #expect(pool.connections.isEmpty)
        #expect(broken == .none)
        #expect(pool.release(id, reusable: false, now: at(1)) == .none, "its other requests release into nothing")
        #expect(pool.acquire(a, waiter: 2).create.count == 1)
    }

    @Test func randomOperationsKeepTheInvariants() {
        var generator = SplitMix(seed: 42)
        var pool = PoolStateMachine(limits: Limits(maxConnections: 4, maxKeepaliveConnections: 2))
        var leased: [Int] = []
        var connecting: Set<Int> = []
        var waiting: Set<Int> = []
        var nextWaiter = 0
        let keys = [a, b, PoolKey(scheme: "https", host: "c.com", port: 443)]
        func apply(_ actions: PoolStateMachine.Actions) {
            for lease in actions.leases {
                leased.append(lease.connection)
                waiting.remove(lease.waiter)
            }
            for created in actions.create { connecting.insert(created.connection) }
            for closed in actions.close { leased.removeAll { $0 == closed } }
            for failed in actions.fail { waiting.remove(failed.waiter) }
        }
        for step in 0..<5000 {
            let now = at(step)
            switch generator.next() % 5 {
            case 0, 1:
                nextWaiter += 1
                waiting.insert(nextWaiter)
                apply(pool.acquire(keys[Int(generator.next() % 3)], waiter: nextWaiter))
            case 2:
                if let id = connecting.randomElement(using: &generator) {
                    connecting.remove(id)
                    let capacity = generator.next() % 3 == 0 ? 3 : 1
                    apply(generator.next() % 4 == 0 ? pool.connectFailed(id) : pool.connected(id, now: now, capacity: capacity))
                }
            case 3:
                if !leased.isEmpty {
                    let id = leased.remove(at: Int(generator.next() % UInt64(leased.count)))
                    let reusable = generator.next() % 3 != 0
                    if !reusable { leased.removeAll { $0 == id } }  // a broken connection fails all it carries
                    apply(pool.release(id, reusable: reusable, now: now))
                }
            default:
                if let waiter = waiting.randomElement(using: &generator) {
                    apply(pool.abandon(waiter, because: .timedOut))
                }
            }
            #expect(pool.connections.count <= 4)
            #expect(pool.idleCount <= 2)
            #expect(pool.waitingCount == waiting.count)
            #expect(!pool.waiterMissesAnIdleConnection, "nobody waits while a free connection to their origin exists")
            let pending = pool.connections.values.filter { $0.state == .connecting }.count
            #expect(pool.waitingCount == 0 || pending > 0 || pool.connections.count == 4,
                    "waiters always have a connection coming unless the pool is full")
        }
    }
}

/// A small deterministic random number generator for property tests.
struct SplitMix: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
