#!/usr/bin/env bash
# Regenerates the OpenAPI test client and server (Tests/HTTPXOpenAPITests/Generated) from
# Tests/HTTPXOpenAPITests/openapi.yaml with swift-openapi-generator. The generated code is
# committed, so builds and CI never run the generator; run this after changing the document.
set -euo pipefail
cd "$(dirname "$0")/.."
scratch=.build-openapi-gen
mkdir -p "$scratch/pkg"
cat > "$scratch/pkg/Package.swift" <<'SWIFT'
// swift-tools-version:6.0
import PackageDescription
let package = Package(
    name: "openapi-gen",
    dependencies: [.package(url: "https://github.com/apple/swift-openapi-generator.git", exact: "1.14.3")],
    targets: []
)
SWIFT
swift build -c release --package-path "$scratch/pkg" --product swift-openapi-generator
tests=Tests/HTTPXOpenAPITests
rm -rf "$tests/Generated"
"$scratch/pkg/.build/release/swift-openapi-generator" generate "$tests/openapi.yaml" \
    --config "$tests/openapi-generator-config.yaml" --output-directory "$tests/Generated"
