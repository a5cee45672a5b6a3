import Logging
import NIOCore
import NIOPosix
import Synchronization

/// A connection the pool can manage, whatever protocol it speaks (HTTP/1.1 today; TLS,
/// proxied and HTTP/2 connections are further kinds, made by their own factory).
protocol PoolConnection: AnyObject, Sendable {
    var id: Int { get }
    /// How many requests it carries at once.
    var capacity: Int { get }
    /// Whether the socket is still open.
    var isActive: Bool { get }
    var eventLoop: any EventLoop { get }
    func close()
    /// Takes no new requests from now on (the server sent GOAWAY).
    func markDraining()
    /// Records how many requests it may carry at once (HTTP/2: the server's stream limit).
    func updateCapacity(_ capacity: Int)
}

/// Opens a connection for the pool: its id, origin, connect timeout and event loop, and the
/// functions it calls when it closes while idle or the server asks it to drain.
typealias ConnectionFactory<Connection: PoolConnection> = @Sendable (
    _ id: Int, _ key: PoolKey, _ connectTimeout: Duration?, _ eventLoop: any EventLoop,
    _ events: ConnectionEvents
) -> EventLoopFuture<Connection>

/// Carries out what the ``PoolStateMachine`` decides: opens and closes connections, hands
/// them to waiting requests, and schedules the timers it asks for (pool timeouts, keep-alive
/// checks, connect retries), reporting back when they fire.
final class ConnectionPool<Connection: PoolConnection>: Sendable {
    private struct Waiter {
        let continuation: CheckedContinuation<Connection, any Error>
        let request: Request
        /// The connect timeout of a connection opened for this waiter.
        let connectTimeout: Duration?
        var description: String { request.description }
        var timer: Scheduled<Void>?
    }

    private struct State {
        var machine: PoolStateMachine
        var connections: [Int: Connection] = [:]
        var waiters: [Int: Waiter] = [:]
        /// The connect timeout of the last waiter, for connections opened once it has gone.
        var lastConnectTimeout: Duration?
        /// The connect timeout of each connection being opened, for its retries.
        var connectTimeouts: [Int: Duration?] = [:]
        var nextWaiterID = 0
    }

    private let state: Mutex<State>
    private let group: any EventLoopGroup
    private let factory: ConnectionFactory<Connection>
    /// Where connections' lives are logged (debug), if anywhere.
    private let logger: Logger?
    private let metrics: ClientMetrics?

    /// - Parameter assumedCapacity: how many requests a new connection is expected to carry
    ///   before one to its origin has opened (see ``PoolStateMachine/assumedCapacity``).
    init(
        limits: Limits, assumedCapacity: @escaping @Sendable (PoolKey) -> Int = { _ in 1 }, retries: Int,
        group: any EventLoopGroup, logger: Logger? = nil, metrics: ClientMetrics? = nil,
        factory: @escaping ConnectionFactory<Connection>
    ) {
        self.logger = logger.flatMap { $0.logLevel <= .debug ? $0 : nil }
        self.metrics = metrics
        self.state = Mutex(State(
            machine: PoolStateMachine(limits: limits, connectRetries: retries, assumedCapacity: assumedCapacity)))
        self.group = group
        self.factory = factory
    }

    deinit {
        // A transport dropped without close() still closes its idle connections.
        let connections = state.withLock { $0.connections.values }
        for connection in connections { connection.close() }
    }

    /// A connection to `key`, reused or new; waits in line when the pool is full.
    func acquire(_ key: PoolKey, timeout: Timeout, connectTimeout: Duration?, for request: Request) async throws
        -> Connection
    {
        while true {
            try Task.checkCancellation()
            let connection = try await lease(key, poolTimeout: timeout.pool, connectTimeout: connectTimeout, request: request)
            if connection.isActive {
                recordConnections(to: key)
                return connection
            }
            // The server closed it while it was idle; try another.
            release(connection, reusable: false)
        }
    }

    private func lease(_ key: PoolKey, poolTimeout: Duration?, connectTimeout: Duration?, request: Request) async throws
        -> Connection
    {
        // Fast path: an idle connection, without suspending.
        let (fast, waiterID) = state.withLock { state -> (Connection?, Int) in
            if let id = state.machine.leaseIdle(key), let connection = state.connections[id] {
                return (connection, 0)
            }
            let id = state.nextWaiterID
            state.nextWaiterID += 1
            return (nil, id)
        }
        if let fast { return fast }
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Connection, any Error>) in
                let actions = state.withLock { state -> PoolStateMachine.Actions in
                    state.waiters[waiterID] = Waiter(
                        continuation: continuation, request: request, connectTimeout: connectTimeout)
                    state.lastConnectTimeout = connectTimeout
                    return state.machine.acquire(key, waiter: waiterID, poolTimeout: poolTimeout)
                }
                perform(actions)
                // A task cancelled before its waiter was registered missed `onCancel`'s effect.
                if Task.isCancelled { abandon(waiterID, because: .cancelled) }
            }
        } onCancel: {
            abandon(waiterID, because: .cancelled)
        }
    }

    /// How many connections exist now (connecting, busy or idle); for tests and diagnostics.
    var connectionCount: Int { state.withLock { $0.machine.connections.count } }

    /// The state machine's view of each connection, and the connections held; for diagnostics.
    var summary: String {
        state.withLock { "\($0.machine.summary) held=\($0.connections.keys.sorted())" }
    }

    /// How many connections were started in all; for tests and diagnostics.
    var connectionsStarted: Int { state.withLock { $0.machine.connectionsStarted } }

    /// Gives a connection back after an exchange.
    func release(_ connection: Connection, reusable: Bool) {
        let now = ContinuousClock.now
        let (actions, drop, key) = state.withLock { state -> (PoolStateMachine.Actions, Bool, PoolKey?) in
            let key = metrics == nil ? nil : state.machine.connections[connection.id]?.key
            let actions = state.machine.release(connection.id, reusable: reusable, now: now)
            let drop = !reusable || actions.close.contains(connection.id)
            if drop { state.connections.removeValue(forKey: connection.id) }
            return (actions, drop, key)
        }
        if drop { connection.close() }
        perform(actions)
        if let key { recordConnections(to: key) }
    }

    /// Records the origin's active and idle connections, when metrics are on.
    private func recordConnections(to key: PoolKey) {
        guard let metrics else { return }
        let (active, idle) = state.withLock { $0.machine.openConnections(to: key) }
        metrics.recordConnections(origin: key.metricsOrigin, active: active, idle: idle)
    }

    /// Closes idle connections and fails waiters; busy connections close when released.
    func shutDown() {
        let actions = state.withLock { $0.machine.shutDown() }
        perform(actions)
    }

    /// A keep-alive check the state machine asked for came due.
    private func expiryCheckDue(_ id: Int) {
        let now = ContinuousClock.now
        let key = metricsKey(of: id)
        perform(state.withLock { $0.machine.expiryCheckDue(id, now: now) })
        if let key { recordConnections(to: key) }
    }

    /// The origin of connection `id`, when metrics are on (read before a change removes it).
    private func metricsKey(of id: Int) -> PoolKey? {
        metrics == nil ? nil : state.withLock { $0.machine.connections[id]?.key }
    }

    private func idleClosed(_ id: Int) {
        logger?.debug("Connection \(id) closed by the server while idle")
        let key = metricsKey(of: id)
        let actions = state.withLock { state -> PoolStateMachine.Actions in
            let actions = state.machine.idleClosed(id)
            if state.machine.connections[id] == nil { state.connections.removeValue(forKey: id) }
            return actions
        }
        perform(actions)
        if let key { recordConnections(to: key) }
    }

    /// The server will take no new requests on the connection (HTTP/2 GOAWAY, or a stream it
    /// refused): requests in flight finish, new ones go to another connection.
    ///
    /// - Parameter failure: set when the connection failed (SwiftNIO found a connection error
    ///   and is closing it): then the requests in flight are not marked as left unprocessed by
    ///   the server, as a server's GOAWAY marks them.
    func drain(_ id: Int, failure: String? = nil) {
        if let failure {
            logger?.debug("Connection \(id) failed and closes: \(failure)")
        } else {
            logger?.debug("Connection \(id) takes no new requests (GOAWAY or a refused stream)")
        }
        let key = metricsKey(of: id)
        let (actions, closing) = state.withLock { state -> (PoolStateMachine.Actions, Connection?) in
            if failure == nil { state.connections[id]?.markDraining() }
            let actions = state.machine.drain(id)
            let closing = actions.close.contains(id) ? state.connections.removeValue(forKey: id) : nil
            return (actions, closing)
        }
        closing?.close()
        perform(actions)
        if let key { recordConnections(to: key) }
    }

    /// The server changed how many requests the connection may carry at once.
    private func capacityChanged(_ id: Int, to capacity: Int) {
        let actions = state.withLock { state -> PoolStateMachine.Actions in
            state.connections[id]?.updateCapacity(capacity)
            return state.machine.capacityChanged(id, to: capacity)
        }
        perform(actions)
    }

    private func abandon(_ waiter: Int, because failure: PoolStateMachine.Failure) {
        let actions = state.withLock { $0.machine.abandon(waiter, because: failure) }
        perform(actions)
    }

    // MARK: - Carrying out actions

    /// Carries out `actions`; `connectError` is the error of the connection whose failure
    /// they answer, for the waiters it was opened for.
    private func perform(_ actions: PoolStateMachine.Actions, connectError: (any Error)? = nil) {
        if actions == .none { return }
        var toClose: [Connection] = []
        var leased: [(CheckedContinuation<Connection, any Error>, Connection)] = []
        var failed: [(CheckedContinuation<Connection, any Error>, any Error)] = []
        var opening: [(id: Int, key: PoolKey, connectTimeout: Duration?, observer: RequestObserver?)] = []
        var reopening: [(id: Int, key: PoolKey, connectTimeout: Duration?, after: Duration)] = []
        var checks: [(id: Int, eventLoop: any EventLoop, after: Duration)] = []
        state.withLock { state in
            for id in actions.close {
                if let connection = state.connections.removeValue(forKey: id) { toClose.append(connection) }
            }
            for lease in actions.leases {
                guard let waiter = state.waiters.removeValue(forKey: lease.waiter),
                    let connection = state.connections[lease.connection]
                else { continue }
                waiter.timer?.cancel()
                leased.append((waiter.continuation, connection))
            }
            for (id, failure) in actions.fail {
                guard let waiter = state.waiters.removeValue(forKey: id) else { continue }
                waiter.timer?.cancel()
                failed.append((waiter.continuation, error(for: failure, waiter: waiter, connectError: connectError)))
            }
            for (id, key, waiter) in actions.create {
                let connectTimeout = state.waiters[waiter]?.connectTimeout ?? state.lastConnectTimeout
                state.connectTimeouts[id] = connectTimeout
                opening.append((id, key, connectTimeout, state.waiters[waiter].flatMap { RequestObserver($0.request) }))
            }
            for (id, key, after) in actions.reconnect {
                reopening.append((id, key, state.connectTimeouts[id] ?? state.lastConnectTimeout, after))
            }
            for (id, after) in actions.checkExpiry {
                checks.append((id, state.connections[id]?.eventLoop ?? group.any(), after))
            }
        }
        for (waiter, after) in actions.timeouts {
            let timer = group.any().scheduleTask(in: TimeAmount(after)) { [weak self] () -> Void in
                self?.abandon(waiter, because: .timedOut)
            }
            let stillWaiting = state.withLock { state -> Bool in
                guard state.waiters[waiter] != nil else { return false }
                state.waiters[waiter]?.timer = timer
                return true
            }
            if !stillWaiting { timer.cancel() }
        }
        for (id, eventLoop, after) in checks {
            eventLoop.scheduleTask(in: TimeAmount(after)) { [weak self] () -> Void in self?.expiryCheckDue(id) }
        }
        for (id, key, connectTimeout, after) in reopening {
            group.any().scheduleTask(in: TimeAmount(after)) { [weak self] () -> Void in
                self?.open(id, key: key, connectTimeout: connectTimeout)
            }
        }
        for connection in toClose { connection.close() }
        for (continuation, connection) in leased { continuation.resume(returning: connection) }
        for (continuation, error) in failed { continuation.resume(throwing: error) }
        for (id, key, connectTimeout, observer) in opening {
            open(id, key: key, connectTimeout: connectTimeout, observer: observer)
        }
    }

    /// A connect failed: it is tried again if the state machine says so; otherwise the
    /// waiters it was for fail with `error`, made more precise first for a TLS verification
    /// failure.
    private func connectFailed(_ id: Int, key: PoolKey, error: any Error, connectTimeout: Duration?, eventLoop: any EventLoop) {
        let actions = state.withLock { state -> PoolStateMachine.Actions in
            let actions = state.machine.connectFailed(id)
            if actions.reconnect.isEmpty { state.connectTimeouts.removeValue(forKey: id) }
            return actions
        }
        guard actions.reconnect.isEmpty else {
            perform(actions)
            return
        }
        let mapped = TransportErrors.map(error, phase: .connecting, request: key.description)
        guard key.scheme == "https", key.proxy == nil, "\(error)".contains("CERTIFICATE_VERIFY_FAILED"),
            let generic = mapped as? HTTPXError
        else {
            perform(actions, connectError: mapped)
            return
        }
        TLSDiagnosis.explainVerificationFailure(key: key, timeout: connectTimeout, eventLoop: eventLoop)
            .whenComplete { [weak self] result in
                var detailed = generic
                if case .success(let reason?) = result {
                    detailed.message = "TLS with \(key) failed: \(reason) [\(error)]"
                }
                self?.perform(actions, connectError: detailed)
            }
    }

    private func error(for failure: PoolStateMachine.Failure, waiter: Waiter, connectError: (any Error)?) -> any Error {
        switch failure {
        case .cancelled:
            return CancellationError()
        case .timedOut:
            return HTTPXError(.poolTimeout, "Timed out waiting for a free connection in the pool for \(waiter.description)")
        case .shutDown:
            return HTTPXError(.clientClosed, "The transport was closed before \(waiter.description) got a connection")
        case .connectFailed:
            guard var error = connectError as? HTTPXError else {
                return HTTPXError(
                    .connectError, "Could not connect for \(waiter.description): \(connectError.map { "\($0)" } ?? "unknown error")",
                    request: waiter.request, underlying: connectError)
            }
            error.message += " for \(waiter.description)"
            return error.attaching(waiter.request)
        }
    }

    private func open(_ id: Int, key: PoolKey, connectTimeout: Duration?, observer: RequestObserver? = nil) {
        let eventLoop = group.any()
        let events = ConnectionEvents(
            onIdleClose: { [weak self] in self?.idleClosed(id) },
            onGoAway: { [weak self] in self?.drain(id) },
            onCapacityChange: { [weak self] capacity in self?.capacityChanged(id, to: capacity) },
            onConnectionError: { [weak self] error in self?.drain(id, failure: error) },
            observer: observer)
        let started = ContinuousClock.now
        factory(id, key, connectTimeout, eventLoop, events).whenComplete { [weak self] result in
            guard let self else {
                if case .success(let connection) = result { connection.close() }
                return
            }
            self.noteConnect(id, key: key, started: started, result: result)
            switch result {
            case .success(let connection):
                let actions = self.state.withLock { state -> PoolStateMachine.Actions in
                    state.connections[id] = connection
                    state.connectTimeouts.removeValue(forKey: id)
                    return state.machine.connected(id, now: .now, capacity: connection.capacity)
                }
                self.perform(actions)
                self.recordConnections(to: key)
            case .failure(let error):
                self.connectFailed(id, key: key, error: error, connectTimeout: connectTimeout, eventLoop: eventLoop)
            }
        }
    }

    /// Logs a connect's outcome and records its duration.
    private func noteConnect(_ id: Int, key: PoolKey, started: ContinuousClock.Instant, result: Result<Connection, any Error>) {
        guard logger != nil || metrics != nil else { return }
        let elapsed = ContinuousClock.now - started
        switch result {
        case .success:
            logger?.debug("Connection \(id) to \(key) opened in \(elapsed.secondsDescription) s")
            metrics?.recordConnect(origin: key.metricsOrigin, duration: elapsed, error: nil)
        case .failure(let error):
            let mapped = TransportErrors.map(error, phase: .connecting, request: key.description)
            logger?.debug("Connection \(id) to \(key) failed after \(elapsed.secondsDescription) s: \(mapped)")
            metrics?.recordConnect(origin: key.metricsOrigin, duration: elapsed, error: mapped)
        }
    }
}
