/// Questions the pool state machine answers without changing anything.
extension PoolStateMachine {
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

    /// The idle connection released longest ago, of an origin other than `key`.
    func oldestIdle(excluding key: PoolKey?) -> ConnectionID? {
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
}

extension PoolStateMachine {
    /// How many open connections to `key` carry requests, and how many are idle (for the
    /// `http.client.open_connections` metric).
    func openConnections(to key: PoolKey) -> (active: Int, idle: Int) {
        var active = 0
        var idle = 0
        for connection in connections.values where connection.key == key {
            switch connection.state {
            case .connecting: break
            case .leased: active += 1
            case .idle: idle += 1
            }
        }
        return (active, idle)
    }
}
