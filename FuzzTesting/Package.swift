// swift-tools-version:5.4
//
// libFuzzer targets for the parsers of swift-httpx that a server or a user controls.
//
// Build (Linux, swift.org toolchain), from this folder:
//
//     swift build -c debug -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library
//
// or run everything with `bash scripts/fuzz.sh` from the repository root. See docs/fuzzing.md.
//
// The tools version is 5.4 on purpose: from 5.5 on, SwiftPM renames an executable's entry
// point to `<Target>_main` and links `main` to it, which a `-parse-as-library` target does not
// define, so the link fails; libFuzzer must provide `main` itself. Swift 6 language mode is
// asked for with `-swift-version 6` instead of `swiftLanguageModes`.
import PackageDescription

let swift6: [SwiftSetting] = [.unsafeFlags(["-swift-version", "6"])]

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
    platforms: [.macOS("15.0")],
    dependencies: [
        .package(name: "swift-httpx", path: ".."),
        // The same URL as the root package's, so both resolve to one checkout.
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
    ],
    targets: [
        .target(
            name: "FuzzSupport",
            dependencies: [.product(name: "NIOCore", package: "swift-nio")],
            swiftSettings: swift6
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
                ],
                swiftSettings: swift6
            )
        }
)
