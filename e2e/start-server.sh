#!/usr/bin/env bash
# Starts a production build of the console on a fresh database for the end-to-end tests.
set -euo pipefail
cd "$(dirname "$0")/.."
rm -rf "${DATA_DIR:?}"
mkdir -p "$DATA_DIR"
npx --no-install next build >"$DATA_DIR/build.log" 2>&1 || { cat "$DATA_DIR/build.log"; exit 1; }
NODE_ENV=production exec npx --no-install tsx server.ts -H 127.0.0.1 -p "$PORT"
