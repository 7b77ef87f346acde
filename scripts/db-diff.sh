#!/usr/bin/env bash
# Creates the next migration for SQLite and PostgreSQL from prisma/schema.prisma (no database needed).
# Usage: npm run db:diff -- <migration_name>
#        npm run db:diff -- --from-empty [--provider sqlite|postgresql]   (prints the whole schema's SQL)
# See scripts/db-diff.ts and DEVELOPERS.md.
set -euo pipefail
cd "$(dirname "$0")/.."
exec npx --no-install tsx scripts/db-diff.ts "$@"
