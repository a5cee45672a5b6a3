/// The pool's timers as the state machine decides them: keep-alive expiry and the delay
/// before a connect is tried again. The pool schedules what the actions say and reports back.
extension PoolStateMachine {
    /// How long to wait before trying a connect again after its attempt number `attempt`
    /// (from 0) failed: 0.5 s, doubling, at most about 8.5 minutes.
    static func reconnectDelay(afterAttempt attempt: Int) -> Duration {
        .milliseconds(500 * (1 << min(max(attempt, 0), 10)))
    }

    /// A keep-alive check for an idle connection, unless one is already scheduled.
    mutating func scheduleExpiryCheck(_ connection: ConnectionID) -> Actions {
        guard let keepaliveExpiry, idleSince(connection) != nil, expiryChecks.insert(connection).inserted else {
            return .none
        }
        return Actions(checkExpiry: [(connection, keepaliveExpiry)])
    }

    /// A keep-alive check of `connection` came due at `now`: it closes if it has been idle for
    /// `keepaliveExpiry`, or the check moves to when it will have been. A connection that is
    /// no longer idle gets a new check when it next becomes idle.
    mutating func expiryCheckDue(_ connection: ConnectionID, now: ContinuousClock.Instant) -> Actions {
        expiryChecks.remove(connection)
        guard let keepaliveExpiry, let since = idleSince(connection) else { return .none }
        let idleFor = now - since
        guard idleFor >= keepaliveExpiry else {
            expiryChecks.insert(connection)
            return Actions(checkExpiry: [(connection, keepaliveExpiry - idleFor)])
        }
        var actions = idleClosed(connection)
        actions.close.append(connection)
        return actions
    }
}
