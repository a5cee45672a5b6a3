#!/usr/bin/env bash
# Installs the interop peers: nginx with the echo module, squid (the OpenSSL build) and
# microsocks (Debian), and httpbin under gunicorn plus trustme for test certificates (PyPI, in
# a virtualenv at .interop/venv). Safe to run again: it only installs what is missing.
set -euo pipefail
cd "$(dirname "$0")/../.."

need=()
{ command -v nginx && [ -f /usr/lib/nginx/modules/ngx_http_echo_module.so ]; } >/dev/null 2>&1 \
    || need+=(nginx libnginx-mod-http-echo)
command -v openssl >/dev/null 2>&1 || need+=(openssl)  # also makes squid's htpasswd file
command -v curl >/dev/null 2>&1 || need+=(curl)        # start.sh's readiness checks
# Debian's plain "squid" is the GnuTLS build: it neither verifies nor can read from a TLS
# origin server when it forwards https:// URLs itself, so take the OpenSSL one.
[[ "$(squid -v 2>/dev/null)" == *--with-openssl* ]] || need+=(squid-openssl)
command -v microsocks >/dev/null 2>&1 || need+=(microsocks)
if [ ${#need[@]} -gt 0 ]; then
    echo "interop: installing ${need[*]} with apt-get" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq "${need[@]}" >/dev/null
fi

if [ ! -x .interop/venv/bin/gunicorn ] || ! .interop/venv/bin/python -c 'import httpbin, trustme, websockets' 2>/dev/null; then
    echo "interop: installing httpbin, gunicorn, trustme and websockets with pip" >&2
    mkdir -p .interop
    python3 -m venv .interop/venv
    .interop/venv/bin/pip install -q --disable-pip-version-check httpbin==0.10.4 gunicorn trustme==1.2.1 websockets==15.0.1
fi
