#!/usr/bin/env bash
# Regenerates the SQL of a migration from prisma/schema.prisma (no database needed).
# Usage: scripts/db-diff.sh > prisma/migrations/<timestamp>_<name>/migration.sql  (diffs from the current migrations)
set -euo pipefail
cd "$(dirname "$0")/.."
export PRISMA_SCHEMA_ENGINE_BINARY="$PWD/package.json" PRISMA_QUERY_ENGINE_LIBRARY="$PWD/package.json"
mkdir -p .data
if [ "${1:-}" = "--from-empty" ]; then
  exec npx --no-install prisma migrate diff --from-empty --to-schema-datamodel prisma/schema.prisma --script
fi
exec npx --no-install prisma migrate diff --from-migrations prisma/migrations --to-schema-datamodel prisma/schema.prisma --script --shadow-database-url "file:.data/prisma-shadow.db"
