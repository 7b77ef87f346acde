#!/usr/bin/env bash
# npm run console: builds the console if needed and starts it on its embedded defaults
# (SQLite under .data/, generated keys), printing where to sign in.
set -euo pipefail
cd "$(dirname "$0")/.."
PORT="${PORT:-3000}"
bash scripts/build-if-needed.sh
npx --no-install tsx --conditions=react-server scripts/bootstrap.ts
NODE_ENV=production exec npx --no-install tsx server.ts -p "$PORT"
