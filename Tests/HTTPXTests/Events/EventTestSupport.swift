import NIOCore
import Synchronization

@testable import HTTPX

/// Helpers of the server-sent event tests: bounded waits, so that wrong code fails a test
/// instead of hanging it.
enum EventTestSupport {
    /// A response streaming `chunks` as an event stream (or as `contentType`), counting its
    /// closes in `closed`.
    static func eventStream(
        _ chunks: [String], status: Int = 200, contentType: String = "text/event-stream", closed: Counter = Counter()
    ) -> Response {
        Response(
            status, headers: ["Content-Type": contentType],
            body: ResponseBody(stream: Chunks(chunks), onClose: { closed.increment() }))
    }

    /// What `body` returns, or `nil` when it takes longer than `limit`: it is then cancelled,
    /// and not waited for (a task that ignores cancellation, such as a thread blocked in the
    /// blocking client, cannot hang the test). When `body` ends first, the timer is cancelled,
    /// so no task is left sleeping for the rest of the limit.
    static func within<T: Sendable>(_ limit: Duration, _ body: @escaping @Sendable () async throws -> T) async throws -> T? {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T?, any Error>) in
            let first = FirstResult(continuation)
            // Sleeps for the limit, unless the work ends first and cancels it.
            let timer = Task { try await Task.sleep(for: limit) }
            let work = Task {
                defer { timer.cancel() }
                do {
                    first.resume(.success(try await body()))
                } catch {
                    first.resume(.failure(error))
                }
            }
            Task {
                // Only a timer that slept for the whole limit ends without throwing.
                guard (try? await timer.value) != nil else { return }
                first.resume(.success(nil))
                work.cancel()
            }
        }
    }

    struct TimedOut: Error, CustomStringConvertible {
        let what: String
        var description: String { "timed out: \(what)" }
    }

    /// Every event of `events` until it ends (or `limit` of them), failing after `timeout`.
    static func collect(
        _ events: ServerSentEvents, limit: Int = 100, timeout: Duration = .seconds(10)
    ) async throws -> [ServerSentEvent] {
        let result = try await within(timeout) {
            var got: [ServerSentEvent] = []
            for try await event in events {
                got.append(event)
                if got.count >= limit { break }
            }
            return got
        }
        guard let result else { throw TimedOut(what: "the event stream did not end within \(timeout)") }
        return result
    }

    /// `text` as one chunk of a chunked body.
    static func chunk(_ text: String) -> String {
        String(text.utf8.count, radix: 16) + "\r\n" + text + "\r\n"
    }

    /// The head of a chunked event-stream response.
    static let chunkedHead = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n"
}

/// Resumes a continuation once, whichever of several tasks gets there first.
final class FirstResult<T: Sendable>: Sendable {
    private let continuation: Mutex<CheckedContinuation<T?, any Error>?>

    init(_ continuation: CheckedContinuation<T?, any Error>) {
        self.continuation = Mutex(continuation)
    }

    func resume(_ result: Result<T?, any Error>) {
        let taken = continuation.withLock { slot -> CheckedContinuation<T?, any Error>? in
            defer { slot = nil }
            return slot
        }
        taken?.resume(with: result)
    }
}
