#!/usr/bin/env bash
# Installs the interop peers: nginx with the echo module (Debian), and httpbin under gunicorn
# plus trustme for test certificates (PyPI, in a virtualenv at .interop/venv). Safe to run
# again: it only installs what is missing.
set -euo pipefail
cd "$(dirname "$0")/../.."

if ! command -v nginx >/dev/null 2>&1 || [ ! -f /usr/lib/nginx/modules/ngx_http_echo_module.so ] \
    || ! command -v openssl >/dev/null 2>&1; then
    echo "interop: installing nginx, its echo module and openssl with apt-get" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq nginx libnginx-mod-http-echo openssl >/dev/null
fi

if [ ! -x .interop/venv/bin/gunicorn ] || ! .interop/venv/bin/python -c 'import httpbin, trustme' 2>/dev/null; then
    echo "interop: installing httpbin, gunicorn and trustme with pip" >&2
    mkdir -p .interop
    python3 -m venv .interop/venv
    .interop/venv/bin/pip install -q --disable-pip-version-check httpbin==0.10.4 gunicorn trustme==1.2.1
fi
