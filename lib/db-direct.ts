import "server-only";
import Database from "better-sqlite3";
import pg from "pg";
import { isPostgresUrl, postgresConnection, prepareSqliteFile } from "@/lib/db-client";
import { env } from "@/lib/env";

/**
 * The database driver itself, for the one hot path Prisma's query compiler is too slow for: a Verify All
 * run writes its results in batches (lib/tenants/status.ts, writeRunBatch). Through Prisma each statement
 * costs about a millisecond of CPU (measured: ~1 ms per update, ~0.25 ms per row of a 200-row createMany,
 * on a 2-core machine), which alone is several times the whole per-tenant budget of a run at 256 in
 * parallel; prepared statements on the driver cost tens of microseconds. Everything else uses Prisma.
 * One connection (SQLite, WAL so it shares the file with Prisma's) or one small pool (PostgreSQL) per
 * process, kept on globalThis: Next.js bundles a module once per route.
 */

const holder = globalThis as unknown as { tacSqlite?: Database.Database; tacPgPool?: pg.Pool };

export type DirectDatabase = { kind: "sqlite"; db: Database.Database } | { kind: "postgresql"; pool: pg.Pool };

export function directDatabase(): DirectDatabase {
  if (isPostgresUrl(env.DATABASE_URL)) {
    if (!holder.tacPgPool) {
      const { connectionString, schema } = postgresConnection(env.DATABASE_URL);
      // The schema Prisma's adapter qualifies every table with, as the search path of these connections.
      const pool = new pg.Pool({ connectionString, max: 4, application_name: "tac-direct", options: `-c search_path="${schema.replace(/"/g, '""')}"` });
      // An idle client losing its connection must not crash the process; the next query reconnects.
      pool.on("error", () => {});
      holder.tacPgPool = pool;
    }
    return { kind: "postgresql", pool: holder.tacPgPool };
  }
  if (!holder.tacSqlite) {
    const conn = new Database(prepareSqliteFile(env.DATABASE_URL), { timeout: 15_000 });
    conn.pragma("journal_mode = WAL");
    // better-sqlite3 is synchronous: an fsync per commit would stall every item in flight. In WAL mode
    // NORMAL loses nothing on a process crash, only on power loss, and a lost result is done again when
    // the run resumes. @see https://www.sqlite.org/pragma.html#pragma_synchronous
    conn.pragma("synchronous = NORMAL");
    conn.pragma("foreign_keys = ON");
    holder.tacSqlite = conn;
  }
  return { kind: "sqlite", db: holder.tacSqlite };
}

/** Prisma's text form of a DateTime on SQLite, so rows read back exactly like Prisma's own. */
export function sqliteDate(d: Date): string {
  return d.toISOString().replace("Z", "+00:00");
}

/**
 * A driver error in Prisma's terms, so callers handle both alike: P2002 a unique constraint, P2003 a
 * foreign key (the tenant was deleted meanwhile).
 */
export function asPrismaCode(e: unknown): "P2002" | "P2003" | null {
  const code = (e as { code?: string } | null)?.code;
  if (code === "SQLITE_CONSTRAINT_UNIQUE" || code === "SQLITE_CONSTRAINT_PRIMARYKEY" || code === "23505") return "P2002";
  if (code === "SQLITE_CONSTRAINT_FOREIGNKEY" || code === "23503") return "P2003";
  return null;
}

export async function closeDirectDatabase() {
  holder.tacSqlite?.close();
  holder.tacSqlite = undefined;
  await holder.tacPgPool?.end();
  holder.tacPgPool = undefined;
}
