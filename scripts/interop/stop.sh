#!/usr/bin/env bash
# Stops the interop peers started by start.sh.
cd "$(dirname "$0")/../.." || exit 0
root="$PWD/.interop"
for pidfile in "$root/nginx/nginx.pid" "$root/gunicorn.pid"; do
    [ -f "$pidfile" ] || continue
    pid=$(cat "$pidfile")
    kill "$pid" 2>/dev/null
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    rm -f "$pidfile"
done
rm -f "$root/env"
exit 0
