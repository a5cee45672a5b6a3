import NIOCore

/// The connection pool's bookkeeping as a pure value: which connections exist, which are
/// idle, who waits for one, and what to do next. It performs no I/O and reads no clock; the
/// pool around it carries out the actions it returns, so every rule here is tested without
/// sockets.
///
/// Rules, as httpx's pool has them:
/// - an idle connection to the same origin is reused, most recently used first;
/// - at most `maxConnections` connections exist at once (connecting, busy or idle), across
///   all origins; an idle connection to another origin is closed to make room;
/// - at most `maxKeepaliveConnections` idle connections are kept, the oldest closed first;
/// - requests that find no connection wait in order, and are served first come first served;
/// - a connection is opened *for* waiting requests: a connect failure fails those requests
///   (and no later one), and the pool timeout does not run for them while it connects, so an
///   unreachable host is a connect error, never a pool timeout or someone else's failure;
/// - a multiplexed connection (HTTP/2) carries up to its `capacity` requests at once, and a
///   draining one (after GOAWAY) takes no new requests and closes when its last one ends;
/// - a connection idle for `keepaliveExpiry` closes (one check per idle connection at a time);
/// - a failed connect is tried again `connectRetries` times, after 0.5 s, 1 s, 2 s and so on,
///   while someone still waits for it;
/// - a waiter that queues gets its pool timeout scheduled.
///
/// The timers are actions: the pool schedules them and reports back when they fire.
struct PoolStateMachine {
    typealias ConnectionID = Int
    typealias WaiterID = Int

    enum ConnectionState: Equatable {
        case connecting
        case leased
        case idle(since: ContinuousClock.Instant)
    }

    struct Connection {
        let key: PoolKey
        var state: ConnectionState
        /// How many requests it carries at once: 1 for HTTP/1.1, the stream limit for HTTP/2.
        var capacity = 1
        /// How many requests it carries now.
        var leases = 0
        /// Whether it takes no new requests (the server sent GOAWAY).
        var isDraining = false
        /// Whether every request it was opened for left while it connected: it is counted for
        /// nobody, so no later request inherits the outcome of an attempt made long before.
        var isOrphaned = false

        var hasSpareCapacity: Bool { !isDraining && leases < capacity }
    }

    /// Why a waiter fails.
    enum Failure: Equatable {
        /// The connection opened for the waiter failed to connect.
        case connectFailed(ConnectionID)
        case timedOut
        case cancelled
        case shutDown
    }

    let maxConnections: Int?
    let maxKeepalive: Int?
    let keepaliveExpiry: Duration?
    /// How many times a failed connect is tried again.
    let connectRetries: Int
    /// How many requests a connection to an origin, still connecting, is expected to carry
    /// when nothing has been learned about the origin: 1 for HTTP/1.1; the HTTP/2 stream
    /// limit for an origin that may speak HTTP/2, so a burst of requests waits for the first
    /// connection's ALPN result instead of opening one connection each. If the connection
    /// turns out to be HTTP/1.1, it carries one of them and the others get their own.
    let assumedCapacity: @Sendable (PoolKey) -> Int
    /// The capacity of the last connection that opened to each origin, so that a burst of
    /// requests opens as many connections as it needs: one per request on HTTP/1.1, one per
    /// stream limit on HTTP/2.
    private var learnedCapacity: [PoolKey: Int] = [:]

    private(set) var connections: [ConnectionID: Connection] = [:]
    /// Idle connections per origin, most recently released last.
    private(set) var idle: [PoolKey: [ConnectionID]] = [:]
    /// A request waiting for a connection.
    struct Waiter {
        let id: WaiterID
        let key: PoolKey
        /// The connection being opened for it, if any.
        var connection: ConnectionID?
        /// Its pool timeout passed while a connection was being opened for it: it fails with
        /// a pool timeout only if it is left without one.
        var poolTimeoutPassed = false
    }

    private(set) var waiters = CircularBuffer<Waiter>()
    private var nextConnectionID = 0
    /// Idle connections with a keep-alive check scheduled.
    var expiryChecks: Set<ConnectionID> = []
    /// How many times each connecting connection has failed so far.
    private var connectAttempts: [ConnectionID: Int] = [:]
    /// How many connections were started since the pool began.
    var connectionsStarted: Int { nextConnectionID }
    private(set) var isShutDown = false

    init(limits: Limits, connectRetries: Int = 0, assumedCapacity: @escaping @Sendable (PoolKey) -> Int) {
        maxConnections = limits.maxConnections
        maxKeepalive = limits.maxKeepaliveConnections
        keepaliveExpiry = limits.keepaliveExpiry
        self.connectRetries = max(0, connectRetries)
        self.assumedCapacity = { max(1, assumedCapacity($0)) }
    }

    /// A pool whose connections are all expected to carry `assumedCapacity` requests.
    init(limits: Limits, connectRetries: Int = 0, assumedCapacity: Int = 1) {
        self.init(limits: limits, connectRetries: connectRetries) { _ in assumedCapacity }
    }

    var waitingCount: Int { waiters.count }

    /// Leases an idle connection to `key`, if there is one, without queueing.
    mutating func leaseIdle(_ key: PoolKey) -> ConnectionID? {
        guard !isShutDown else { return nil }
        if let connection = popIdle(key) {
            update(connection) {
                $0.state = .leased
                $0.leases = 1
            }
            return connection
        }
        return leaseShared(key)
    }

    /// A busy multiplexed connection to `key` with room for another request, leased.
    private mutating func leaseShared(_ key: PoolKey) -> ConnectionID? {
        guard let id = connections.first(where: {
            $0.value.key == key && $0.value.capacity > 1 && $0.value.state == .leased && $0.value.hasSpareCapacity
        })?.key else { return nil }
        update(id) { $0.leases += 1 }
        return id
    }

    /// A request for a connection to `key`; if it has to wait, its `poolTimeout` is scheduled.
    mutating func acquire(_ key: PoolKey, waiter: WaiterID, poolTimeout: Duration? = nil) -> Actions {
        if isShutDown { return Actions(fail: [(waiter, .shutDown)]) }
        if let connection = leaseIdle(key) {
            return Actions(leases: [(connection, waiter)])
        }
        waiters.append(Waiter(id: waiter, key: key))
        var actions = balance()
        if let poolTimeout, waiters.contains(where: { $0.id == waiter }) {
            actions.timeouts.append((waiter, poolTimeout))
        }
        return actions
    }

    /// A connection finished connecting; `capacity` is how many requests it carries at once.
    mutating func connected(_ connection: ConnectionID, now: ContinuousClock.Instant, capacity: Int = 1) -> Actions {
        guard connections[connection] != nil, !isShutDown else {
            connections.removeValue(forKey: connection)
            return Actions(close: [connection])
        }
        connectAttempts.removeValue(forKey: connection)
        update(connection) { $0.capacity = max(1, capacity) }
        if let key = connections[connection]?.key { learnedCapacity[key] = max(1, capacity) }
        return makeAvailable(connection, now: now)
    }

    /// The server changed how many streams a multiplexed connection may carry at once (its
    /// SETTINGS_MAX_CONCURRENT_STREAMS): more room serves waiters at once; less takes effect
    /// as requests end (those in flight are not touched).
    mutating func capacityChanged(_ connection: ConnectionID, to capacity: Int) -> Actions {
        guard let current = connections[connection], current.state != .connecting else { return .none }
        update(connection) { $0.capacity = max(1, capacity) }
        learnedCapacity[current.key] = max(1, capacity)
        guard current.state == .leased, current.leases > 0 else { return .none }
        return leaseSpare(connection)
    }

    /// The server will take no new requests on `connection` (HTTP/2 GOAWAY): it closes once
    /// the requests it carries end, and waiters get another connection.
    mutating func drain(_ connection: ConnectionID) -> Actions {
        guard let current = connections[connection] else { return .none }
        if current.leases == 0 {
            connections.removeValue(forKey: connection)
            idle[current.key]?.removeAll { $0 == connection }
            var actions = balance()
            actions.close.append(connection)
            return actions
        }
        update(connection) { $0.isDraining = true }
        return balance()
    }

    /// A connection could not be established: it is tried again after a delay while retries
    /// are left and someone waits for it (a `reconnect` action); otherwise the requests it was
    /// opened for fail with the connect error, and others waiting for its origin get attempts
    /// of their own.
    mutating func connectFailed(_ connection: ConnectionID) -> Actions {
        guard let current = connections[connection] else { return .none }
        let attempt = connectAttempts[connection, default: 0]
        if attempt < connectRetries, !isShutDown, !current.isOrphaned {
            connectAttempts[connection] = attempt + 1
            return Actions(reconnect: [(connection, current.key, Self.reconnectDelay(afterAttempt: attempt))])
        }
        connectAttempts.removeValue(forKey: connection)
        connections.removeValue(forKey: connection)
        var actions = Actions()
        waiters.removeAll { waiter in
            guard waiter.connection == connection else { return false }
            actions.fail.append((waiter.id, .connectFailed(connection)))
            return true
        }
        return actions.merging(balance())
    }

    /// A leased connection is back: reusable (the response ended cleanly on a keep-alive
    /// connection) or not (it was closed).
    mutating func release(_ connection: ConnectionID, reusable: Bool, now: ContinuousClock.Instant) -> Actions {
        guard var current = connections[connection] else { return .none }
        current.leases = max(0, current.leases - 1)
        connections[connection] = current
        if !reusable {
            // The connection broke (or, on HTTP/1.1, cannot carry another request): it goes.
            connections.removeValue(forKey: connection)
            return balance()
        }
        if isShutDown || current.isDraining {
            // No new requests: close it once the last one it carries has ended.
            guard current.leases == 0 else { return .none }
            connections.removeValue(forKey: connection)
            var actions = balance()
            actions.close.append(connection)
            return actions
        }
        if current.leases > 0 { return leaseSpare(connection) }
        return makeAvailable(connection, now: now)
    }

    /// An idle connection was closed by the server, or its keep-alive expired.
    mutating func idleClosed(_ connection: ConnectionID) -> Actions {
        guard let closed = connections[connection], case .idle = closed.state else { return .none }
        connections.removeValue(forKey: connection)
        idle[closed.key]?.removeAll { $0 == connection }
        return balance()
    }

    /// A waiter gave up (cancellation), or its pool timeout passed; it fails if it was still
    /// waiting. The pool timeout does not fail a waiter while a connection is being opened for
    /// it: its connect timeout decides (httpcore's rule: the pool timeout covers waiting for a
    /// connection, not making one).
    mutating func abandon(_ waiter: WaiterID, because failure: Failure) -> Actions {
        guard let index = waiters.firstIndex(where: { $0.id == waiter }) else { return .none }
        if failure == .timedOut, waiters[index].connection != nil {
            waiters[index].poolTimeoutPassed = true
            return .none
        }
        let removed = waiters.remove(at: index)
        orphanIfUnwanted(removed.connection)
        return Actions(fail: [(waiter, failure)])
    }

    /// Marks a connecting connection that no waiter counts on any more as orphaned.
    private mutating func orphanIfUnwanted(_ connection: ConnectionID?) {
        guard let connection, connections[connection]?.state == .connecting,
            !waiters.contains(where: { $0.connection == connection })
        else { return }
        update(connection) { $0.isOrphaned = true }
    }

    /// Closes idle connections and fails waiters; leased connections close when released.
    mutating func shutDown() -> Actions {
        isShutDown = true
        var actions = Actions()
        for (_, ids) in idle {
            for id in ids {
                connections.removeValue(forKey: id)
                actions.close.append(id)
            }
        }
        idle.removeAll()
        while let waiter = waiters.popFirst() { actions.fail.append((waiter.id, .shutDown)) }
        return actions
    }

    // MARK: - Internals

    /// Leases a connection's spare capacity to the waiters of its origin: those it was opened
    /// for first, then the others in order. Waiters it was opened for but cannot carry (it
    /// carries fewer requests than expected) are left for ``balance()`` to find another.
    private mutating func leaseSpare(_ connection: ConnectionID) -> Actions {
        var actions = Actions()
        var leftBehind: [ConnectionID] = []
        while let current = connections[connection], current.hasSpareCapacity,
            let index = waiters.firstIndex(where: { $0.connection == connection })
                ?? waiters.firstIndex(where: { $0.key == current.key })
        {
            let waiter = waiters.remove(at: index)
            if let other = waiter.connection, other != connection { leftBehind.append(other) }
            update(connection) {
                $0.leases += 1
                $0.state = .leased
            }
            actions.leases.append((connection, waiter.id))
        }
        for index in waiters.indices where waiters[index].connection == connection {
            waiters[index].connection = nil
        }
        for other in leftBehind { orphanIfUnwanted(other) }
        return actions
    }

    private mutating func makeAvailable(_ connection: ConnectionID, now: ContinuousClock.Instant) -> Actions {
        guard let key = connections[connection]?.key else { return .none }
        let leased = leaseSpare(connection)
        if !leased.leases.isEmpty { return leased.merging(balance()) }
        update(connection) {
            $0.state = .idle(since: now)
            $0.leases = 0
        }
        pushIdle(key, connection)
        var actions = balance().merging(scheduleExpiryCheck(connection))
        if let maxKeepalive, idleCount > maxKeepalive, let oldest = oldestIdle(excluding: nil) {
            removeIdle(oldest)
            actions.close.append(oldest)
        }
        return actions
    }

    /// Finds every waiter a connection: one being opened for its origin with room for it, or
    /// a new one, closing idle connections to other origins when the limit leaves no room.
    /// Waiters left without one wait for a release; those whose pool timeout has passed fail.
    private mutating func balance() -> Actions {
        var actions = Actions()
        guard !waiters.isEmpty else { return actions }
        var counted: [ConnectionID: Int] = [:]
        for waiter in waiters {
            if let connection = waiter.connection { counted[connection, default: 0] += 1 }
        }
        var expired: [WaiterID] = []
        for index in waiters.indices where waiters[index].connection == nil {
            let key = waiters[index].key
            let room = expectedCapacity(of: key)
            if let pending = connections.first(where: { id, connection in
                connection.key == key && connection.state == .connecting && !connection.isOrphaned
                    && counted[id, default: 0] < room
            })?.key {
                waiters[index].connection = pending
                counted[pending, default: 0] += 1
                continue
            }
            if let maxConnections, connections.count >= maxConnections {
                guard let victim = oldestIdle(excluding: key) else {
                    if waiters[index].poolTimeoutPassed { expired.append(waiters[index].id) }
                    continue
                }
                removeIdle(victim)
                actions.close.append(victim)
            }
            let id = nextConnectionID
            nextConnectionID += 1
            connections[id] = Connection(key: key, state: .connecting)
            waiters[index].connection = id
            counted[id] = 1
            actions.create.append((id, key, waiters[index].id))
        }
        if !expired.isEmpty {
            waiters.removeAll { expired.contains($0.id) }
            actions.fail += expired.map { ($0, .timedOut) }
        }
        return actions
    }

    private func expectedCapacity(of key: PoolKey) -> Int {
        learnedCapacity[key] ?? assumedCapacity(key)
    }

    /// Changes a connection's record through the dictionary's getter and setter: its modify
    /// accessor allocates a coroutine frame for a value this large, several times a request.
    private mutating func update(_ id: ConnectionID, _ change: (inout Connection) -> Void) {
        guard var connection = connections[id] else { return }
        change(&connection)
        connections[id] = connection
    }

    /// The most recently released idle connection to `key`, taken off its stack (which is
    /// kept, emptied, so the next release does not allocate a new one).
    private mutating func popIdle(_ key: PoolKey) -> ConnectionID? {
        guard var stack = idle.removeValue(forKey: key) else { return nil }
        let connection = stack.popLast()
        idle[key] = stack
        return connection
    }

    private mutating func pushIdle(_ key: PoolKey, _ connection: ConnectionID) {
        var stack = idle.removeValue(forKey: key) ?? []
        stack.append(connection)
        idle[key] = stack
    }

    private mutating func removeIdle(_ connection: ConnectionID) {
        guard let key = connections.removeValue(forKey: connection)?.key else { return }
        idle[key]?.removeAll { $0 == connection }
    }
}
