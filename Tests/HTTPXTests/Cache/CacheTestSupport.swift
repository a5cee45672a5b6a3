#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Synchronization

@testable import HTTPX

/// A clock the tests move by hand, so freshness is tested without sleeping.
final class ManualClock: Sendable {
    private let current: Mutex<Date>

    /// 2023-11-14 22:13:20 UTC, a whole second.
    init(_ start: Date = Date(timeIntervalSince1970: 1_700_000_000)) {
        current = Mutex(start)
    }

    var now: Date { current.withLock { $0 } }

    /// `now` as an HTTP date, `offset` seconds away.
    func httpDate(_ offset: Double = 0) -> String {
        CacheDate.format(now.addingTimeInterval(offset))
    }

    func advance(_ seconds: Double) {
        current.withLock { $0 = $0.addingTimeInterval(seconds) }
    }

    var closure: @Sendable () -> Date {
        { [self] in now }
    }
}

/// The server behind a cache in the tests: records what reaches it and answers with a
/// script given the request and how many requests came before it (0 for the first).
final class ScriptedOrigin: Sendable {
    private let received = Mutex<[Request]>([])
    private let script: @Sendable (Request, Int) throws -> Response

    init(_ script: @escaping @Sendable (Request, Int) throws -> Response) {
        self.script = script
    }

    /// How many requests reached the server.
    var hits: Int { received.withLock { $0.count } }
    /// The requests that reached the server, in order.
    var requests: [Request] { received.withLock { $0 } }

    var transport: MockTransport {
        MockTransport { [self] request in
            let index = received.withLock { list in
                list.append(request)
                return list.count - 1
            }
            return try script(request, index)
        }
    }
}

/// A client over a `CacheTransport` over `origin`, with the clock `clock`.
func cachingClient(
    _ origin: ScriptedOrigin, clock: ManualClock, shared: Bool = false, maxEntrySize: Int = 10 << 20,
    store: MemoryCacheStore = MemoryCacheStore()
) -> AsyncClient {
    AsyncClient(.init(transport: CacheTransport(
        wrapping: origin.transport, store: store, shared: shared, maxEntrySize: maxEntrySize, now: clock.closure)))
}

/// Bounded waits for the cache tests, so that wrong code fails a test instead of hanging it.
enum CacheTestSupport {
    /// What `body` returns, or `nil` when it takes longer than `limit`: it is then cancelled,
    /// and not waited for (a task that ignores cancellation cannot hang the test).
    static func within<T: Sendable>(_ limit: Duration, _ body: @escaping @Sendable () async throws -> T) async throws -> T? {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T?, any Error>) in
            let once = FirstResult(continuation)
            let work = Task {
                do {
                    once.resume(.success(try await body()))
                } catch {
                    once.resume(.failure(error))
                }
            }
            Task {
                try? await Task.sleep(for: limit)
                once.resume(.success(nil))
                work.cancel()
            }
        }
    }

    /// Whether `needle` occurs in `haystack`.
    static func occurs(_ needle: [UInt8], in haystack: [UInt8]) -> Bool {
        guard !needle.isEmpty, needle.count <= haystack.count else { return needle.isEmpty }
        for start in 0...(haystack.count - needle.count) where haystack[start] == needle[0] {
            if haystack[start..<(start + needle.count)].elementsEqual(needle) { return true }
        }
        return false
    }
}
