/// What the pool state machine tells about itself, for diagnostics and the tests' invariants.
extension PoolStateMachine {
    /// Each connection's state, for diagnostics: `3:leased(2/100)`, `4:idle`, `5:connecting`.
    var summary: String {
        connections.sorted { $0.key < $1.key }.map { id, connection in
            switch connection.state {
            case .connecting: "\(id):connecting"
            case .leased: "\(id):leased(\(connection.leases)/\(connection.capacity))\(connection.isDraining ? "draining" : "")"
            case .idle: "\(id):idle"
            }
        }.joined(separator: " ")
    }

    var idleCount: Int { idle.values.reduce(0) { $0 + $1.count } }

    /// Whether some request waits although an idle connection to its origin exists (never
    /// true: the invariant the tests check).
    var waiterMissesAnIdleConnection: Bool {
        waiters.contains { waiter in
            !(idle[waiter.key]?.isEmpty ?? true)
                || connections.values.contains { $0.key == waiter.key && $0.state == .leased && $0.hasSpareCapacity }
        }
    }

}
