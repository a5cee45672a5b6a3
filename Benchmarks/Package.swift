// swift-tools-version:6.1
// The benchmarks, not built by the tests:
// - httpx-bench: swift-httpx beside AsyncHTTPClient in one run against a local nginx
//   (bash Benchmarks/run.sh);
// - HTTPXMicro: allocations and instructions per operation with ordo-one/benchmark, against
//   checked-in thresholds (bash Benchmarks/micro.sh).
import PackageDescription

let package = Package(
    name: "swift-httpx-benchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "swift-httpx", path: ".."),
        .package(url: "https://github.com/swift-server/async-http-client.git", exact: "1.37.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/ordo-one/benchmark.git", from: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: [
        .executableTarget(
            name: "httpx-bench",
            dependencies: [
                .product(name: "HTTPX", package: "swift-httpx"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ]
        ),
        .executableTarget(
            name: "HTTPXMicro",
            dependencies: [
                .product(name: "HTTPX", package: "swift-httpx"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Benchmark", package: "benchmark"),
            ],
            path: "Benchmarks/HTTPXMicro",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
    ],
    swiftLanguageModes: [.v6]
)
