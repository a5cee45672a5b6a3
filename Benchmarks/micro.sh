#!/usr/bin/env bash
# Runs the ordo-one/benchmark micro-benchmarks (Benchmarks/Benchmarks/HTTPXMicro) in release,
# with nginx started for the loopback ones, pinned like run.sh:
#   bash Benchmarks/micro.sh                    # run and print
#   bash Benchmarks/micro.sh thresholds check   # fail if a metric is worse than Benchmarks/Thresholds
#   bash Benchmarks/micro.sh thresholds update  # record the current figures as the thresholds
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/interop/setup.sh
root=$(pwd)
trap 'bash "$root/scripts/interop/stop.sh"' EXIT
bash scripts/interop/start.sh
. .interop/env
export HTTPX_BENCH_URL="$HTTPX_INTEROP_NGINX"
pin=()
if command -v taskset >/dev/null 2>&1 && [ "$(nproc)" -ge 2 ]; then
    for pid in $(pgrep -x nginx); do taskset -acp 0 "$pid" >/dev/null; done
    pin=(taskset -c 1)
fi
cd Benchmarks
if [ "${1:-}" = thresholds ]; then
    "${pin[@]}" swift package --scratch-path ../.build-micro --disable-sandbox --allow-writing-to-package-directory \
        benchmark "$@" --path Thresholds --no-progress
else
    "${pin[@]}" swift package --scratch-path ../.build-micro --disable-sandbox benchmark --no-progress "$@"
fi
