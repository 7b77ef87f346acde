#!/usr/bin/env bash
# npm run demo: see scripts/demo.ts. Node reads NODE_EXTRA_CA_CERTS only at start-up, so the emulator's CA
# is created first and exported for every process of the demo.
set -euo pipefail
cd "$(dirname "$0")/.."
NODE_EXTRA_CA_CERTS="$(npx --no-install tsx scripts/emulator-ca.ts .data/demo-emulator)"
export NODE_EXTRA_CA_CERTS
exec npx --no-install tsx --conditions=react-server scripts/demo.ts "$@"
