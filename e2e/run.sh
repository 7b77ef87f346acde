#!/usr/bin/env bash
# npm run test:e2e: the console, the Entra ID + Graph emulator and Chromium. Node reads
# NODE_EXTRA_CA_CERTS only at start-up, so the emulator's CA is created first and exported to the
# Playwright runner, its workers and the console server it starts.
set -euo pipefail
cd "$(dirname "$0")/.."
NODE_EXTRA_CA_CERTS="$(npx --no-install tsx scripts/emulator-ca.ts .data/e2e-emulator)"
export NODE_EXTRA_CA_CERTS
exec npx --no-install playwright test "$@"
