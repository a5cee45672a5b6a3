#!/usr/bin/env bash
# Runs the whole test suite: `bash scripts/test.sh` (what CI runs through .ci/run).
set -euo pipefail
cd "$(dirname "$0")/.."

# Interop peers (httpbin, nginx) are installed and started here once the network transport
# lands; the suite today is hermetic.
exec swift test --parallel
