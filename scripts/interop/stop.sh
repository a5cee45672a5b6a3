#!/usr/bin/env bash
# Stops the interop peers started by start.sh (nginx, gunicorn, squid, microsocks, websockets).
cd "$(dirname "$0")/../.." || exit 0
root="$PWD/.interop"
# A process that exited but was not reaped yet (a zombie) counts as gone.
alive() { local state; state=$(ps -o stat= -p "$1" 2>/dev/null) && [[ $state != Z* ]]; }
# Signals the process of a pid file (and the processes it started), waits up to 3 seconds,
# then kills whatever is left.
stop() {
    [ -f "$1" ] || return 0
    local pid kids
    pid=$(cat "$1")
    kids=$(pgrep -P "$pid" 2>/dev/null)
    kill "-$2" "$pid" 2>/dev/null
    for _ in $(seq 1 30); do alive "$pid" || break; sleep 0.1; done
    for p in $pid $kids; do alive "$p" && kill -KILL "$p" 2>/dev/null; done
    rm -f "$1"
}
stop "$root/nginx/nginx.pid" TERM
stop "$root/gunicorn.pid" TERM
if [ -f "$root/squid-dir" ]; then
    squid_dir=$(cat "$root/squid-dir")
    stop "$squid_dir/squid.pid" INT  # SIGINT: squid's shutdown without waiting for clients
    case "$squid_dir" in /tmp/httpx-interop-squid.*) rm -rf "$squid_dir" ;; esac
    rm -f "$root/squid-dir"
fi
stop "$root/socks.pid" TERM
stop "$root/socks-auth.pid" TERM
stop "$root/ws.pid" TERM
rm -f "$root/env"
exit 0
