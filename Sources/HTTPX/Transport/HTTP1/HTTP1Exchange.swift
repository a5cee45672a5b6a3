import NIOCore
import NIOHTTP1

/// What the channel handler holds for one request and its response: the promise and body
/// stream the waiting task reads, and the callback to the pool. Where the exchange stands is
/// the business of ``HTTP1ConnectionStateMachine``. Lives on the connection's event loop.
final class HTTP1Exchange {
    /// Completed when the response head arrives, with the stream its body will fill.
    let head: EventLoopPromise<(HTTPResponseHead, BodyStreamSource)>
    let readTimeout: TimeAmount?
    let writeTimeout: TimeAmount?
    let requestKeepAlive: Bool
    /// Called once when the exchange is over: whether the connection can serve another request.
    let onComplete: (Bool) -> Void
    let describe: () -> String
    /// Where the exchange's trace events go, when the request is observed.
    let observer: RequestObserver?
    /// The body bytes received so far, as they came (before any decoding).
    var receivedBytes = 0

    /// The body's stream, once the response head arrived.
    var body: BodyStreamSource?

    init(
        head: EventLoopPromise<(HTTPResponseHead, BodyStreamSource)>,
        timeout: Timeout,
        requestKeepAlive: Bool,
        describe: @escaping () -> String,
        observer: RequestObserver? = nil,
        onComplete: @escaping (Bool) -> Void
    ) {
        self.observer = observer
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

/// The connection closed before any byte of the response arrived: on a reused keep-alive
/// connection this usually means the server closed it while idle, so the request may be
/// retried on a new one.
struct ConnectionClosedBeforeResponse: Error {
    let underlying: HTTPXError
}
