// Micro-benchmarks with ordo-one/benchmark: allocations, instructions and time per operation,
// against checked-in thresholds (Benchmarks/Thresholds). Run from Benchmarks/:
//
//     swift package --scratch-path ../.build-micro benchmark                     # all
//     swift package --scratch-path ../.build-micro benchmark thresholds check    # against the thresholds
//
// The loopback benchmarks need HTTPX_BENCH_URL (nginx's base URL; `bash Benchmarks/micro.sh`
// starts nginx and sets it) and compare swift-httpx with AsyncHTTPClient on the same request.
import AsyncHTTPClient
import Benchmark
import Foundation
import HTTPX
import NIOCore

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.mallocCountTotal, .instructions, .wallClock],
        warmupIterations: 100,
        scalingFactor: .one,
        maxDuration: .seconds(2),
        maxIterations: 20_000,
        thresholds: [
            .mallocCountTotal: .init(relative: [.p50: 5.0], absolute: [.p50: 2]),
            .instructions: .init(relative: [.p50: 10.0]),
        ])

    // MARK: Building blocks

    Benchmark("URL parsing") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(try HTTPURL("https://user:secret@api.example.com:8443/v1/items/42?page=2&sort=name#top"))
        }
    }

    Benchmark("Header building, 8 fields, merged and read") { benchmark in
        let defaults: Headers = ["User-Agent": "python-httpx/0.28.1", "Accept": "*/*", "Accept-Encoding": "gzip, deflate"]
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            var headers: Headers = [
                "Authorization": "Bearer abc", "Content-Type": "application/json", "X-Request-ID": "1234",
                "Accept": "application/json", "Cache-Control": "no-cache",
            ]
            headers = defaults.merging(headers)
            blackHole(headers["content-type"])
            blackHole(headers.values(for: "accept"))
        }
    }

    Benchmark("Cookie matching, 50 cookies over 5 domains") { benchmark in
        var jar = Cookies()
        for index in 0..<50 {
            jar.set("cookie\(index)", "value\(index)", domain: "host\(index % 5).example.com", path: index % 2 == 0 ? "/" : "/api")
        }
        let url = try HTTPURL("https://host3.example.com/api/items")
        let now = Date()
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            blackHole(jar.header(for: url, now: now))
        }
    }

    Benchmark("GET through the client with an in-memory transport") { benchmark in
        let client = AsyncClient(.init(transport: MockTransport { _ in Response(200, text: "hello") }))
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            blackHole(try await client.get("https://example.com/items?page=1").text)
        }
        benchmark.stopMeasurement()
        await client.close()
    }

    // MARK: Over loopback, beside AsyncHTTPClient

    guard let base = ProcessInfo.processInfo.environment["HTTPX_BENCH_URL"] else { return }
    let small = base + "/1k.bin"
    let upload = base + "/upload"
    let body = [UInt8](repeating: 0x42, count: 1024)
    let loopback = Benchmark.Configuration(
        metrics: [.mallocCountTotal, .instructions, .wallClock, .throughput], warmupIterations: 200,
        maxDuration: .seconds(3), maxIterations: 20_000,
        thresholds: [
            .mallocCountTotal: .init(relative: [.p50: 5.0], absolute: [.p50: 5]),
            .instructions: .init(relative: [.p50: 15.0]),
        ])

    let httpx = AsyncClient()
    Benchmark("Loopback keep-alive GET 1 KiB, swift-httpx", configuration: loopback) { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(try await httpx.get(small).contentBuffer.readableBytes)
        }
    }
    Benchmark("Loopback keep-alive POST 1 KiB, swift-httpx", configuration: loopback) { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(try await httpx.post(upload, content: .bytes(body)).contentBuffer.readableBytes)
        }
    }

    let ahc = HTTPClient(eventLoopGroupProvider: .singleton)
    Benchmark("Loopback keep-alive GET 1 KiB, AsyncHTTPClient", configuration: loopback) { benchmark in
        for _ in benchmark.scaledIterations {
            let response = try await ahc.execute(HTTPClientRequest(url: small), timeout: .seconds(30))
            blackHole(try await response.body.collect(upTo: 1 << 20).readableBytes)
        }
    }
    Benchmark("Loopback keep-alive POST 1 KiB, AsyncHTTPClient", configuration: loopback) { benchmark in
        for _ in benchmark.scaledIterations {
            var request = HTTPClientRequest(url: upload)
            request.method = .POST
            request.body = .bytes(body)
            let response = try await ahc.execute(request, timeout: .seconds(30))
            blackHole(try await response.body.collect(upTo: 1 << 20).readableBytes)
        }
    }
}
