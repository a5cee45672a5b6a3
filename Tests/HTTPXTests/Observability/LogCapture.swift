import Logging
import Synchronization

/// A swift-log handler that keeps every record, for tests.
final class LogCapture: Sendable {
    struct Record: Sendable {
        let level: Logger.Level
        let message: String
        let metadata: Logger.Metadata
        /// The message and every metadata value, to search for what must never be logged.
        var everything: String { message + " " + metadata.map { "\($0.key)=\($0.value)" }.joined(separator: " ") }
    }

    let records = Mutex<[Record]>([])

    func logger(level: Logger.Level = .trace) -> Logger {
        var logger = Logger(label: "httpx-test") { _ in Handler(capture: self) }
        logger.logLevel = level
        return logger
    }

    var all: [Record] { records.withLock { $0 } }

    func messages(at level: Logger.Level) -> [String] {
        all.filter { $0.level == level }.map(\.message)
    }

    struct Handler: LogHandler {
        let capture: LogCapture
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            let merged = metadata.merging(event.metadata ?? [:]) { $1 }
            capture.records.withLock {
                $0.append(Record(level: event.level, message: "\(event.message)", metadata: merged))
            }
        }
    }
}
