import { createHash, randomUUID } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import pg from "pg";
import { databaseProvider, postgresConnection, prepareSqliteFile, type DatabaseProvider } from "@/lib/db-client";

/**
 * Applies the committed SQL migrations of the URL's database (prisma/migrations for SQLite,
 * prisma/migrations-postgresql for PostgreSQL: same names, SQL made from the same schema by
 * `npm run db:diff`), in name order, each in a transaction, recording them in Prisma's own
 * `_prisma_migrations` table (same columns and checksums), so the Prisma CLI sees the same history.
 * We apply them ourselves because Prisma's native schema engine cannot be downloaded here and its
 * WebAssembly engine fails against PostgreSQL through adapter-pg (prisma/orm#27403).
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

export function defaultMigrationsDir(provider: DatabaseProvider = "sqlite") {
  return path.resolve("prisma", provider === "postgresql" ? "migrations-postgresql" : "migrations");
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
  const sqlite = new Database(prepareSqliteFile(url), { timeout: 15_000 });
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

/** Prisma's `_prisma_migrations` on PostgreSQL, column for column. */
const PG_MIGRATIONS_TABLE = `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
  "id" VARCHAR(36) PRIMARY KEY NOT NULL,
  "checksum" VARCHAR(64) NOT NULL,
  "finished_at" TIMESTAMPTZ,
  "migration_name" VARCHAR(255) NOT NULL,
  "logs" TEXT,
  "rolled_back_at" TIMESTAMPTZ,
  "started_at" TIMESTAMPTZ NOT NULL DEFAULT now(),
  "applied_steps_count" INTEGER NOT NULL DEFAULT 0
)`;

function quoteIdent(name: string) {
  return `"${name.replace(/"/g, '""')}"`;
}

/** A 64-bit advisory lock key per schema: runners of one schema wait for each other, other schemas do not. */
export function migrationLockKey(schema: string) {
  const digest = createHash("sha256").update(`tenant-access-console:migrate:${schema}`).digest();
  return digest.readBigInt64BE(0).toString();
}

async function migratePostgres(url: string, migrations: Migration[]): Promise<MigrationResult> {
  const { connectionString, schema } = postgresConnection(url);
  const client = new pg.Client({ connectionString });
  // A dropped connection rejects the pending query; without a listener it would also crash the process.
  client.on("error", () => {});
  await client.connect();
  try {
    // A session-level advisory lock for the whole run: a second console starting at the same moment
    // waits here, then finds every migration applied. It is released when the connection closes,
    // also when this process dies. @see https://www.postgresql.org/docs/current/explicit-locking.html#ADVISORY-LOCKS
    await client.query("SELECT pg_advisory_lock($1::bigint)", [migrationLockKey(schema)]);
    // Only create the schema when missing: CREATE SCHEMA IF NOT EXISTS needs the CREATE privilege on
    // the database even when the schema exists, which a production role may rightly lack.
    const exists = await client.query("SELECT 1 FROM pg_namespace WHERE nspname = $1", [schema]);
    if (exists.rowCount === 0) await client.query(`CREATE SCHEMA ${quoteIdent(schema)}`);
    // Migrations name no schema: everything lands in the URL's `?schema=` (default public).
    await client.query(`SET search_path TO ${quoteIdent(schema)}`);
    await client.query(PG_MIGRATIONS_TABLE);
    const applied: string[] = [];
    let alreadyApplied = 0;
    for (const m of migrations) {
      const done = await client.query<{ checksum: string }>(
        `SELECT checksum FROM "_prisma_migrations" WHERE migration_name = $1 AND finished_at IS NOT NULL AND rolled_back_at IS NULL`,
        [m.name],
      );
      if (done.rows[0]) {
        if (done.rows[0].checksum !== m.checksum) {
          throw new Error(`Migration ${m.name} was changed after it was applied (checksum mismatch)`);
        }
        alreadyApplied++;
        continue;
      }
      // PostgreSQL runs DDL transactionally: a failing migration leaves nothing behind.
      const started = new Date();
      await client.query("BEGIN");
      try {
        await client.query(m.sql);
        await client.query(
          `INSERT INTO "_prisma_migrations" (id, checksum, finished_at, migration_name, started_at, applied_steps_count) VALUES ($1, $2, now(), $3, $4, 1)`,
          [randomUUID(), m.checksum, m.name, started],
        );
        await client.query("COMMIT");
      } catch (e) {
        await client.query("ROLLBACK").catch(() => {});
        throw new Error(`Migration ${m.name} failed and was rolled back: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
      }
      applied.push(m.name);
    }
    return { applied, alreadyApplied };
  } finally {
    await client.end().catch(() => {});
  }
}

/** Applies pending migrations to the database of `url`; `dir` defaults to that database's migrations folder. */
export async function migrateDatabase(url: string, dir?: string): Promise<MigrationResult> {
  const provider = databaseProvider(url);
  const migrations = readMigrations(dir ?? defaultMigrationsDir(provider));
  return provider === "postgresql" ? migratePostgres(url, migrations) : migrateSqlite(url, migrations);
}
