// swift-tools-version:6.0
// The benchmarks: swift-httpx beside AsyncHTTPClient, in one run, against a local nginx.
// Not built by the tests. Run: bash Benchmarks/run.sh
import PackageDescription

let package = Package(
    name: "swift-httpx-benchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "swift-httpx", path: ".."),
        .package(url: "https://github.com/swift-server/async-http-client.git", exact: "1.37.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
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
    ],
    swiftLanguageModes: [.v6]
)
