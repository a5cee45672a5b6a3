import Logging
import Synchronization
import Testing

@testable import HTTPX

/// Retries are written in the log, without credentials.
@Suite("Retry logs", .timeLimit(.minutes(1)))
struct RetryLogTests {
    final class Lines: Sendable {
        let lines = Mutex<[String]>([])
    }

    struct Handler: LogHandler {
        let lines: Lines
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace
        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }
        func log(event: LogEvent) {
            lines.lines.withLock { $0.append(event.message.description) }
        }
    }

    @Test func eachRetryIsLoggedWithoutTheURLsPassword() async throws {
        let lines = Lines()
        let logger = Logger(label: "test") { _ in Handler(lines: lines) }
        let count = Counter()
        let client = AsyncClient(.init(
            transport: MockTransport { _ in
                count.increment()
                return count.value < 3 ? Response(502) : Response(200)
            },
            retry: RetryPolicy(maxRetries: 2, baseDelay: .milliseconds(1)), logger: logger))
        let r = try await client.get("http://user:hunter2@h/")
        #expect(r.retries == 2)
        let retries = lines.lines.withLock { $0.filter { $0.hasPrefix("Retrying:") } }
        #expect(retries.count == 2)
        #expect(retries.first?.contains("status 502") == true && retries.first?.contains("retry 1 of 2") == true)
        #expect(lines.lines.withLock { $0 }.allSatisfy { !$0.contains("hunter2") })
    }
}
