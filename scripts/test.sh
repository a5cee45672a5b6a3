#!/usr/bin/env bash
# Runs the whole test suite: `bash scripts/test.sh` (what CI runs through .ci/run).
#
# It installs and starts the interop peers (httpbin under gunicorn, nginx, squid, microsocks and
# Python's websockets) on loopback, runs every test against them, and stops them. If a peer
# cannot start, it fails.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/interop/setup.sh
trap 'bash scripts/interop/stop.sh' EXIT
bash scripts/interop/start.sh
set -a
. .interop/env
set +a
export HTTPX_INTEROP_REQUIRED=1
swift test --parallel --skip FaultLoadInteropTests --skip ProcessEnvironmentInteropTests
# The fault and load suite on its own: it measures timeouts, file descriptors and memory, which
# the other suites running in parallel on a small machine would blur.
swift test --skip-build --filter FaultLoadInteropTests
# The process environment suite sets variables that every client in the process (and every
# process it starts) reads, so it runs alone.
swift test --skip-build --filter ProcessEnvironmentInteropTests
# swift-otel end to end: a package of its own (IntegrationTests/OTel), so that the library and
# its test build do not depend on swift-otel.
swift test --package-path IntegrationTests/OTel --scratch-path .build-otel
# The runnable examples of docs/auth.md and the README's in-process section.
swift run --skip-build httpx-auth-examples
swift run --skip-build httpx-hummingbird-hello
# Retries and a deadline against a server that fails on purpose (the README's section).
swift run --skip-build httpx-resilience-example
# Server-sent events with a dropped stream resumed by Last-Event-ID, and an HTTP cache's miss,
# hit, revalidation and restart from disk (the README's sections), both against in-process apps.
swift run --skip-build httpx-events-example
swift run --skip-build httpx-cache-example
# A WebSocket chat with the Python websockets peer (the README's WebSockets section).
swift run --skip-build httpx-websocket-example "$HTTPX_INTEROP_WS/echo"
# The README quickstart as a program (Examples/Quickstart, over an in-memory httpbin); it exits
# non-zero when a step fails.
swift run --skip-build httpx-quickstart
# The DocC catalogs of the three libraries, with warnings as errors (every symbol link resolves).
bash scripts/docs.sh
# Every libFuzzer target of FuzzTesting/ for about 3 s each (docs/fuzzing.md); a crash fails
# the run.
bash scripts/fuzz.sh 3
