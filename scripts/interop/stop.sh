#!/usr/bin/env bash
# Stops the interop peers started by start.sh.
cd "$(dirname "$0")/../.." || exit 0
root="$PWD/.interop"
[ -f "$root/nginx/nginx.pid" ] && kill "$(cat "$root/nginx/nginx.pid")" 2>/dev/null
[ -f "$root/gunicorn.pid" ] && kill "$(cat "$root/gunicorn.pid")" 2>/dev/null
rm -f "$root/env"
exit 0
