/// Where the servers are, from `Benchmarks/run.sh`.
struct Servers: Sendable {
    var plain: String
    var tls: String?
    var caBundle: String?
    var proxy: String?
}

/// One benchmark: what each client does in a loop, how it reaches nginx, and how to measure
/// the server's own limit for it (wrk for HTTP/1.1, h2load for HTTP/2).
struct Scenario: Sendable {
    enum Operation: Sendable {
        case get(String)
        case post(String)
    }

    enum LimitTool: Sendable {
        case wrk(connections: Int, post: Bool)
        case h2load(streams: Int, post: Bool)
    }

    let code: String
    let title: String
    let route: Route
    let workers: Int
    let operation: Operation
    /// The bytes an operation moves, when the figure is MB/s rather than requests/s.
    var bytesPerOperation: Int?
    var limit: LimitTool?

    var name: String { code + String(repeating: " ", count: max(1, 3 - code.count)) + title }
    var unit: String { bytesPerOperation == nil ? "req/s" : "MB/s" }

    static let uploadSize = 1 << 20
    static let largeSize = 64 << 20

    /// The scenarios the servers at hand allow, in the order they run.
    static func all(_ servers: Servers) -> [Scenario] {
        let plain = servers.plain
        var list = [
            Scenario(
                code: "A", title: "sequential GET 1 KiB, keep-alive", route: .plain, workers: 1,
                operation: .get(plain + "/1k.bin"), limit: .wrk(connections: 1, post: false)),
            Scenario(
                code: "B", title: "32 concurrent GETs 1 KiB", route: .plain, workers: concurrency,
                operation: .get(plain + "/1k.bin"), limit: .wrk(connections: concurrency, post: false)),
            Scenario(
                code: "C", title: "download 64 MiB, streamed", route: .plain, workers: 1,
                operation: .get(plain + "/64m.bin"), bytesPerOperation: largeSize, limit: .wrk(connections: 1, post: false)),
            Scenario(
                code: "D", title: "sequential POST 1 MiB", route: .plain, workers: 1,
                operation: .post(plain + "/upload"), limit: .wrk(connections: 1, post: true)),
        ]
        if let tls = servers.tls {
            list += [
                Scenario(
                    code: "A2", title: "A over HTTPS + HTTP/2", route: .http2, workers: 1,
                    operation: .get(tls + "/1k.bin"), limit: .h2load(streams: 1, post: false)),
                Scenario(
                    code: "B2", title: "B over HTTPS + HTTP/2", route: .http2, workers: concurrency,
                    operation: .get(tls + "/1k.bin"), limit: .h2load(streams: concurrency, post: false)),
                Scenario(
                    code: "C2", title: "C over HTTPS + HTTP/2", route: .http2, workers: 1,
                    operation: .get(tls + "/64m.bin"), bytesPerOperation: largeSize, limit: .h2load(streams: 1, post: false)),
                Scenario(
                    code: "D2", title: "D over HTTPS + HTTP/2", route: .http2, workers: 1,
                    operation: .post(tls + "/upload"), limit: .h2load(streams: 1, post: true)),
                Scenario(
                    code: "E", title: "B over HTTPS/1.1", route: .tls, workers: concurrency,
                    operation: .get(tls + "/1k.bin"), limit: .wrk(connections: concurrency, post: false)),
                Scenario(
                    code: "H", title: "C over HTTPS/1.1", route: .tls, workers: 1,
                    operation: .get(tls + "/64m.bin"), bytesPerOperation: largeSize, limit: .wrk(connections: 1, post: false)),
            ]
        }
        if servers.proxy != nil {
            // Through squid: forwarding http:// (P1), tunnelling https:// with CONNECT (P2),
            // and P1 with http:// tunnelled too, as AsyncHTTPClient sends it (P3).
            list.append(Scenario(
                code: "P1", title: "B via a forwarding proxy", route: .proxy, workers: concurrency,
                operation: .get(plain + "/1k.bin")))
            if let tls = servers.tls {
                list.append(Scenario(
                    code: "P2", title: "B over HTTPS via CONNECT", route: .proxy, workers: concurrency,
                    operation: .get(tls + "/1k.bin")))
            }
            list.append(Scenario(
                code: "P3", title: "P1 with mode .tunnelOnly", route: .tunnel, workers: concurrency,
                operation: .get(plain + "/1k.bin")))
        }
        return list
    }

    /// Runs the scenario once with `contender` for `duration`; the figure is in ``unit``.
    func run(_ contender: any Contender, duration: Duration) async throws -> Measurement {
        let upload = [UInt8](repeating: 0x42, count: Self.uploadSize)
        let expected = bytesPerOperation
        let operation = self.operation
        var result = try await measure(workers: workers, duration: duration) {
            switch operation {
            case .get(let url):
                let count = try await contender.get(url)
                if let expected, count != expected { throw BenchError("short download: \(count) of \(expected) bytes") }
            case .post(let url):
                _ = try await contender.post(url, body: upload)
            }
        }
        if let bytes = bytesPerOperation { result.rate *= Double(bytes) / 1_000_000 }
        return result
    }
}

struct BenchError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
