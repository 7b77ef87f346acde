#!/usr/bin/env bash
# Builds the console when there is no build yet or a source file is newer than the last build.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -f .next/BUILD_ID ] || [ -n "$(find app components lib proxy.ts next.config.ts instrumentation.ts -newer .next/BUILD_ID -type f -not -path 'lib/generated/*' -not -name '*.test.ts' -print -quit 2>/dev/null)" ]; then
  echo "Building the console (first start or changed sources)…"
  npx --no-install next build >/dev/null
fi
