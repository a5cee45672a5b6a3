// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "swift-httpx",
    platforms: [.macOS(.v15), .iOS(.v18), .tvOS(.v18), .watchOS(.v11)],
    products: [
        .library(name: "HTTPX", targets: ["HTTPX"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-nio-http2.git", from: "1.46.0"),
        .package(url: "https://github.com/apple/swift-crypto.git", "3.12.3"..<"5.0.0"),
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
        .testTarget(
            name: "HTTPXTests",
            dependencies: [
                "HTTPX", "CHTTPXZlib",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOHTTP2", package: "swift-nio-http2"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)
