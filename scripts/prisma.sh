#!/usr/bin/env bash
# Runs the Prisma CLI without letting it download native engines (none can be fetched here): the
# client is Rust-free and the schema engine is the bundled WebAssembly one (prisma.config.ts).
set -euo pipefail
cd "$(dirname "$0")/.."
export PRISMA_SCHEMA_ENGINE_BINARY="$PWD/package.json" PRISMA_QUERY_ENGINE_LIBRARY="$PWD/package.json"
export PRISMA_HIDE_UPDATE_MESSAGE=1
mkdir -p .data
exec npx --no-install prisma "$@"
