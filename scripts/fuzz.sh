#!/usr/bin/env bash
# Builds the libFuzzer targets of FuzzTesting/ and runs each for a bounded time:
#
#     bash scripts/fuzz.sh [seconds-per-target] [target...]
#
# Default: 60 seconds for each target, every target (FuzzTesting/Sources/Fuzz*, less FuzzSupport).
# Each target starts from a copy of its seed corpus FuzzTesting/Corpus/<Target>/ in a scratch
# folder under /tmp, so the committed corpus is never changed. Crash inputs go to
# FuzzTesting/.build/fuzz-crashes/<Target>/ (or $FUZZ_ARTIFACTS/<Target>/), and the script exits
# non-zero, printing each crash input's path, when any target crashed, leaked, timed out
# (-timeout=10) or ran out of memory (-rss_limit_mb=2048).
#
# Environment:
#   FUZZ_ARGS        extra libFuzzer options for every target, such as "-max_len=65536"
#   FUZZ_SKIP_BUILD  set to 1 to run the binaries already built
#   FUZZ_KEEP        set to 1 to keep the scratch corpus folders (the inputs the run found)
#   HTTPX_BUILD_LOCK a lock file (such as /tmp/httpx-build.lock) to hold, with flock, while
#                    building only, on a machine where others build too
# See docs/fuzzing.md.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
FUZZ_DIR="$ROOT/FuzzTesting"

seconds=${1:-60}
if [[ $# -gt 0 ]]; then shift; fi
if ! [[ "$seconds" =~ ^[0-9]+$ ]] || [[ "$seconds" -lt 1 ]]; then
  echo "usage: bash scripts/fuzz.sh [seconds-per-target] [target...]" >&2
  exit 2
fi

all_targets=()
for dir in "$FUZZ_DIR"/Sources/Fuzz*/; do
  name=$(basename "$dir")
  [[ "$name" == "FuzzSupport" ]] || all_targets+=("$name")
done
if [[ $# -gt 0 ]]; then
  targets=("$@")
  for target in "${targets[@]}"; do
    if [[ ! -d "$FUZZ_DIR/Sources/$target" || "$target" == "FuzzSupport" ]]; then
      echo "fuzz.sh: unknown target '$target' (known: ${all_targets[*]})" >&2
      exit 2
    fi
  done
else
  targets=("${all_targets[@]}")
fi

# libFuzzer ships with the swift.org toolchains for Linux; -parse-as-library lets each
# target's main.swift define LLVMFuzzerTestOneInput instead of top-level code. The build
# manifest is not cached, so files the library gains between runs are picked up.
build=(swift build --package-path "$FUZZ_DIR" -c debug --disable-build-manifest-caching
  -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library)
# The toolchain's lld links the sanitized binaries without gold's hundreds of warnings.
swift_bin=$(dirname "$(command -v swift)")
if [[ "$(uname)" == "Linux" && -x "$swift_bin/ld.lld" ]]; then
  build+=(-Xswiftc -use-ld=lld)
fi
if [[ "${FUZZ_SKIP_BUILD:-0}" != "1" ]]; then
  # The fuzz package resolves its own checkouts: pin them as the root package is pinned.
  if [[ -f "$ROOT/Package.resolved" ]]; then
    cp "$ROOT/Package.resolved" "$FUZZ_DIR/Package.resolved"
  fi
  echo "== building the fuzz targets (FuzzTesting/.build)"
  if [[ -n "${HTTPX_BUILD_LOCK:-}" ]]; then
    flock "$HTTPX_BUILD_LOCK" "${build[@]}"
  else
    "${build[@]}"
  fi
fi
bin_dir="$FUZZ_DIR/.build/debug"

artifacts_root=${FUZZ_ARTIFACTS:-$FUZZ_DIR/.build/fuzz-crashes}
scratch=$(mktemp -d /tmp/httpx-fuzz.XXXXXX)
read -r -a extra_args <<< "${FUZZ_ARGS:-}"
failed=()
started=$(date +%s)

for target in "${targets[@]}"; do
  binary="$bin_dir/$target"
  corpus="$scratch/$target/corpus"
  artifacts="$artifacts_root/$target"
  log="$scratch/$target/log"
  mkdir -p "$corpus" "$artifacts"
  if [[ -d "$FUZZ_DIR/Corpus/$target" ]]; then
    cp -R "$FUZZ_DIR/Corpus/$target/." "$corpus/"
  fi
  echo "== $target: ${seconds}s"
  status=0
  # -max_len: the 64 KiB every target accepts (libFuzzer starts short and lengthens inputs as
  # coverage stops growing). Options in FUZZ_ARGS come last and so win.
  "$binary" "$corpus" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
    -artifact_prefix="$artifacts/" -print_final_stats=1 ${extra_args[@]+"${extra_args[@]}"} > "$log" 2>&1 || status=$?
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  coverage=$(grep -o 'cov: [0-9]*' "$log" | tail -1 || true)
  if [[ $status -eq 0 ]]; then
    echo "   ok: ${runs:-?} inputs run, ${coverage:-cov: ?}, $(ls "$corpus" | wc -l) in corpus"
  else
    failed+=("$target")
    echo "   FAILED (exit $status); the end of its log ($log):"
    tail -n 60 "$log" | sed 's/^/   | /'
    found=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log")
    if [[ -n "$found" ]]; then
      while IFS= read -r input; do echo "   crash input: $input"; done <<< "$found"
      echo "   replay it with: $binary <crash input>"
    else
      echo "   (no crash input was written; see the log)"
    fi
  fi
done

echo "== fuzzing took $(( $(date +%s) - started ))s for ${#targets[@]} targets"
if [[ ${#failed[@]} -gt 0 ]]; then
  echo "fuzz.sh: ${#failed[@]} target(s) failed: ${failed[*]}; logs and corpora kept in $scratch" >&2
  exit 1
fi
if [[ "${FUZZ_KEEP:-0}" == "1" ]]; then
  echo "corpora kept in $scratch"
else
  rm -rf "$scratch"
fi
