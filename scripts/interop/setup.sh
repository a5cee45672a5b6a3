#!/usr/bin/env bash
# Installs the interop peers: nginx with the echo module (Debian) and httpbin under gunicorn
# (PyPI, in a virtualenv at .interop/venv). Safe to run again: it only installs what is missing.
set -euo pipefail
cd "$(dirname "$0")/../.."

if ! command -v nginx >/dev/null 2>&1 || [ ! -f /usr/lib/nginx/modules/ngx_http_echo_module.so ]; then
    echo "interop: installing nginx and its echo module with apt-get" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq nginx libnginx-mod-http-echo >/dev/null
fi

if [ ! -x .interop/venv/bin/gunicorn ] || ! .interop/venv/bin/python -c 'import httpbin' 2>/dev/null; then
    echo "interop: installing httpbin and gunicorn with pip" >&2
    mkdir -p .interop
    python3 -m venv .interop/venv
    .interop/venv/bin/pip install -q --disable-pip-version-check httpbin==0.10.4 gunicorn
fi
