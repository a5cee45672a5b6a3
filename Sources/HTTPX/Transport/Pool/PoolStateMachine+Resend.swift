extension PoolStateMachine {
    /// What is known of a request that got nothing of a response: the connection closed
    /// before its first byte, or its HTTP/2 stream was refused or left out by a GOAWAY.
    struct UnansweredRequest: Equatable {
        /// Its body can be sent again (in memory, or a file).
        var replayable: Bool
        /// GET, HEAD, PUT, DELETE, OPTIONS or TRACE.
        var idempotent: Bool
        /// The connection had carried a request before (a kept-alive connection the server
        /// may have closed while it was idle).
        var reusedConnection: Bool
        var http2: Bool
        /// The server said, by GOAWAY, that it did not process the stream.
        var goAwayReceived: Bool
    }

    /// Whether to send an unanswered request again on another connection, after `attempts`
    /// sends already made again. A replayable request is sent again when the server said it
    /// did not process it (GOAWAY), or when it is idempotent and the connection was a reused
    /// one (HTTP/1.1: closed while idle) or an HTTP/2 stream (refused). HTTP/1.1 tries once;
    /// HTTP/2 up to 8 times, as a burst can meet several connections that each end after a
    /// few requests (nginx's `keepalive_requests`).
    static func shouldSendAgain(_ request: UnansweredRequest, after attempts: Int) -> Bool {
        guard request.replayable else { return false }
        let safe = request.goAwayReceived || (request.idempotent && (request.reusedConnection || request.http2))
        return safe && attempts < (request.http2 ? 8 : 1)
    }
}
