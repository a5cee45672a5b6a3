#!/usr/bin/env bash
# Builds the benchmarks in release and runs them against a local nginx (started and stopped
# here): bash Benchmarks/run.sh [--seconds N] [--rounds N] [--only A..H|K]
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/interop/setup.sh
trap 'bash scripts/interop/stop.sh' EXIT
bash scripts/interop/start.sh
. .interop/env
swift build -c release --package-path Benchmarks --scratch-path .build-bench --product httpx-bench
.build-bench/release/httpx-bench "$HTTPX_INTEROP_NGINX" --tls "$HTTPX_INTEROP_TLS" --ca "$HTTPX_INTEROP_CERTS/ca.pem" "$@"
