#if canImport(Glibc)
import Glibc
#endif
import HTTPX
import Logging
import Synchronization

/// 10,000 requests mixing successes, cancellations, read timeouts, connections the server
/// closes without answering, and clients closed while requests run; then reports what each
/// request ended in, and the open file descriptors and resident memory before and after.
///
///     httpx-memory-probe fault-load http://127.0.0.1:8080
///     httpx-memory-probe fault-load-h2 https://localhost:8443 /path/to/ca.pem
func faultLoad(_ base: String, http2: Bool, caBundle: String?) async throws {
    let verify: TLSVerification = caBundle.map { .caBundle($0) } ?? .system
    // For diagnosis: the pool's connection events, counted from its debug log.
    let events = EventCounts()
    var logger = Logger(label: "probe") { _ in CountingLogHandler(counts: events) }
    logger.logLevel = .debug
    func makeClient() -> AsyncClient {
        AsyncClient(.init(
            baseURL: base, timeout: Timeout(10, read: 0.5), limits: Limits(maxConnections: 20), verify: verify,
            http2: http2, logger: logger))
    }
    // Warm up (TLS contexts, thread pools, allocator), then measure with no client open.
    let warm = makeClient()
    for _ in 0..<20 { _ = try await warm.get("/1k.bin").content }
    await warm.close()
    try await Task.sleep(for: .milliseconds(1500))
    _ = malloc_trim(0)
    let baselineFDs = openFileDescriptors()
    let baselineRSS = Memory.status("VmRSS")
    let client = makeClient()
    let outcomes = Outcomes()
    var generator = SystemRandomNumberGenerator()
    // For diagnosis: HTTPX_PROBE_SKIP lists cases to leave out ("race,slow,reset,cancel").
    let skip = getenv("HTTPX_PROBE_SKIP").map { String(cString: $0) } ?? ""
    for batch in 0..<100 {
        // Every tenth batch also runs on a client closed while its requests are in flight.
        let racing = batch % 10 == 9 && !skip.contains("race") ? makeClient() : nil
        await withTaskGroup(of: Void.self) { group in
            for index in 0..<100 {
                var kind = Int.random(in: 0..<10, using: &generator)
                if (kind >= 5 && kind < 7 && skip.contains("slow")) || (kind == 7 && skip.contains("reset"))
                    || (kind >= 8 && skip.contains("cancel"))
                {
                    kind = 0
                }
                let target = racing != nil && index % 2 == 0 ? racing ?? client : client
                let path = kind < 5 ? "/1k.bin" : kind < 7 ? "/slow" : kind < 8 ? "/reset" : "/1k.bin"
                let task = Task { () -> String in
                    do {
                        let response = try await target.get(path)
                        return try response.content.count == 1024 ? "ok" : "status \(response.statusCode)"
                    } catch let error as HTTPXError {
                        return error.kind.name
                    } catch is CancellationError {
                        return "cancelled"
                    } catch {
                        return "unexpected \(error)"
                    }
                }
                group.addTask {
                    if kind >= 8 {
                        try? await Task.sleep(for: .microseconds(Int.random(in: 0..<3000)))
                        task.cancel()
                    }
                    outcomes.record(path, await task.value)
                }
            }
            if let racing {
                try? await Task.sleep(for: .milliseconds(2))
                await racing.close()
            }
        }
    }
    await client.close()
    // TLS connections wait up to a second for the server's close_notify before their sockets go.
    try await Task.sleep(for: .milliseconds(1500))
    _ = malloc_trim(0)
    print(
        "fds=\(baselineFDs)->\(openFileDescriptors()) rss=\(baselineRSS)->\(Memory.status("VmRSS")) \(outcomes.summary) \(events.summary)")
}

/// glibc's: gives freed memory back to the system, so resident memory shows what is held.
@_silgen_name("malloc_trim")
func malloc_trim(_ pad: Int) -> Int32

/// What the requests ended in, per path.
final class Outcomes: Sendable {
    private let counts = Mutex<[String: Int]>([:])
    func record(_ path: String, _ outcome: String) {
        counts.withLock { $0["\(path):\(String(outcome.map { $0 == " " ? "_" : $0 }))", default: 0] += 1 }
    }
    var summary: String {
        counts.withLock { $0 }.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
    }
}

/// The open file descriptors of this process (Linux), listed on standard error when
/// `HTTPX_PROBE_LIST_FDS` is set.

func openFileDescriptors() -> Int {
    guard let directory = opendir("/proc/self/fd") else { return -1 }
    defer { closedir(directory) }
    var count = 0
    let list = getenv("HTTPX_PROBE_LIST_FDS") != nil
    while let entry = readdir(directory) {
        count += 1
        if list {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            var target = [CChar](repeating: 0, count: 256)
            let length = readlink("/proc/self/fd/" + name, &target, 255)
            let line = "fd \(name) -> \(length > 0 ? String(decoding: target.prefix(length).map { UInt8(bitPattern: $0) }, as: UTF8.self) : "?")\n"
            _ = line.utf8CString.withUnsafeBufferPointer { write(2, $0.baseAddress, $0.count - 1) }
        }
    }
    return count - 3  // ".", ".." and the directory's own descriptor
}

/// How many connection events of each kind the pool logged (`conn.opened=12` ...).
final class EventCounts: Sendable {
    private let counts = Mutex<[String: Int]>([:])
    func record(_ message: String) {
        let kind: String
        if message.contains("GOAWAY") { kind = "conn.drained" }
        else if message.hasPrefix("Connection") && message.contains(" opened") { kind = "conn.opened" }
        else if message.hasPrefix("Connection") && message.contains("failed") { kind = "conn.failed" }
        else if message.hasPrefix("Connection") && message.contains("closed") { kind = "conn.closed" }
        else if message.hasPrefix("Sending again") || message.contains("sent again") { kind = "sent-again" }
        else { return }
        counts.withLock { $0[kind, default: 0] += 1 }
    }
    var summary: String {
        counts.withLock { $0.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ") }
    }
}

struct CountingLogHandler: LogHandler {
    let counts: EventCounts
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .debug

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        counts.record(event.message.description)
    }
}
