import Dispatch
import NIOPosix

/// Runs async work to completion for the blocking ``Client``, on the global executor, while
/// the calling thread waits.
enum Blocking {
    static func run<T: Sendable>(_ operation: @escaping @Sendable () async throws -> T) throws -> T {
        guard !isInsideTask else {
            throw HTTPXError(
                .blockingInAsyncContext,
                "The blocking Client was called from inside a Swift concurrency task, where waiting could deadlock the cooperative thread pool; use AsyncClient with await instead")
        }
        guard MultiThreadedEventLoopGroup.currentEventLoop == nil else {
            throw HTTPXError(
                .blockingInAsyncContext,
                "The blocking Client was called on a SwiftNIO event loop thread, which it may need to finish the request; use AsyncClient, or call it from another thread")
        }
        let box = ResultBox<T>()
        let done = DispatchSemaphore(value: 0)
        Task {
            let result: Result<T, any Error>
            do {
                result = .success(try await operation())
            } catch {
                result = .failure(error)
            }
            box.set(result)
            done.signal()
        }
        done.wait()
        return try box.get()
    }

    static var isInsideTask: Bool {
        withUnsafeCurrentTask { $0 != nil }
    }

    /// Whether the calling thread may block on async work (neither a task nor an event loop).
    static var canWait: Bool {
        !isInsideTask && MultiThreadedEventLoopGroup.currentEventLoop == nil
    }
}

/// Hands a result from the task to the waiting thread; the semaphore orders the accesses.
private final class ResultBox<T: Sendable>: @unchecked Sendable {
    private var result: Result<T, any Error>?

    func set(_ value: Result<T, any Error>) {
        result = value
    }

    func get() throws -> T {
        guard let result else {
            throw HTTPXError(.request, "The blocking call ended without a result")
        }
        return try result.get()
    }
}
