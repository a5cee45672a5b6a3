// swift-tools-version:6.0
//
// libFuzzer targets for the parsers of swift-httpx that a server or a user controls.
//
// Build (Linux, swift.org toolchain), from this folder:
//
//     swift build -c debug -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library
//
// or run everything with `bash scripts/fuzz.sh` from the repository root. See docs/fuzzing.md.
import PackageDescription

/// One executable per parser; each defines `LLVMFuzzerTestOneInput`.
let fuzzTargets = [
    "FuzzURL",
    "FuzzSetCookie",
    "FuzzNetrc",
    "FuzzAuthChallenge",
    "FuzzLinkHeader",
    "FuzzContentType",
    "FuzzMultipart",
    "FuzzHTTP1Response",
    "FuzzContentDecoding",
    "FuzzProxyHandshake",
]

let package = Package(
    name: "swift-httpx-fuzzing",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "swift-httpx", path: ".."),
        // The same URL as the root package's, so both resolve to one checkout.
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
    ],
    targets: [
        .target(
            name: "FuzzSupport",
            dependencies: [.product(name: "NIOCore", package: "swift-nio")]
        )
    ]
        + fuzzTargets.map { name in
            .executableTarget(
                name: name,
                dependencies: [
                    "FuzzSupport",
                    .product(name: "HTTPX", package: "swift-httpx"),
                    .product(name: "NIOCore", package: "swift-nio"),
                    .product(name: "NIOEmbedded", package: "swift-nio"),
                    .product(name: "NIOHTTP1", package: "swift-nio"),
                ]
            )
        },
    swiftLanguageModes: [.v6]
)
