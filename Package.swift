// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "swift-httpx",
    platforms: [.macOS(.v15), .iOS(.v18), .tvOS(.v18), .watchOS(.v11)],
    products: [
        .library(name: "HTTPX", targets: ["HTTPX"]),
        .library(name: "HTTPXHummingbird", targets: ["HTTPXHummingbird"]),
        .library(name: "HTTPXOpenAPI", targets: ["HTTPXOpenAPI"]),
        .library(name: "HTTPXWebSocket", targets: ["HTTPXWebSocket"]),
        .executable(name: "httpx", targets: ["HTTPXCLI"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-nio-http2.git", from: "1.46.0"),
        .package(url: "https://github.com/apple/swift-crypto.git", "3.12.3"..<"5.0.0"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-distributed-tracing.git", from: "1.7.3"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-openapi-runtime.git", from: "1.13.4"),
        .package(url: "https://github.com/hummingbird-project/swift-openapi-hummingbird.git", from: "2.1.0"),
        .package(url: "https://github.com/swiftlang/swift-docc-plugin.git", from: "1.5.0"),
        .package(url: "https://github.com/hummingbird-project/swift-websocket.git", from: "1.6.2"),
    ],
    targets: [
        .systemLibrary(name: "CHTTPXZlib", path: "Sources/CHTTPXZlib"),
        .target(
            name: "HTTPX",
            dependencies: [
                "CHTTPXZlib",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOTLS", package: "swift-nio"),
                .product(name: "NIOHTTP2", package: "swift-nio-http2"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ]
        ),
        .target(
            name: "HTTPXWebSocket",
            dependencies: [
                "HTTPX",
                .product(name: "WSCore", package: "swift-websocket"),
                .product(name: "WSCompression", package: "swift-websocket"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOWebSocket", package: "swift-nio"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "HTTPXHummingbird",
            dependencies: [
                "HTTPX",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
            ]
        ),
        .target(
            name: "HTTPXOpenAPI",
            dependencies: [
                "HTTPX",
                .product(name: "OpenAPIRuntime", package: "swift-openapi-runtime"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
            ]
        ),
        .executableTarget(
            name: "HTTPXCLI",
            dependencies: [
                "HTTPX",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "NIOCore", package: "swift-nio"),
            ]
        ),
        .executableTarget(
            name: "httpx-quickstart",
            dependencies: ["HTTPX"],
            path: "Examples/Quickstart"
        ),
        .executableTarget(
            name: "httpx-auth-examples",
            dependencies: ["HTTPX", .product(name: "Crypto", package: "swift-crypto")],
            path: "Examples/AuthExamples"
        ),
        .executableTarget(
            name: "httpx-memory-probe",
            dependencies: [
                "HTTPX", "HTTPXHummingbird", .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Tests/MemoryProbe"
        ),
        .testTarget(
            name: "HTTPXTests",
            dependencies: [
                "HTTPX", "CHTTPXZlib", "HTTPXWebSocket",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOHTTP2", package: "swift-nio-http2"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                .product(name: "InMemoryTracing", package: "swift-distributed-tracing"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "MetricsTestKit", package: "swift-metrics"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ],
            // Test data read from the source tree (the web-platform-tests URL cases).
            exclude: ["Data"]
        ),
        .testTarget(
            name: "HTTPXCLITests",
            dependencies: ["HTTPXCLI"]
        ),
        .testTarget(
            name: "HTTPXHummingbirdTests",
            dependencies: [
                "HTTPX", "HTTPXHummingbird",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
            ]
        ),
        .testTarget(
            name: "HTTPXOpenAPITests",
            dependencies: [
                "HTTPX", "HTTPXOpenAPI", "HTTPXHummingbird",
                .product(name: "OpenAPIRuntime", package: "swift-openapi-runtime"),
                .product(name: "OpenAPIHummingbird", package: "swift-openapi-hummingbird"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
            ],
            exclude: ["openapi.yaml", "openapi-generator-config.yaml"]
        ),
        .executableTarget(
            name: "httpx-resilience-example",
            dependencies: ["HTTPX"],
            path: "Examples/Resilience"
        ),
        .executableTarget(
            name: "httpx-events-example",
            dependencies: ["HTTPX"],
            path: "Examples/Events"
        ),
        .executableTarget(
            name: "httpx-cache-example",
            dependencies: ["HTTPX"],
            path: "Examples/Cache"
        ),
        .executableTarget(
            name: "httpx-websocket-example",
            dependencies: ["HTTPX", "HTTPXWebSocket"],
            path: "Examples/WebSocket"
        ),
        .executableTarget(
            name: "httpx-hummingbird-hello",
            dependencies: ["HTTPX", "HTTPXHummingbird", .product(name: "Hummingbird", package: "hummingbird")],
            path: "Examples/HummingbirdHello"
        ),
    ],
    swiftLanguageModes: [.v6]
)
