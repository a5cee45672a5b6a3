import Testing

@testable import HTTPX

/// A burst of requests to an origin that may speak HTTP/2 waits for the first connection's
/// ALPN result instead of opening a connection each.
@Suite("One HTTP/2 connection per burst")
struct HTTP2BurstPoolTests {
    let secure = PoolKey(scheme: "https", host: "a.test", port: 443)
    let plain = PoolKey(scheme: "http", host: "a.test", port: 80)
    let now = ContinuousClock.now

    private func pool(http1: Bool = true, http2: Bool = true) -> PoolStateMachine {
        PoolStateMachine(limits: Limits(maxConnections: 32), assumedCapacity: HTTPTransport.assumedCapacity(http1: http1, http2: http2))
    }

    @Test("Which origins are expected to multiplex before anything is known of them")
    func expectations() {
        let both = HTTPTransport.assumedCapacity(http1: true, http2: true)
        #expect(both(secure) == HTTP2ConnectionWatcher.maxCapacity)
        #expect(both(plain) == 1, "plain http with HTTP/1.1 allowed is never upgraded")
        #expect(HTTPTransport.assumedCapacity(http1: true, http2: false)(secure) == 1)
        #expect(HTTPTransport.assumedCapacity(http1: false, http2: true)(plain) == HTTP2ConnectionWatcher.maxCapacity)
        // Connections to a forwarding proxy have no scheme of their own: HTTP/1.1.
        #expect(both(PoolKey(scheme: "", host: "", port: 0)) == 1)
    }

    @Test("32 requests open one connection, and all become its streams once it is HTTP/2")
    func burstOverHTTP2() {
        var pool = pool()
        var created: [Int] = []
        for waiter in 0..<32 { created += pool.acquire(secure, waiter: waiter).create.map(\.connection) }
        #expect(created.count == 1)
        let ready = pool.connected(created[0], now: now, capacity: 100)
        #expect(ready.leases.count == 32)
        #expect(ready.leases.map(\.waiter) == Array(0..<32), "served in order")
        #expect(ready.create.isEmpty)
        #expect(pool.connectionsStarted == 1)
    }

    @Test("If the first connection is HTTP/1.1, the others open at once")
    func burstOverHTTP1() {
        var pool = pool()
        var created: [Int] = []
        for waiter in 0..<32 { created += pool.acquire(secure, waiter: waiter).create.map(\.connection) }
        let ready = pool.connected(created[0], now: now, capacity: 1)
        #expect(ready.leases.map(\.waiter) == [0])
        #expect(ready.create.count == 31)
        // The origin is now known to be HTTP/1.1: a later request does not wait for another.
        let later = pool.acquire(secure, waiter: 99)
        #expect(later.create.count == 0, "the limit of 32 connections is reached")
        #expect(pool.waitingCount == 32)
    }

    @Test("A failed first connection fails only the requests that waited for it")
    func failedFirstConnection() {
        var pool = pool()
        var created: [Int] = []
        for waiter in 0..<5 { created += pool.acquire(secure, waiter: waiter).create.map(\.connection) }
        let failed = pool.connectFailed(created[0])
        #expect(failed.fail.count == 5)
        #expect(pool.waitingCount == 0)
    }

    @Test("Without HTTP/2, every request of a burst gets its own connection")
    func burstWithoutHTTP2() {
        var pool = pool(http2: false)
        var created = 0
        for waiter in 0..<8 { created += pool.acquire(secure, waiter: waiter).create.count }
        #expect(created == 8)
    }
}
