import path from "node:path";
import { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";
import { defineConfig } from "prisma/config";

// The CLI runs on Prisma's bundled WebAssembly schema engine through a driver adapter: the native
// engines cannot be downloaded on our machines. It is used for `generate` and `migrate diff`; the
// console applies migrations itself (lib/db/migrate.ts) so SQLite and PostgreSQL share one runner.
export default defineConfig({
  experimental: { adapter: true },
  engine: "js",
  schema: path.join("prisma", "schema.prisma"),
  migrations: { path: path.join("prisma", "migrations") },
  adapter: async () => new PrismaBetterSQLite3({ url: "file:.data/prisma-cli.db" }),
});
