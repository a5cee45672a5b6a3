#!/usr/bin/env bash
# Builds the benchmarks in release and runs them against a local nginx, through squid for the
# P scenarios (started and stopped here), with wrk and h2load as the limit columns:
#   bash Benchmarks/run.sh [--seconds N] [--rounds N] [--only A,B,B2,K,...]
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/interop/setup.sh
for tool in wrk:wrk h2load:nghttp2-client; do
    if ! command -v "${tool%%:*}" >/dev/null 2>&1; then
        echo "bench: installing ${tool#*:} with apt-get" >&2
        apt-get install -y -qq "${tool#*:}" >/dev/null
    fi
done
trap 'bash scripts/interop/stop.sh' EXIT
bash scripts/interop/start.sh
. .interop/env
swift build -c release --package-path Benchmarks --scratch-path .build-bench --product httpx-bench
# As the issues measure: the peers (nginx, squid and their workers) on core 0, the client on core 1.
pin=()
if command -v taskset >/dev/null 2>&1 && [ "$(nproc)" -ge 2 ]; then
    for process in nginx squid; do
        for pid in $(pgrep -x "$process"); do taskset -acp 0 "$pid" >/dev/null; done
    done
    pin=(taskset -c 1)
fi
"${pin[@]}" .build-bench/release/httpx-bench "$HTTPX_INTEROP_NGINX" --tls "$HTTPX_INTEROP_TLS" --ca "$HTTPX_INTEROP_CERTS/ca.pem" \
    --proxy "$HTTPX_INTEROP_SQUID" --rounds 5 --seconds 2 "$@"
