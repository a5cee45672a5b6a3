#!/usr/bin/env bash
# Builds the DocC documentation of every library product with swift-docc-plugin, failing on
# any warning (an unresolved symbol link, an undocumented parameter):
#   bash scripts/docs.sh                 # archives under .build/plugins/Swift-DocC/outputs
set -euo pipefail
cd "$(dirname "$0")/.."
for target in HTTPX HTTPXHummingbird HTTPXOpenAPI HTTPXWebSocket; do
    swift package --disable-sandbox generate-documentation --target "$target" --warnings-as-errors
done
