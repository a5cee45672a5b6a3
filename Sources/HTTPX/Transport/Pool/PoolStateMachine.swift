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
/// - a multiplexed connection (HTTP/2) carries up to its `capacity` requests at once, and a
///   draining one (after GOAWAY) takes no new requests and closes when its last one ends.
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

    /// What the pool must do after an event. Most events need one or two of these.
    struct Actions: Equatable {
        /// Hand these connections to these waiters.
        var leases: [(connection: ConnectionID, waiter: WaiterID)] = []
        /// The first lease, the only one outside multiplexed connections.
        var lease: (connection: ConnectionID, waiter: WaiterID)? { leases.first }
        /// Open a connection with this id to this origin.
        var create: [(connection: ConnectionID, key: PoolKey)] = []
        /// Close these connections.
        var close: [ConnectionID] = []
        /// Fail these waiters.
        var fail: [(waiter: WaiterID, failure: Failure)] = []

        static let none = Actions()

        static func == (lhs: Actions, rhs: Actions) -> Bool {
            lhs.leases.map(\.connection) == rhs.leases.map(\.connection) && lhs.leases.map(\.waiter) == rhs.leases.map(\.waiter)
                && lhs.create.map(\.connection) == rhs.create.map(\.connection)
                && lhs.create.map(\.key) == rhs.create.map(\.key) && lhs.close == rhs.close
                && lhs.fail.map(\.waiter) == rhs.fail.map(\.waiter) && lhs.fail.map(\.failure) == rhs.fail.map(\.failure)
        }
    }

    let maxConnections: Int?
    let maxKeepalive: Int?
    /// How many requests a connection still connecting is expected to carry when nothing
    /// has been learned about its origin: 1, or the HTTP/2 stream limit when every
    /// connection is HTTP/2.
    let assumedCapacity: Int
    /// The capacity of the last connection that opened to each origin, so that a burst of
    /// requests opens as many connections as it needs: one per request on HTTP/1.1, one per
    /// stream limit on HTTP/2.
    private var learnedCapacity: [PoolKey: Int] = [:]

    private(set) var connections: [ConnectionID: Connection] = [:]
    /// Idle connections per origin, most recently released last.
    private var idle: [PoolKey: [ConnectionID]] = [:]
    private var waiters = CircularBuffer<(id: WaiterID, key: PoolKey)>()
    private var nextConnectionID = 0
    private(set) var isShutDown = false

    init(limits: Limits, assumedCapacity: Int = 1) {
        maxConnections = limits.maxConnections
        maxKeepalive = limits.maxKeepaliveConnections
        self.assumedCapacity = max(1, assumedCapacity)
    }

    var waitingCount: Int { waiters.count }
    var idleCount: Int { idle.values.reduce(0) { $0 + $1.count } }

    /// Whether some request waits although an idle connection to its origin exists (never
    /// true: the invariant the tests check).
    var waiterMissesAnIdleConnection: Bool {
        waiters.contains { waiter in
            !(idle[waiter.key]?.isEmpty ?? true)
                || connections.values.contains { $0.key == waiter.key && $0.state == .leased && $0.hasSpareCapacity }
        }
    }

    /// Leases an idle connection to `key`, if there is one, without queueing.
    mutating func leaseIdle(_ key: PoolKey) -> ConnectionID? {
        guard !isShutDown else { return nil }
        if let connection = idle[key]?.popLast() {
            connections[connection]?.state = .leased
            connections[connection]?.leases = 1
            return connection
        }
        return leaseShared(key)
    }

    /// A busy multiplexed connection to `key` with room for another request, leased.
    private mutating func leaseShared(_ key: PoolKey) -> ConnectionID? {
        guard let id = connections.first(where: {
            $0.value.key == key && $0.value.capacity > 1 && $0.value.state == .leased && $0.value.hasSpareCapacity
        })?.key else { return nil }
        connections[id]?.leases += 1
        return id
    }

    /// A request for a connection to `key`.
    mutating func acquire(_ key: PoolKey, waiter: WaiterID) -> Actions {
        if isShutDown { return Actions(fail: [(waiter, .shutDown)]) }
        if let connection = leaseIdle(key) {
            return Actions(leases: [(connection, waiter)])
        }
        waiters.append((waiter, key))
        return balance()
    }

    /// A connection finished connecting; `capacity` is how many requests it carries at once.
    mutating func connected(_ connection: ConnectionID, now: ContinuousClock.Instant, capacity: Int = 1) -> Actions {
        guard connections[connection] != nil, !isShutDown else {
            connections.removeValue(forKey: connection)
            return Actions(close: [connection])
        }
        connections[connection]?.capacity = max(1, capacity)
        if let key = connections[connection]?.key { learnedCapacity[key] = max(1, capacity) }
        return makeAvailable(connection, now: now)
    }

    /// The server changed how many streams a multiplexed connection may carry at once (its
    /// SETTINGS_MAX_CONCURRENT_STREAMS): more room serves waiters at once; less takes effect
    /// as requests end (those in flight are not touched).
    mutating func capacityChanged(_ connection: ConnectionID, to capacity: Int) -> Actions {
        guard let current = connections[connection], current.state != .connecting else { return .none }
        connections[connection]?.capacity = max(1, capacity)
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
        connections[connection]?.isDraining = true
        return balance()
    }

    /// A connection could not be established: the oldest waiter for its origin fails with
    /// the connect error, and others get a new attempt.
    mutating func connectFailed(_ connection: ConnectionID) -> Actions {
        guard let failed = connections.removeValue(forKey: connection) else { return .none }
        var actions = Actions()
        if let index = waiters.firstIndex(where: { $0.key == failed.key }) {
            let waiter = waiters.remove(at: index)
            actions.fail.append((waiter.id, .connectFailed(connection)))
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

    /// When `connection` became idle, if it is idle.
    func idleSince(_ connection: ConnectionID) -> ContinuousClock.Instant? {
        if case .idle(let since) = connections[connection]?.state { return since }
        return nil
    }

    /// Whether `connection` is idle and was released no later than `deadline`.
    func isIdle(_ connection: ConnectionID, since deadline: ContinuousClock.Instant) -> Bool {
        if case .idle(let since) = connections[connection]?.state { return since <= deadline }
        return false
    }

    /// A waiter gave up (pool timeout or cancellation); it fails if it was still waiting.
    mutating func abandon(_ waiter: WaiterID, because failure: Failure) -> Actions {
        guard let index = waiters.firstIndex(where: { $0.id == waiter }) else { return .none }
        waiters.remove(at: index)
        return Actions(fail: [(waiter, failure)])
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

    /// Leases a busy multiplexed connection's spare capacity to the waiters of its origin.
    private mutating func leaseSpare(_ connection: ConnectionID) -> Actions {
        var actions = Actions()
        while let current = connections[connection], current.hasSpareCapacity,
            let index = waiters.firstIndex(where: { $0.key == current.key })
        {
            let waiter = waiters.remove(at: index)
            connections[connection]?.leases += 1
            connections[connection]?.state = .leased
            actions.leases.append((connection, waiter.id))
        }
        return actions
    }

    private mutating func makeAvailable(_ connection: ConnectionID, now: ContinuousClock.Instant) -> Actions {
        guard let key = connections[connection]?.key else { return .none }
        let leased = leaseSpare(connection)
        if !leased.leases.isEmpty { return leased.merging(balance()) }
        connections[connection]?.state = .idle(since: now)
        connections[connection]?.leases = 0
        idle[key, default: []].append(connection)
        var actions = balance()
        if let maxKeepalive, idleCount > maxKeepalive, let oldest = oldestIdle(excluding: nil) {
            removeIdle(oldest)
            actions.close.append(oldest)
        }
        return actions
    }

    /// Starts connections for waiters that no pending connection will serve, closing idle
    /// connections to other origins when the limit leaves no room.
    private mutating func balance() -> Actions {
        var actions = Actions()
        guard !waiters.isEmpty else { return actions }
        // How many waiters the connections still connecting will serve.
        var pending: [PoolKey: Int] = [:]
        for connection in connections.values where connection.state == .connecting {
            pending[connection.key, default: 0] += expectedCapacity(of: connection.key)
        }
        var demand: [PoolKey: Int] = [:]
        for waiter in waiters {
            demand[waiter.key, default: 0] += 1
            if demand[waiter.key, default: 0] <= pending[waiter.key, default: 0] { continue }
            if let maxConnections, connections.count >= maxConnections {
                guard let victim = oldestIdle(excluding: waiter.key) else { continue }
                removeIdle(victim)
                actions.close.append(victim)
            }
            let id = nextConnectionID
            nextConnectionID += 1
            connections[id] = Connection(key: waiter.key, state: .connecting)
            pending[waiter.key, default: 0] += expectedCapacity(of: waiter.key)
            actions.create.append((id, waiter.key))
        }
        return actions
    }

    private func expectedCapacity(of key: PoolKey) -> Int {
        learnedCapacity[key] ?? assumedCapacity
    }

    private func oldestIdle(excluding key: PoolKey?) -> ConnectionID? {
        var oldest: (ConnectionID, ContinuousClock.Instant)?
        for (idleKey, ids) in idle where idleKey != key {
            for id in ids {
                guard case .idle(let since) = connections[id]?.state else { continue }
                if let current = oldest, current.1 <= since { continue }
                oldest = (id, since)
            }
        }
        return oldest?.0
    }

    private mutating func removeIdle(_ connection: ConnectionID) {
        guard let key = connections.removeValue(forKey: connection)?.key else { return }
        idle[key]?.removeAll { $0 == connection }
    }
}

extension PoolStateMachine.Actions {
    func merging(_ other: Self) -> Self {
        var result = self
        result.leases += other.leases
        result.create += other.create
        result.close += other.close
        result.fail += other.fail
        return result
    }
}
