import { createHash, randomUUID } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import { isPostgresUrl, sqliteFilePath } from "@/lib/db-client";

/**
 * Applies the committed SQL migrations under prisma/migrations, in name order, each in a transaction,
 * recording them in Prisma's own `_prisma_migrations` table (same columns and checksums), so the
 * Prisma CLI sees the same history. We apply them ourselves because Prisma's native schema engine
 * cannot be downloaded here and its WebAssembly engine is not available for every adapter.
 */
export type MigrationResult = { applied: string[]; alreadyApplied: number };

const MIGRATIONS_TABLE = `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
  "id" TEXT PRIMARY KEY NOT NULL,
  "checksum" TEXT NOT NULL,
  "finished_at" DATETIME,
  "migration_name" TEXT NOT NULL,
  "logs" TEXT,
  "rolled_back_at" DATETIME,
  "started_at" DATETIME NOT NULL DEFAULT current_timestamp,
  "applied_steps_count" INTEGER UNSIGNED NOT NULL DEFAULT 0
)`;

export type Migration = { name: string; sql: string; checksum: string };

export function defaultMigrationsDir() {
  return path.resolve("prisma", "migrations");
}

export function readMigrations(dir: string): Migration[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && fs.existsSync(path.join(dir, d.name, "migration.sql")))
    .map((d) => d.name)
    .sort()
    .map((name) => {
      const sql = fs.readFileSync(path.join(dir, name, "migration.sql"), "utf8");
      return { name, sql, checksum: createHash("sha256").update(sql).digest("hex") };
    });
}

function migrateSqlite(url: string, migrations: Migration[]): MigrationResult {
  const file = sqliteFilePath(url);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const sqlite = new Database(file, { timeout: 15_000 });
  try {
    // WAL lets readers continue while the verification engine writes results.
    sqlite.pragma("journal_mode = WAL");
    sqlite.exec(MIGRATIONS_TABLE);
    const applied: string[] = [];
    let alreadyApplied = 0;
    // BEGIN IMMEDIATE takes the write lock first, so two processes starting together apply each once.
    const run = sqlite.transaction((m: Migration) => {
      const done = sqlite
        .prepare(`SELECT checksum FROM "_prisma_migrations" WHERE migration_name = ? AND finished_at IS NOT NULL AND rolled_back_at IS NULL`)
        .get(m.name) as { checksum: string } | undefined;
      if (done) {
        if (done.checksum !== m.checksum) {
          throw new Error(`Migration ${m.name} was changed after it was applied (checksum mismatch)`);
        }
        alreadyApplied++;
        return;
      }
      const started = new Date().toISOString();
      sqlite.exec(m.sql);
      sqlite
        .prepare(`INSERT INTO "_prisma_migrations" (id, checksum, finished_at, migration_name, started_at, applied_steps_count) VALUES (?, ?, ?, ?, ?, 1)`)
        .run(randomUUID(), m.checksum, new Date().toISOString(), m.name, started);
      applied.push(m.name);
    });
    for (const m of migrations) run.immediate(m);
    return { applied, alreadyApplied };
  } finally {
    sqlite.close();
  }
}

export async function migrateDatabase(url: string, dir = defaultMigrationsDir()): Promise<MigrationResult> {
  if (isPostgresUrl(url)) {
    throw new Error("PostgreSQL migrations are not supported yet; use a file: DATABASE_URL");
  }
  return migrateSqlite(url, readMigrations(dir));
}
