import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// User and system CPU time of this process, in seconds.
func cpuTime() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec)
        + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
}

/// The peak resident memory of this process (Linux `VmHWM`), in bytes.
func peakResidentMemory() -> Int {
    guard let file = fopen("/proc/self/status", "r") else { return 0 }
    defer { fclose(file) }
    var line = [CChar](repeating: 0, count: 256)
    while fgets(&line, Int32(line.count), file) != nil {
        let text = String(decoding: line.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        if text.hasPrefix("VmHWM:") {
            let digits = text.filter(\.isNumber)
            return (Int(digits) ?? 0) * 1024
        }
    }
    return 0
}

/// What one timed run measured.
struct Measurement {
    /// Operations per second.
    var rate: Double
    /// CPU time per operation, in microseconds.
    var cpuPerOperation: Double
}

/// Runs `operation` in `workers` loops for `duration`; returns operations per second and
/// CPU per operation.
func measure(
    workers: Int, duration: Duration, _ operation: @escaping @Sendable () async throws -> Void
) async throws -> Measurement {
    let cpuStart = cpuTime()
    let clock = ContinuousClock()
    let start = clock.now
    let deadline = start + duration
    let total = try await withThrowingTaskGroup(of: Int.self) { group in
        for _ in 0..<workers {
            group.addTask {
                var count = 0
                while clock.now < deadline {
                    try await operation()
                    count += 1
                }
                return count
            }
        }
        return try await group.reduce(0, +)
    }
    let elapsed = clock.now - start
    let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    let cpu = cpuTime() - cpuStart
    return Measurement(rate: Double(total) / seconds, cpuPerOperation: total > 0 ? cpu / Double(total) * 1e6 : 0)
}
