import "server-only";
import Database from "better-sqlite3";
import { isPostgresUrl, prepareSqliteFile } from "@/lib/db-client";
import { env } from "@/lib/env";
import type { ResultRow } from "./store";
import type { VerificationOutcome } from "./types";

/**
 * The hot write path of a run on SQLite: results and tenant statuses through prepared statements on a
 * dedicated connection. Through Prisma each result cost over a millisecond of CPU (query compilation
 * and parameter marshalling), the largest single cost of a 10,000-tenant run; here it is tens of
 * microseconds. WAL mode lets this connection and Prisma's share the file; the busy timeout covers
 * the moments the other one holds the write lock. PostgreSQL uses Prisma (see store.ts).
 * @see https://www.sqlite.org/wal.html
 */

let connection: Database.Database | null = null;
let statements: { insert: Database.Statement; update: Database.Statement; write: (rows: ResultRow[], outcomes: VerificationOutcome[]) => number } | null = null;

export function sqliteSinkAvailable() {
  return !isPostgresUrl(env.DATABASE_URL);
}

/** Prisma's text form of a DateTime on SQLite, so rows read back exactly like Prisma's own. */
export function sqliteDate(d: Date) {
  return d.toISOString().replace("Z", "+00:00");
}

function prepare() {
  if (statements) return statements;
  connection = new Database(prepareSqliteFile(env.DATABASE_URL), { timeout: 15_000 });
  connection.pragma("journal_mode = WAL");
  // better-sqlite3 is synchronous: an fsync per commit would stall every in-flight verification.
  // In WAL mode NORMAL loses nothing on a process crash, only on power loss, and a lost result is
  // simply verified again when the run resumes. @see https://www.sqlite.org/pragma.html#pragma_synchronous
  connection.pragma("synchronous = NORMAL");
  connection.pragma("foreign_keys = ON");
  const insert = connection.prepare(
    `INSERT INTO "VerificationResult" ("id","runId","tenantId","status","reasonCode","message","details","durationMs","startedAt","finishedAt") VALUES (?,?,?,?,?,?,?,?,?,?)`,
  );
  const update = connection.prepare(
    `UPDATE "Tenant" SET "lastVerifiedAt" = ?, "lastStatus" = ?, "lastStatusCode" = ?, "lastStatusMessage" = ?, "accessBreaksAt" = ?, "version" = "version" + 1, "updatedAt" = ? WHERE "id" = ?`,
  );
  const write = connection.transaction((rows: ResultRow[], outcomes: VerificationOutcome[]) => {
    let written = 0;
    const now = sqliteDate(new Date());
    for (let i = 0; i < rows.length; i++) {
      const r = rows[i]!;
      const o = outcomes[i]!;
      try {
        insert.run(r.id, r.runId, r.tenantId, r.status, r.reasonCode, r.message, r.details, r.durationMs, sqliteDate(r.startedAt), sqliteDate(r.finishedAt));
      } catch {
        // The tenant was deleted meanwhile, or already has a result in this run: skip it, keep the others.
        continue;
      }
      update.run(sqliteDate(o.finishedAt), o.status, o.reasonCode, o.message, o.accessBreaksAt ? sqliteDate(o.accessBreaksAt) : null, now, o.tenantId);
      written++;
    }
    return written;
  });
  statements = { insert, update, write };
  return statements;
}

/** Writes a batch in one transaction; returns how many results were stored. */
export function writeResultsSqlite(rows: ResultRow[], outcomes: VerificationOutcome[]): number {
  return prepare().write(rows, outcomes);
}

export function closeSqliteSink() {
  connection?.close();
  connection = null;
  statements = null;
}
