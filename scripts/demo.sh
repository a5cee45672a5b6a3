#!/usr/bin/env bash
# The main job: `bash scripts/demo.sh`. Builds the `httpx` tool and runs it against httpbin
# (installed with pip into .interop/venv and started on loopback here, stopped at the end), so
# it works on a machine without internet access. Pass your own arguments to replace the demo
# requests' options: `bash scripts/demo.sh /post -j '{"a": 1}'`.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -x .interop/venv/bin/gunicorn ] || ! .interop/venv/bin/python -c 'import httpbin' 2>/dev/null; then
    echo "demo: installing httpbin and gunicorn with pip" >&2
    mkdir -p .interop
    python3 -m venv .interop/venv
    .interop/venv/bin/pip install -q --disable-pip-version-check httpbin==0.10.4 gunicorn trustme==1.2.1
fi
swift build --product httpx >&2

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
.interop/venv/bin/gunicorn --bind "127.0.0.1:$port" --workers 2 --log-level warning httpbin:app &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do
    python3 -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:$port/get', timeout=1)" 2>/dev/null && break
    sleep 0.1
done

base="http://127.0.0.1:$port"
httpx=$(swift build --product httpx --show-bin-path)/httpx
if [ $# -gt 0 ]; then
    path=$1
    shift
    "$httpx" "$base$path" "$@"
    exit $?
fi
set -x
"$httpx" "$base/get" -p q swift -h X-Demo yes
"$httpx" "$base/post" -j '{"name": "swift-httpx", "stars": 5}'
"$httpx" "$base/redirect/1" --follow-redirects -v
"$httpx" "$base/bytes/64"
