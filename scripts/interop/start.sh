#!/usr/bin/env bash
# Starts the interop peers on loopback and writes their addresses to .interop/env:
#   HTTPX_INTEROP_HTTPBIN  httpbin under gunicorn
#   HTTPX_INTEROP_NGINX    nginx serving static files (1 KiB, 64 MiB, 1 GiB) and /upload
#   HTTPX_INTEROP_TLS      the same nginx over TLS (HTTP/1.1 and HTTP/2), trustme certificates
#   HTTPX_INTEROP_TLS_EXPIRED, _WRONGHOST, _UNKNOWNCA, _MTLS, _GOAWAY   TLS servers with bad
#                          certificates, one that asks for a client certificate, and an
#                          HTTP/2 one that sends GOAWAY after every 5 requests
#   HTTPX_INTEROP_H2C      nginx speaking HTTP/2 without TLS (prior knowledge)
#   HTTPX_INTEROP_CERTS    the folder of the certificates (see make_certs.py)
# Fails (non-zero) if either does not answer within 20 seconds.
set -euo pipefail
cd "$(dirname "$0")/../.."
root="$PWD/.interop"
# Stop whatever an earlier run left behind.
bash scripts/interop/stop.sh
mkdir -p "$root/nginx/tmp" "$root/nginx/www" "$root/logs"
chmod 777 "$root/nginx/tmp"

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'; }
httpbin_port=$(free_port)
nginx_port=$(free_port)
tls_port=$(free_port)
expired_port=$(free_port)
wronghost_port=$(free_port)
unknownca_port=$(free_port)
mtls_port=$(free_port)
goaway_port=$(free_port)
h2c_port=$(free_port)

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
    }
    server {
        listen 127.0.0.1:$tls_port ssl http2;
        listen [::1]:$tls_port ssl http2;
        ssl_certificate $certs/server.pem;
        ssl_certificate_key $certs/server.key;
        root $www;
        location = /upload {
            echo_read_request_body;
            echo "received \$content_length";
        }
        location = /hello { return 200 "hello over \$server_protocol with \$ssl_protocol"; }
        location = /slow {
            echo_sleep 3;
            echo "late";
        }
    }
$(bad_certificate_server expired "$expired_port" "expired")
$(bad_certificate_server wronghost "$wronghost_port" "wrong host")
$(bad_certificate_server unknownca "$unknownca_port" "unknown ca")
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

for _ in $(seq 1 100); do
    if python3 - "$httpbin_port" "$nginx_port" <<'PY' 2>/dev/null
import sys, urllib.request
for port, path in ((sys.argv[1], "/get"), (sys.argv[2], "/hello")):
    urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=1).read()
PY
    then
        {
            echo "HTTPX_INTEROP_HTTPBIN=http://127.0.0.1:$httpbin_port"
            echo "HTTPX_INTEROP_NGINX=http://127.0.0.1:$nginx_port"
            echo "HTTPX_INTEROP_TLS=https://localhost:$tls_port"
            echo "HTTPX_INTEROP_TLS_EXPIRED=https://localhost:$expired_port"
            echo "HTTPX_INTEROP_TLS_WRONGHOST=https://localhost:$wronghost_port"
            echo "HTTPX_INTEROP_TLS_UNKNOWNCA=https://localhost:$unknownca_port"
            echo "HTTPX_INTEROP_TLS_MTLS=https://localhost:$mtls_port"
            echo "HTTPX_INTEROP_TLS_GOAWAY=https://localhost:$goaway_port"
            echo "HTTPX_INTEROP_H2C=http://127.0.0.1:$h2c_port"
            echo "HTTPX_INTEROP_CERTS=$certs"
        } > "$root/env"
        echo "interop: httpbin on $httpbin_port, nginx on $nginx_port" >&2
        exit 0
    fi
    sleep 0.2
done
echo "interop: the peers did not start; see $root/logs" >&2
tail -20 "$root/logs/"* >&2 || true
exit 1
