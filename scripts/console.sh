#!/usr/bin/env bash
# npm run console: builds the console if needed and starts it on its embedded defaults
# (SQLite under .data/, generated keys), printing where to sign in.
set -euo pipefail
cd "$(dirname "$0")/.."
PORT="${PORT:-3000}"
if [ ! -f .next/BUILD_ID ] || [ -n "$(find app components lib proxy.ts next.config.ts -newer .next/BUILD_ID -type f -not -path 'lib/generated/*' -print -quit 2>/dev/null)" ]; then
  echo "Building the console (first start or changed sources)…"
  npx --no-install next build >/dev/null
fi
npx --no-install tsx --conditions=react-server scripts/bootstrap.ts
exec npx --no-install next start -p "$PORT"
