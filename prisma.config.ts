import path from "node:path";
import { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";
import { defineConfig } from "prisma/config";

// The CLI runs on Prisma's bundled WebAssembly schema engine through a driver adapter: the native
// engines cannot be downloaded on our machines. It is used only for `generate` and datamodel-to-datamodel
// `migrate diff` (scripts/db-generate.ts, scripts/db-diff.ts), which need no database, for SQLite and for
// the PostgreSQL schema derived from prisma/schema.prisma (passed with --schema). The console applies
// migrations itself (lib/migrations.ts): the WebAssembly engine fails against PostgreSQL through
// adapter-pg (prisma/orm#27403), and one runner serves both databases. See DEVELOPERS.md.
export default defineConfig({
  experimental: { adapter: true },
  engine: "js",
  schema: path.join("prisma", "schema.prisma"),
  migrations: { path: path.join("prisma", "migrations") },
  adapter: async () => new PrismaBetterSQLite3({ url: "file:.data/prisma-cli.db" }),
});
