// swift-tools-version:6.2
// End-to-end tracing with swift-otel, apart from the main package so that neither its users
// nor its own test build pull in swift-otel: `scripts/test.sh` runs it.
import PackageDescription

let package = Package(
    name: "httpx-otel-integration",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "swift-httpx", path: "../.."),
        // The OTLP/HTTP trait only: swift-otel 1.6 does not build on Linux with no trait (it
        // relies on Foundation arriving through one), and gRPC is not needed.
        .package(url: "https://github.com/swift-otel/swift-otel.git", from: "1.6.0", traits: ["OTLPHTTP"]),
        .package(url: "https://github.com/apple/swift-distributed-tracing.git", from: "1.7.3"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
    ],
    targets: [
        .testTarget(
            name: "OTelIntegrationTests",
            dependencies: [
                .product(name: "HTTPX", package: "swift-httpx"),
                .product(name: "OTel", package: "swift-otel"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        )
    ],
    swiftLanguageModes: [.v6]
)
