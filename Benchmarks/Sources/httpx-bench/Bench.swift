// Runs swift-httpx and AsyncHTTPClient side by side against a local nginx and prints a table.
//
// Usage: httpx-bench NGINX_BASE_URL [--seconds N]
// (Benchmarks/run.sh starts nginx and passes its URL.)
import AsyncHTTPClient
import HTTPX
import NIOCore
import NIOSSL
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

let concurrency = 32

/// One client under test: the four operations the scenarios need.
protocol Contender: Sendable {
    var name: String { get }
    func get(_ url: String) async throws -> Int
    func post(_ url: String, body: [UInt8]) async throws -> Int
    func shutdown() async throws
}

struct HTTPXContender: Contender {
    let name = "swift-httpx"
    let client: AsyncClient

    init(caBundle: String?, http2: Bool = false, proxy: String? = nil, mode: Proxy.Mode = .default) {
        client = AsyncClient(
            timeout: Timeout(30), limits: Limits(maxConnections: concurrency, maxKeepaliveConnections: concurrency),
            verify: caBundle.map { .caBundle($0) } ?? .system, http2: http2,
            proxies: proxy.map { Proxies(Proxy($0, mode: mode)) } ?? Proxies.none)
    }

    func get(_ url: String) async throws -> Int {
        try await client.get(url).contentBuffer.readableBytes
    }

    func post(_ url: String, body: [UInt8]) async throws -> Int {
        try await client.post(url, content: .bytes(body)).contentBuffer.readableBytes
    }

    func shutdown() async throws { await client.close() }
}

struct AHCContender: Contender {
    let name = "AsyncHTTPClient"
    let client: HTTPClient

    init(caBundle: String?, http2: Bool = false, proxy: String? = nil) {
        var configuration = HTTPClient.Configuration()
        if let proxy, let url = try? HTTPURL(proxy), let port = url.port {
            configuration.proxy = .server(host: url.host, port: port)
        }
        configuration.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = concurrency
        configuration.decompression = .enabled(limit: .none)
        if let caBundle {
            var tls = TLSConfiguration.makeClientConfiguration()
            tls.trustRoots = .file(caBundle)
            configuration.tlsConfiguration = tls
        }
        configuration.httpVersion = http2 ? .automatic : .http1Only
        client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }

    func get(_ url: String) async throws -> Int {
        let response = try await client.execute(HTTPClientRequest(url: url), timeout: .seconds(30))
        return try await response.body.collect(upTo: 1 << 30).readableBytes
    }

    func post(_ url: String, body: [UInt8]) async throws -> Int {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.body = .bytes(body)
        let response = try await client.execute(request, timeout: .seconds(30))
        return try await response.body.collect(upTo: 1 << 30).readableBytes
    }

    func shutdown() async throws { try await client.shutdown() }
}

/// User and system CPU time of this process, in seconds.
func cpuTime() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec)
        + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
}

func residentMemory() -> Int {
    #if os(Linux)
    guard let file = fopen("/proc/self/statm", "r") else { return 0 }
    defer { fclose(file) }
    var size = 0
    var resident = 0
    _ = withUnsafeMutablePointer(to: &size) { sizePointer in
        withUnsafeMutablePointer(to: &resident) { residentPointer in
            withVaList([sizePointer, residentPointer]) { vfscanf(file, "%ld %ld", $0) }
        }
    }
    return resident * Int(sysconf(Int32(_SC_PAGESIZE)))
    #else
    return 0
    #endif
}

/// Counts operations of `workers` loops for `duration`; returns operations per second.
/// CPU time per operation of the last `rate` run, in microseconds.
let lastCPUPerOperation = Mutex<Double>(0)

func rate(workers: Int, duration: Duration, _ operation: @escaping @Sendable () async throws -> Void) async throws -> Double {
    let cpuStart = cpuTime()
    let clock = ContinuousClock()
    let deadline = clock.now + duration
    let start = clock.now
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
    let cpu = cpuTime() - cpuStart
    lastCPUPerOperation.withLock { $0 = total > 0 ? cpu / Double(total) * 1e6 : 0 }
    return Double(total) / (Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
}

struct Scenario {
    let name: String
    let unit: String
    var http2 = false
    /// Whether the contenders send through the proxy given with `--proxy`; with `tunnelled`,
    /// swift-httpx tunnels http:// URLs too (AsyncHTTPClient always does).
    var proxied = false
    var tunnelled = false
    let run: @Sendable (any Contender) async throws -> Double
}

@main
struct Bench {
    static func main() async throws {
        let arguments = CommandLine.arguments
        guard arguments.count >= 2 else {
            print("usage: httpx-bench NGINX_BASE_URL [--seconds N]")
            exit(2)
        }
        let base = arguments[1]
        let tlsBase = arguments.firstIndex(of: "--tls").map { arguments[$0 + 1] }
        let caBundle = arguments.firstIndex(of: "--ca").map { arguments[$0 + 1] }
        let seconds = arguments.firstIndex(of: "--seconds").flatMap { Double(arguments[$0 + 1]) } ?? 3
        let duration = Duration.milliseconds(Int64(seconds * 1000))

        let smallURL = base + "/1k.bin"
        let largeURL = base + "/64m.bin"
        let uploadURL = base + "/upload"
        let upload = [UInt8](repeating: 0x42, count: 1 << 20)

        var scenarios: [Scenario] = [
            Scenario(name: "A  sequential GET 1 KiB, keep-alive", unit: "req/s") { contender in
                try await rate(workers: 1, duration: duration) { _ = try await contender.get(smallURL) }
            },
            Scenario(name: "B  32 concurrent GETs 1 KiB", unit: "req/s") { contender in
                try await rate(workers: concurrency, duration: duration) { _ = try await contender.get(smallURL) }
            },
            Scenario(name: "C  download 64 MiB", unit: "MB/s") { contender in
                let downloads = try await rate(workers: 1, duration: duration) {
                    let count = try await contender.get(largeURL)
                    guard count == 64 << 20 else { throw HTTPXError(.decoding, "short download: \(count)") }
                }
                return downloads * Double(64 << 20) / 1_000_000
            },
            Scenario(name: "D  sequential POST 1 MiB", unit: "req/s") { contender in
                try await rate(workers: 1, duration: duration) { _ = try await contender.post(uploadURL, body: upload) }
            },
        ]
        if let tlsBase {
            let tlsSmall = tlsBase + "/1k.bin"
            scenarios.append(Scenario(name: "E  32 concurrent GETs 1 KiB, HTTPS/1.1", unit: "req/s") { contender in
                try await rate(workers: concurrency, duration: duration) { _ = try await contender.get(tlsSmall) }
            })
            scenarios.append(Scenario(name: "F  32 concurrent GETs 1 KiB, HTTP/2", unit: "req/s", http2: true) { contender in
                try await rate(workers: concurrency, duration: duration) { _ = try await contender.get(tlsSmall) }
            })
            let tlsLarge = tlsBase + "/64m.bin"
            for (name, http2) in [("G  download 64 MiB, HTTP/2", true), ("H  download 64 MiB, HTTPS/1.1", false)] {
                // H is G over HTTP/1.1: one HTTP/2 download should run at its speed.
                scenarios.append(Scenario(name: name, unit: "MB/s", http2: http2) { contender in
                    let downloads = try await rate(workers: 1, duration: duration) {
                        let count = try await contender.get(tlsLarge)
                        guard count == 64 << 20 else { throw HTTPXError(.decoding, "short download: \(count)") }
                    }
                    return downloads * Double(64 << 20) / 1_000_000
                })
            }
        }

        let proxy = arguments.firstIndex(of: "--proxy").map { arguments[$0 + 1] }
        if proxy != nil {
            // P1/P2: through squid, forwarding http:// and tunnelling https:// (CONNECT); P3 is P1
            // with http:// tunnelled too, as AsyncHTTPClient sends it.
            scenarios.append(Scenario(name: "P1 32 concurrent GETs 1 KiB, via proxy", unit: "req/s", proxied: true) { contender in
                try await rate(workers: concurrency, duration: duration) { _ = try await contender.get(smallURL) }
            })
            if let tlsBase {
                let tlsSmall = tlsBase + "/1k.bin"
                scenarios.append(Scenario(name: "P2 32 concurrent GETs 1 KiB, CONNECT", unit: "req/s", proxied: true) { contender in
                    try await rate(workers: concurrency, duration: duration) { _ = try await contender.get(tlsSmall) }
                })
            }
            scenarios.append(Scenario(
                name: "P3 P1 with mode .tunnelOnly", unit: "req/s", proxied: true, tunnelled: true
            ) { contender in
                try await rate(workers: concurrency, duration: duration) { _ = try await contender.get(smallURL) }
            })
        }

        func format(_ value: Double) -> String {
            let rounded = (value * 10).rounded() / 10
            return rounded >= 100 ? String(Int(rounded)) : String(rounded)
        }

        func format2(_ value: Double) -> String {
    let rounded = (value * 100).rounded() / 100
    return String(rounded)
}

func pad(_ text: String, _ width: Int) -> String {
            text + String(repeating: " ", count: max(0, width - text.count))
        }

        let only = arguments.firstIndex(of: "--only").map { arguments[$0 + 1] }
        let onlyClient = arguments.firstIndex(of: "--client").map { arguments[$0 + 1] }
        let contenders: [any Contender] = [HTTPXContender(caBundle: caBundle), AHCContender(caBundle: caBundle)]
        let http2Contenders: [any Contender] = [
            HTTPXContender(caBundle: caBundle, http2: true), AHCContender(caBundle: caBundle, http2: true),
        ]
        let proxyContenders: [any Contender] = [
            HTTPXContender(caBundle: caBundle, proxy: proxy), AHCContender(caBundle: caBundle, proxy: proxy),
        ]
        let tunnelContenders: [any Contender] = [
            HTTPXContender(caBundle: caBundle, proxy: proxy, mode: .tunnelOnly), proxyContenders[1],
        ]
        if proxy != nil {
            for contender in proxyContenders + [tunnelContenders[0]] {
                for _ in 0..<50 { _ = try await contender.get(smallURL) }
                if let tlsBase { for _ in 0..<50 { _ = try await contender.get(tlsBase + "/1k.bin") } }
            }
        }
        // Warm up both: connections, caches, code paths.
        for contender in contenders {
            for _ in 0..<200 { _ = try await contender.get(smallURL) }
            _ = try await contender.get(largeURL)
            _ = try await contender.post(uploadURL, body: upload)
            if let tlsBase { for _ in 0..<50 { _ = try await contender.get(tlsBase + "/1k.bin") } }
        }
        if let tlsBase {
            for contender in http2Contenders {
                for _ in 0..<50 { _ = try await contender.get(tlsBase + "/1k.bin") }
                _ = try await contender.get(tlsBase + "/64m.bin")
            }
        }

        let rounds = arguments.firstIndex(of: "--rounds").flatMap { Int(arguments[$0 + 1]) } ?? 3
        print("Each figure: the median of \(rounds) rounds of \(format(seconds)) s per scenario and client, taking turns,")
        print("against nginx on loopback, with at most \(concurrency) connections per client.")
        print("")
        print(pad("scenario", 40) + pad("swift-httpx", 14) + pad("AsyncHTTPClient", 17) + pad("ratio", 8) + pad("RSS growth", 16) + "CPU per op (httpx / AHC)")
        for scenario in scenarios where only == nil || scenario.name.hasPrefix(only ?? "") {
            var samples: [[Double]] = Array(repeating: [], count: contenders.count)
            var growth = Array(repeating: 0, count: contenders.count)
            var cpu: [[Double]] = Array(repeating: [], count: contenders.count)
            for round in 0..<rounds {
                // Alternate who goes first, so neither gains from the other's warm-up.
                let order = round % 2 == 0 ? Array(contenders.indices) : Array(contenders.indices.reversed())
                for index in order {
                    let contender = scenario.tunnelled ? tunnelContenders[index]
                        : scenario.proxied ? proxyContenders[index]
                        : scenario.http2 ? http2Contenders[index] : contenders[index]
                    if let onlyClient, contender.name != onlyClient { continue }
                    let before = residentMemory()
                    let peak = Mutex(before)
                    let sampler = Task {
                        while !Task.isCancelled {
                            let now = residentMemory()
                            peak.withLock { $0 = max($0, now) }
                            try? await Task.sleep(for: .milliseconds(10))
                        }
                    }
                    samples[index].append(try await scenario.run(contender))
                    cpu[index].append(lastCPUPerOperation.withLock { $0 })
                    sampler.cancel()
                    growth[index] = max(growth[index], peak.withLock { $0 } - before)
                }
            }
            let results = samples.map { values in values.isEmpty ? 0 : values.sorted()[values.count / 2] }
            let cpuMedians = cpu.map { values in values.isEmpty ? 0 : values.sorted()[values.count / 2] }
            let ratio = results[1] > 0 ? results[0] / results[1] : 0
            print(
                pad(scenario.name, 40) + pad("\(format(results[0])) \(scenario.unit)", 14)
                    + pad("\(format(results[1])) \(scenario.unit)", 17) + pad("\(String(format2(ratio)))x", 8)
                    + pad("\(growth[0] >> 20) / \(growth[1] >> 20) MiB", 16)
                    + "\(Int(cpuMedians[0])) / \(Int(cpuMedians[1])) µs")
        }
        if only == nil || only == "K" {
            // K: creating clients must be cheap: no CA bundle parse per client (contexts are cached).
            let count = 1000
            func perClient(_ duration: Duration) -> String {
                let micros = Double(duration.components.seconds) * 1e6 + Double(duration.components.attoseconds) / 1e12
                return format(micros / Double(count)) + " µs"
            }
            for withRequest in [false, true] where !withRequest || tlsBase != nil {
                let clock = ContinuousClock()
                var start = clock.now
                for _ in 0..<count {
                    let client = AsyncClient(verify: caBundle.map { .caBundle($0) } ?? .system)
                    if withRequest, let tlsBase { _ = try await client.get(tlsBase + "/1k.bin") }
                    await client.close()
                }
                let ours = clock.now - start
                start = clock.now
                for _ in 0..<count {
                    var configuration = HTTPClient.Configuration()
                    if let caBundle {
                        var tls = TLSConfiguration.makeClientConfiguration()
                        tls.trustRoots = .file(caBundle)
                        configuration.tlsConfiguration = tls
                    }
                    let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
                    if withRequest, let tlsBase {
                        _ = try await client.execute(HTTPClientRequest(url: tlsBase + "/1k.bin"), timeout: .seconds(30))
                    }
                    try await client.shutdown()
                }
                let theirs = clock.now - start
                let name = withRequest ? "K2 new client + 1 HTTPS GET, x1000" : "K1 create + close a client, x1000"
                print(pad(name, 40) + pad(perClient(ours), 14) + pad(perClient(theirs), 17)
                    + "\(format2(theirs / ours))x (time per client; lower is better)")
            }
        }
        for contender in contenders + http2Contenders + proxyContenders + [tunnelContenders[0]] {
            try await contender.shutdown()
        }

    }
}
