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
    // For diagnosis: HTTPX_PROBE_TRACE gives requests that nginx answers at once a 5 s read
    // timeout and prints the trace of those that took over a second.
    let slowTraces = getenv("HTTPX_PROBE_TRACE") != nil ? SlowTraces() : nil
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
                    let timeline = Timeline()
                    defer { if path == "/1k.bin" { slowTraces?.consider(timeline) } }
                    do {
                        var extensions = RequestExtensions()
                        if slowTraces != nil { extensions.trace = { timeline.add($0) } }
                        let timeout: Timeout? = slowTraces != nil && path == "/1k.bin" ? Timeout(10, read: 5) : nil
                        let response = try await target.get(path, timeout: timeout, extensions: extensions)
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
    slowTraces?.report()
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
        if Self.echo {
            let line = "\(ContinuousClock.now) \(event.message) \(event.metadata ?? [:])\n"
            _ = line.utf8CString.withUnsafeBufferPointer { write(2, $0.baseAddress, $0.count - 1) }
        }
    }

    /// For diagnosis: HTTPX_PROBE_LOG prints the pool's debug log on standard error.
    static let echo = getenv("HTTPX_PROBE_LOG") != nil
}

/// One request's trace events with the time since it started.
final class Timeline: Sendable {
    private let start = ContinuousClock.now
    private let events = Mutex<[(Duration, String)]>([])
    func add(_ event: TraceEvent) {
        let now = ContinuousClock.now
        events.withLock { $0.append((now - start, "\(event.name) \(event)")) }
    }
    var elapsed: Duration { ContinuousClock.now - start }
    var lines: [String] {
        events.withLock { $0 }.map { "  +\(Int($0.0 / .milliseconds(1))) ms \($0.1)" }
    }
}

/// The requests that took more than a second, counted, and the first few traces.
final class SlowTraces: Sendable {
    private let state = Mutex<(count: Int, over5: Int, samples: [String])>((0, 0, []))
    func consider(_ timeline: Timeline) {
        let elapsed = timeline.elapsed
        guard elapsed > .seconds(1) else { return }
        state.withLock {
            $0.count += 1
            if elapsed > .seconds(5) { $0.over5 += 1 }
            if $0.samples.count < 12 {
                $0.samples.append("took \(Int(elapsed / .milliseconds(1))) ms:\n" + timeline.lines.joined(separator: "\n"))
            }
        }
    }
    func report() {
        let (count, over5, samples) = state.withLock { ($0.count, $0.over5, $0.samples) }
        var text = "slow /1k.bin requests: \(count) over 1 s, \(over5) over 5 s\n" + samples.joined(separator: "\n") + "\n"
        _ = text.withUTF8 { write(2, $0.baseAddress, $0.count) }
    }
}
