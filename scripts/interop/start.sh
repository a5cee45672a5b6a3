#!/usr/bin/env bash
# Starts the interop peers on loopback and writes their addresses to .interop/env:
#   HTTPX_INTEROP_HTTPBIN  httpbin under gunicorn
#   HTTPX_INTEROP_NGINX    nginx serving static files (1 KiB, 64 MiB, 1 GiB) and /upload
#   HTTPX_INTEROP_TLS      the same nginx over TLS (HTTP/1.1 and HTTP/2), trustme certificates
#   HTTPX_INTEROP_TLS_EXPIRED, _WRONGHOST, _UNKNOWNCA, _IPONLY, _MTLS, _GOAWAY   TLS servers with bad
#                          certificates, one that asks for a client certificate, and an
#                          HTTP/2 one that sends GOAWAY after every 5 requests
#   HTTPX_INTEROP_H2C      nginx speaking HTTP/2 without TLS (prior knowledge)
#   HTTPX_INTEROP_CERTS    the folder of the certificates (see make_certs.py)
#   HTTPX_INTEROP_SQUID    squid as an HTTP proxy: forwarding (absolute-form https:// URLs too)
#                          and CONNECT to any port; _SQUID_AUTH the same behind Basic proxy
#                          auth (HTTPX_INTEROP_PROXY_USER/_PASS); _SQUID_TLS the same over TLS
#                          to the proxy (server.pem: valid for 127.0.0.1 and localhost)
#   HTTPX_INTEROP_SQUID_LOG   squid's access log ("... TCP_MISS/200 248 GET http://...")
#   HTTPX_INTEROP_SOCKS, _SOCKS_AUTH   microsocks SOCKS5 servers, the second with username
#                          and password (HTTPX_INTEROP_SOCKS_USER/_PASS)
#   HTTPX_INTEROP_SOCKS_LOG   the log of both ("client[5] 127.0.0.1: connected to HOST:PORT")
#   HTTPX_INTEROP_WS, _WSS, _WS_PING   a WebSocket server (Python's websockets, see
#                          ws_server.py), plain, over TLS, and one closing unanswered pings fast
# Fails (non-zero) if any does not answer within 20 seconds.
set -euo pipefail
cd "$(dirname "$0")/../.."
root="$PWD/.interop"
# Stop whatever an earlier run left behind.
bash scripts/interop/stop.sh
mkdir -p "$root/nginx/tmp" "$root/nginx/www" "$root/logs"
chmod 777 "$root/nginx/tmp"

# Every port at once, each socket held until all are chosen, so no two servers get the same
# one (nginx would quietly make two server blocks on one port virtual hosts of each other, and
# a TLS test would meet the wrong certificate).
read -r httpbin_port nginx_port tls_port expired_port wronghost_port unknownca_port iponly_port mtls_port \
    goaway_port h2c_port squid_port squid_auth_port squid_tls_port socks_port socks_auth_port \
    ws_port wss_port ws_ping_port < <(python3 -c '
import socket
held = []
for _ in range(18):
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    held.append(s)
print(" ".join(str(s.getsockname()[1]) for s in held))')

fail() {
    echo "interop: $1; see $root/logs" >&2
    tail -n 20 "$root/logs/"* ${sq:+"$sq"/*.log} >&2 || true
    exit 1
}

certs="$root/certs"
.interop/venv/bin/python scripts/interop/make_certs.py "$certs"

# Static files for downloads and byte ranges (made once).
www="$root/nginx/www"
[ -f "$www/1k.bin" ] || head -c 1024 /dev/urandom > "$www/1k.bin"
[ -f "$www/64m.bin" ] || head -c $((64 << 20)) /dev/urandom > "$www/64m.bin"
[ -f "$www/1g.bin" ] || truncate -s 1G "$www/1g.bin"

# A TLS server presenting the certificate NAME (from make_certs.py) and answering TEXT.
bad_certificate_server() {
    cat <<SERVER
    server {
        listen 127.0.0.1:$2 ssl;
        listen [::1]:$2 ssl;
        ssl_certificate $certs/$1.pem;
        ssl_certificate_key $certs/$1.key;
        location / { return 200 "$3"; }
    }
SERVER
}

cat > "$root/nginx/nginx.conf" <<CONF
load_module /usr/lib/nginx/modules/ngx_http_echo_module.so;
worker_processes 1;
pid $root/nginx/nginx.pid;
error_log $root/logs/nginx-error.log warn;
events { worker_connections 1024; }
http {
    access_log off;
    client_body_temp_path $root/nginx/tmp/body;
    proxy_temp_path $root/nginx/tmp/proxy;
    fastcgi_temp_path $root/nginx/tmp/fastcgi;
    uwsgi_temp_path $root/nginx/tmp/uwsgi;
    scgi_temp_path $root/nginx/tmp/scgi;
    keepalive_requests 1000000;
    ssl_protocols TLSv1.2 TLSv1.3;
    keepalive_timeout 60s;
    client_max_body_size 0;
    sendfile on;
    server {
        listen 127.0.0.1:$nginx_port;
        root $www;
        location = /upload {
            echo_read_request_body;
            echo "received \$content_length";
        }
        location = /hello { return 200 "hello from nginx"; }
        location = /reset { return 444; }
        location = /slow {
            echo_sleep 3;
            echo "late";
        }
    }
    server {
        listen 127.0.0.1:$tls_port ssl http2;
        listen [::1]:$tls_port ssl http2;
        # nginx counts a stream the client reset during echo_sleep (/slow) against this limit
        # until the connection closes (the echo module never ends it); the fault and load suite
        # resets thousands, which at nginx's 128 made it refuse most new streams. At 1024 it
        # refuses streams now and then, and requests move to a new connection. The client's
        # own limit is 100.
        http2_max_concurrent_streams 1024;
        ssl_certificate $certs/server.pem;
        ssl_certificate_key $certs/server.key;
        root $www;
        location = /upload {
            echo_read_request_body;
            echo "received \$content_length";
        }
        location = /hello { return 200 "hello over \$server_protocol with \$ssl_protocol"; }
        location = /sni { return 200 "sni=\$ssl_server_name"; }
        location = /reset { return 444; }
        location = /echo {
            client_body_buffer_size 1m;
            echo_read_request_body;
            echo_request_body;
        }
        location = /slow {
            echo_sleep 3;
            echo "late";
        }
        location = /slower {
            echo_sleep 20;
            echo "late";
        }
    }
$(bad_certificate_server expired "$expired_port" "expired")
$(bad_certificate_server wronghost "$wronghost_port" "wrong host")
$(bad_certificate_server unknownca "$unknownca_port" "unknown ca")
$(bad_certificate_server iponly "$iponly_port" "ip only")
    server {
        # HTTP/2 without TLS, with prior knowledge.
        listen 127.0.0.1:$h2c_port http2;
        root $www;
        location = /hello { return 200 "hello over \$server_protocol"; }
    }
    server {
        # Sends GOAWAY after every 5 requests on a connection.
        listen 127.0.0.1:$goaway_port ssl http2;
        ssl_certificate $certs/server.pem;
        ssl_certificate_key $certs/server.key;
        keepalive_requests 5;
        root $www;
    }
    server {
        listen 127.0.0.1:$mtls_port ssl;
        ssl_certificate $certs/server.pem;
        ssl_certificate_key $certs/server.key;
        ssl_client_certificate $certs/ca.pem;
        ssl_verify_client optional;
        location / {
            if (\$ssl_client_verify != SUCCESS) { return 403 "no valid client certificate"; }
            return 200 "hello \$ssl_client_s_dn";
        }
    }
}
CONF
nginx -c "$root/nginx/nginx.conf" -g 'daemon on;' 2>>"$root/logs/nginx-error.log"

.interop/venv/bin/gunicorn --bind "127.0.0.1:$httpbin_port" --workers 4 --daemon \
    --pid "$root/gunicorn.pid" --error-logfile "$root/logs/gunicorn.log" httpbin:app

# squid on three ports; no cache, no peers, no DNS server but 127.0.0.1 (names come from
# /etc/hosts). Run as root, it works as the user "proxy", who must read and write its files:
# they live in a folder of their own under /tmp (a checkout under /root, say, is closed to
# that user), whose path stop.sh reads from .interop/squid-dir.
sq=$(mktemp -d /tmp/httpx-interop-squid.XXXXXX)
echo "$sq" > "$root/squid-dir"
chmod 755 "$sq"
cp "$certs/server.pem" "$certs/server.key" "$certs/ca.pem" "$sq/"
squid_log="$sq/access.log"
echo "proxyuser:$(openssl passwd -apr1 proxy-secret)" > "$sq/htpasswd"
: > "$squid_log"
: > "$sq/cache.log"
[ "$(id -u)" != 0 ] || chown -R proxy: "$sq"
cat > "$sq/squid.conf" <<CONF
visible_hostname httpx-interop-squid
pid_filename $sq/squid.pid
coredump_dir $sq
cache_log $sq/cache.log
access_log stdio:$squid_log squid
logfile_rotate 0
strip_query_terms off
cache deny all
cache_mem 8 MB
icp_port 0
pinger_enable off
dns_nameservers 127.0.0.1
dns_timeout 1 seconds
dns_retransmit_interval 1 seconds
shutdown_lifetime 1 seconds
tls_outgoing_options cafile=$sq/ca.pem

http_port 127.0.0.1:$squid_port name=open
http_port 127.0.0.1:$squid_auth_port name=auth
https_port 127.0.0.1:$squid_tls_port name=tls tls-cert=$sq/server.pem tls-key=$sq/server.key

auth_param basic program /usr/lib/squid/basic_ncsa_auth $sq/htpasswd
auth_param basic children 8 startup=2 idle=2 queue-size=64
auth_param basic realm httpx-interop
acl auth_port myportname auth
acl authenticated proxy_auth REQUIRED
acl loopback src 127.0.0.1/32
http_access deny auth_port !authenticated
http_access allow loopback
http_access deny all
CONF
squid -f "$sq/squid.conf" 2>>"$sq/cache.log" || fail "squid did not start"

setsid .interop/venv/bin/python scripts/interop/ws_server.py "$ws_port" "$wss_port" "$ws_ping_port" \
    "$certs/server.pem" "$certs/server.key" </dev/null >>"$root/logs/ws.log" 2>&1 &
echo $! > "$root/ws.pid"

# microsocks prints a line for each connection it opens; both servers share one log.
socks_log="$root/logs/socks.log"
: > "$socks_log"
setsid microsocks -i 127.0.0.1 -p "$socks_port" </dev/null >>"$socks_log" 2>&1 &
echo $! > "$root/socks.pid"
setsid microsocks -i 127.0.0.1 -p "$socks_auth_port" -u socksuser -P socks-secret \
    </dev/null >>"$socks_log" 2>&1 &
echo $! > "$root/socks-auth.pid"

through() { curl -sf -o /dev/null --max-time 2 "$@" "http://127.0.0.1:$nginx_port/hello"; }
ready() {
    python3 - "$httpbin_port" "$nginx_port" <<'PY' 2>/dev/null &&
import sys, urllib.request
for port, path in ((sys.argv[1], "/get"), (sys.argv[2], "/hello")):
    urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=1).read()
PY
    python3 -c 'import socket, sys; socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=1).close()' \
        "$ws_port" 2>/dev/null &&
    through -x "http://127.0.0.1:$squid_port" &&
    through -x "http://127.0.0.1:$squid_auth_port" -U proxyuser:proxy-secret &&
    through -x "https://127.0.0.1:$squid_tls_port" --proxy-cacert "$certs/ca.pem" &&
    through --socks5-hostname "127.0.0.1:$socks_port" &&
    through --socks5-hostname "127.0.0.1:$socks_auth_port" -U socksuser:socks-secret
}

deadline=$((SECONDS + 20))
while [ "$SECONDS" -lt "$deadline" ]; do
    if ready; then
        {
            echo "HTTPX_INTEROP_HTTPBIN=http://127.0.0.1:$httpbin_port"
            echo "HTTPX_INTEROP_NGINX=http://127.0.0.1:$nginx_port"
            echo "HTTPX_INTEROP_TLS=https://localhost:$tls_port"
            echo "HTTPX_INTEROP_TLS_EXPIRED=https://localhost:$expired_port"
            echo "HTTPX_INTEROP_TLS_WRONGHOST=https://localhost:$wronghost_port"
            echo "HTTPX_INTEROP_TLS_UNKNOWNCA=https://localhost:$unknownca_port"
            echo "HTTPX_INTEROP_TLS_IPONLY=https://localhost:$iponly_port"
            echo "HTTPX_INTEROP_TLS_MTLS=https://localhost:$mtls_port"
            echo "HTTPX_INTEROP_TLS_GOAWAY=https://localhost:$goaway_port"
            echo "HTTPX_INTEROP_H2C=http://127.0.0.1:$h2c_port"
            echo "HTTPX_INTEROP_CERTS=$certs"
            echo "HTTPX_INTEROP_SQUID=http://127.0.0.1:$squid_port"
            echo "HTTPX_INTEROP_SQUID_AUTH=http://127.0.0.1:$squid_auth_port"
            echo "HTTPX_INTEROP_SQUID_TLS=https://127.0.0.1:$squid_tls_port"
            echo "HTTPX_INTEROP_SQUID_LOG=$squid_log"
            echo "HTTPX_INTEROP_PROXY_USER=proxyuser"
            echo "HTTPX_INTEROP_PROXY_PASS=proxy-secret"
            echo "HTTPX_INTEROP_SOCKS=socks5://127.0.0.1:$socks_port"
            echo "HTTPX_INTEROP_SOCKS_AUTH=socks5://127.0.0.1:$socks_auth_port"
            echo "HTTPX_INTEROP_SOCKS_LOG=$socks_log"
            echo "HTTPX_INTEROP_SOCKS_USER=socksuser"
            echo "HTTPX_INTEROP_SOCKS_PASS=socks-secret"
            echo "HTTPX_INTEROP_WS=ws://127.0.0.1:$ws_port"
            echo "HTTPX_INTEROP_WSS=wss://localhost:$wss_port"
            echo "HTTPX_INTEROP_WS_PING=ws://127.0.0.1:$ws_ping_port"
        } > "$root/env"
        echo "interop: httpbin on $httpbin_port, nginx on $nginx_port, squid on $squid_port" \
            "($squid_auth_port auth, $squid_tls_port TLS), SOCKS5 on $socks_port ($socks_auth_port auth)" >&2
        exit 0
    fi
    sleep 0.2
done
fail "the peers did not start within 20 seconds"
