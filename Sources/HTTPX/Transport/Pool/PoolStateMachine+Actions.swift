import NIOCore

extension PoolStateMachine {
    /// What the pool must do after an event. Most events need one or two of these.
    struct Actions: Equatable {
        /// Hand these connections to these waiters.
        var leases: [(connection: ConnectionID, waiter: WaiterID)] = []
        /// The first lease, the only one outside multiplexed connections.
        var lease: (connection: ConnectionID, waiter: WaiterID)? { leases.first }
        /// Open a connection with this id to this origin, for this waiter (whose connect
        /// timeout applies).
        var create: [(connection: ConnectionID, key: PoolKey, waiter: WaiterID)] = []
        /// Close these connections.
        var close: [ConnectionID] = []
        /// Fail these waiters.
        var fail: [(waiter: WaiterID, failure: Failure)] = []
        /// Check this idle connection's keep-alive expiry after this long
        /// (``PoolStateMachine/expiryCheckDue(_:now:)``).
        var checkExpiry: [(connection: ConnectionID, after: Duration)] = []
        /// Try connecting this connection again after this long.
        var reconnect: [(connection: ConnectionID, key: PoolKey, after: Duration)] = []
        /// Fail this waiter with a pool timeout after this long, if it still waits.
        var timeouts: [(waiter: WaiterID, after: Duration)] = []

        static let none = Actions()

        static func == (lhs: Actions, rhs: Actions) -> Bool {
            lhs.leases.map(\.connection) == rhs.leases.map(\.connection) && lhs.leases.map(\.waiter) == rhs.leases.map(\.waiter)
                && lhs.create.map(\.connection) == rhs.create.map(\.connection)
                && lhs.create.map(\.key) == rhs.create.map(\.key) && lhs.create.map(\.waiter) == rhs.create.map(\.waiter)
                && lhs.close == rhs.close
                && lhs.fail.map(\.waiter) == rhs.fail.map(\.waiter) && lhs.fail.map(\.failure) == rhs.fail.map(\.failure)
                && lhs.checkExpiry.map(\.connection) == rhs.checkExpiry.map(\.connection)
                && lhs.checkExpiry.map(\.after) == rhs.checkExpiry.map(\.after)
                && lhs.reconnect.map(\.connection) == rhs.reconnect.map(\.connection)
                && lhs.reconnect.map(\.after) == rhs.reconnect.map(\.after)
                && lhs.timeouts.map(\.waiter) == rhs.timeouts.map(\.waiter) && lhs.timeouts.map(\.after) == rhs.timeouts.map(\.after)
        }
    }
}

extension PoolStateMachine.Actions {
    func merging(_ other: Self) -> Self {
        var result = self
        result.leases += other.leases
        result.create += other.create
        result.close += other.close
        result.fail += other.fail
        result.checkExpiry += other.checkExpiry
        result.reconnect += other.reconnect
        result.timeouts += other.timeouts
        return result
    }
}
