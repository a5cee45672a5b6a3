import NIOCore
import NIOHTTP1

/// One request and its response on an HTTP/1.1 connection, as the channel handler tracks it.
/// Lives on the connection's event loop.
final class HTTP1Exchange {
    /// Completed when the response head arrives, with the stream its body will fill.
    let head: EventLoopPromise<(HTTPResponseHead, BodyStreamSource)>
    let readTimeout: TimeAmount?
    let writeTimeout: TimeAmount?
    let requestKeepAlive: Bool
    /// Called once when the exchange is over: whether the connection can serve another request.
    let onComplete: (Bool) -> Void
    let describe: () -> String

    var body: BodyStreamSource?
    var receivedResponseBytes = false
    var requestFullySent = false
    var responseEnded = false
    var responseKeepAlive = false
    var isDone = false
    var outstandingWrites = 0

    init(
        head: EventLoopPromise<(HTTPResponseHead, BodyStreamSource)>,
        timeout: Timeout,
        requestKeepAlive: Bool,
        describe: @escaping () -> String,
        onComplete: @escaping (Bool) -> Void
    ) {
        self.head = head
        self.readTimeout = timeout.read.map(TimeAmount.init)
        self.writeTimeout = timeout.write.map(TimeAmount.init)
        self.requestKeepAlive = requestKeepAlive
        self.describe = describe
        self.onComplete = onComplete
    }

    /// Fails whichever side of the exchange is still waiting.
    func deliver(_ error: any Error) {
        if let body {
            body.finish(.failure(error))
        } else {
            head.fail(error)
        }
    }
}

extension TimeAmount {
    init(_ duration: Duration) {
        let (seconds, attoseconds) = duration.components
        let nanoseconds = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        if nanoseconds.overflow {
            self = .nanoseconds(Int64.max)
        } else {
            self = .nanoseconds(nanoseconds.partialValue &+ attoseconds / 1_000_000_000)
        }
    }
}

/// The connection closed before any byte of the response arrived: on a reused keep-alive
/// connection this usually means the server closed it while idle, so the request may be
/// retried on a new one.
struct ConnectionClosedBeforeResponse: Error {
    let underlying: HTTPXError
}
