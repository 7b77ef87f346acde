import "server-only";
import type Database from "better-sqlite3";
import { db } from "@/lib/db";
import { directDatabase, sqliteDate } from "@/lib/db-direct";
import { env } from "@/lib/env";

/**
 * Where a tenant's user sync is stored. A page of Graph users is written on the database driver in one
 * transaction (one multi-row upsert, one delete for removed users) with the sync's progress and a fence:
 * the tenant's sync must still be held by this run, and the run still RUNNING, or nothing is written.
 * Through Prisma a 999-user page would cost a quarter of a second of CPU (lib/db-direct.ts); on the driver
 * it is a few milliseconds. The sync's own state (claim, outcome) goes through Prisma.
 */

export const USER_FIELDS = ["userPrincipalName", "displayName", "mail", "accountEnabled", "userType"] as const;
type Field = (typeof USER_FIELDS)[number];
const COLUMNS: Record<Field, string> = {
  userPrincipalName: '"userPrincipalName"',
  displayName: '"displayName"',
  mail: '"mail"',
  accountEnabled: '"accountEnabled"',
  userType: '"userType"',
};

/** A user as Graph sent it: a delta page may carry only some properties of a changed user. */
export type SyncedUser = { id: string } & Partial<{
  userPrincipalName: string;
  displayName: string | null;
  mail: string | null;
  accountEnabled: boolean | null;
  userType: string | null;
}>;

export type PageWrite = {
  tenantId: string;
  runId: string;
  generation: number;
  users: SyncedUser[];
  removed: string[];
  progressUsers: number;
  progressPages: number;
};

/** The sync lost its fence (cancelled, or taken over): nothing of the page was written. */
export class SyncFencedError extends Error {
  constructor() {
    super("The user sync no longer holds the tenant");
    this.name = "SyncFencedError";
  }
}

/** Rows grouped by the properties they carry, so each group is one upsert updating only those. */
function groupsOf(users: SyncedUser[]): { fields: Field[]; users: SyncedUser[] }[] {
  const groups = new Map<string, { fields: Field[]; users: SyncedUser[] }>();
  for (const u of users) {
    const fields = USER_FIELDS.filter((f) => f in u);
    const key = fields.join(",");
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { fields, users: [] }));
    g.users.push(u);
  }
  return [...groups.values()];
}

/**
 * Rows that carry a UPN are upserted; a partial change without one can only update a user the list holds
 * (a user new to the list comes with its full state), so it is an UPDATE.
 */
function upsertSql(fields: Field[], rows: number, placeholder: (i: number) => string): string {
  const cols = ['"tenantId"', '"id"', '"generation"', ...fields.map((f) => COLUMNS[f])];
  let p = 0;
  const values = Array.from({ length: rows }, () => `(${cols.map(() => placeholder(++p)).join(", ")})`).join(", ");
  const set = ['"generation" = excluded."generation"', ...fields.map((f) => `${COLUMNS[f]} = excluded.${COLUMNS[f]}`)].join(", ");
  return `INSERT INTO "TenantUser" (${cols.join(", ")}) VALUES ${values} ON CONFLICT ("tenantId", "id") DO UPDATE SET ${set}`;
}

function updateSql(fields: Field[], placeholder: (i: number) => string): string {
  const set = fields.map((f, i) => `${COLUMNS[f]} = ${placeholder(i + 3)}`).join(", ");
  return `UPDATE "TenantUser" SET ${set} WHERE "tenantId" = ${placeholder(1)} AND "id" = ${placeholder(2)}`;
}

/** Writes one page of users in one transaction with the sync's progress, fenced by the run. */
export async function writeUserPage(w: PageWrite): Promise<void> {
  const target = directDatabase();
  const now = new Date();
  if (target.kind === "sqlite") return writeSqlite(target.db, w, now);
  const client = await target.pool.connect();
  try {
    await client.query("BEGIN");
    const fenced = await client.query(
      `UPDATE "TenantUserSync" SET "progressUsers" = $3, "progressPages" = $4, "heartbeatAt" = $5::timestamp(3)
       WHERE "tenantId" = $1 AND "runId" = $2 AND EXISTS (SELECT 1 FROM "JobRun" WHERE "id" = $2 AND "status" = 'RUNNING')`,
      [w.tenantId, w.runId, w.progressUsers, w.progressPages, now.toISOString()],
    );
    if (fenced.rowCount !== 1) throw new SyncFencedError();
    for (const g of groupsOf(w.users)) {
      if (g.fields.includes("userPrincipalName")) {
        // unnest keeps the statement's text and parameter count fixed whatever the page's size.
        const types: Record<Field, string> = { userPrincipalName: "text", displayName: "text", mail: "text", accountEnabled: "boolean", userType: "text" };
        const cols = ['"tenantId"', '"id"', '"generation"', ...g.fields.map((f) => COLUMNS[f])];
        const arrays = [`$1::text[]`, `$2::text[]`, `$3::int[]`, ...g.fields.map((f, i) => `$${i + 4}::${types[f]}[]`)];
        const set = ['"generation" = excluded."generation"', ...g.fields.map((f) => `${COLUMNS[f]} = excluded.${COLUMNS[f]}`)].join(", ");
        await client.query(
          `INSERT INTO "TenantUser" (${cols.join(", ")}) SELECT * FROM unnest(${arrays.join(", ")}) ON CONFLICT ("tenantId", "id") DO UPDATE SET ${set}`,
          [g.users.map(() => w.tenantId), g.users.map((u) => u.id), g.users.map(() => w.generation), ...g.fields.map((f) => g.users.map((u) => u[f] ?? null))],
        );
      } else {
        for (const u of g.users)
          await client.query(
            updateSql(g.fields, (i) => `$${i}`),
            [w.tenantId, u.id, ...g.fields.map((f) => u[f] ?? null)],
          );
      }
    }
    if (w.removed.length) await client.query(`DELETE FROM "TenantUser" WHERE "tenantId" = $1 AND "id" = ANY($2::text[])`, [w.tenantId, w.removed]);
    await client.query("COMMIT");
  } catch (e) {
    await client.query("ROLLBACK").catch(() => {});
    throw e;
  } finally {
    client.release();
  }
}

const sqliteCache = new WeakMap<Database.Database, Map<string, Database.Statement>>();

function prepared(conn: Database.Database, sql: string): Database.Statement {
  let cache = sqliteCache.get(conn);
  if (!cache) sqliteCache.set(conn, (cache = new Map()));
  let st = cache.get(sql);
  if (!st) cache.set(sql, (st = conn.prepare(sql)));
  return st;
}

function sqliteValue(v: unknown) {
  return typeof v === "boolean" ? (v ? 1 : 0) : (v ?? null);
}

function writeSqlite(conn: Database.Database, w: PageWrite, now: Date) {
  conn.transaction(() => {
    const fenced = prepared(
      conn,
      `UPDATE "TenantUserSync" SET "progressUsers" = ?, "progressPages" = ?, "heartbeatAt" = ?
       WHERE "tenantId" = ? AND "runId" = ? AND EXISTS (SELECT 1 FROM "JobRun" WHERE "id" = ? AND "status" = 'RUNNING')`,
    ).run(w.progressUsers, w.progressPages, sqliteDate(now), w.tenantId, w.runId, w.runId);
    if (fenced.changes !== 1) throw new SyncFencedError();
    for (const g of groupsOf(w.users)) {
      if (g.fields.includes("userPrincipalName")) {
        // SQLite allows 32,766 parameters per statement: a 999-user page is one statement.
        const per = Math.floor(30_000 / (3 + g.fields.length));
        for (let i = 0; i < g.users.length; i += per) {
          const chunk = g.users.slice(i, i + per);
          const params: unknown[] = [];
          for (const u of chunk) params.push(w.tenantId, u.id, w.generation, ...g.fields.map((f) => sqliteValue(u[f])));
          prepared(
            conn,
            upsertSql(g.fields, chunk.length, () => "?"),
          ).run(...params);
        }
      } else {
        const st = prepared(
          conn,
          updateSql(g.fields, () => "?"),
        );
        for (const u of g.users) st.run(...g.fields.map((f) => sqliteValue(u[f])), w.tenantId, u.id);
      }
    }
    if (w.removed.length) {
      const st = prepared(conn, `DELETE FROM "TenantUser" WHERE "tenantId" = ? AND "id" = ?`);
      for (const id of w.removed) st.run(w.tenantId, id);
    }
  })();
}

// ---- The sync's state, through Prisma ----

export type Claim = { generation: number; deltaLink: string | null };

/** How long a sync that stopped renewing its heartbeat keeps the tenant before another may take it. */
export function syncLeaseMs() {
  return env.VERIFY_LEASE_SECONDS * 1000;
}

/**
 * Takes the tenant's sync for this run (compare-and-set): free, already this run's (resumed after a
 * crash), or held by a sync whose heartbeat stopped. Null when another sync holds it.
 */
export async function claimSync(tenantId: string, runId: string): Promise<Claim | null | "gone"> {
  try {
    await db.tenantUserSync.upsert({ where: { tenantId }, create: { tenantId }, update: {} });
  } catch (e) {
    const code = (e as { code?: string }).code;
    // P2003: the tenant was deleted meanwhile.
    if (code === "P2003") return "gone";
    if (code !== "P2002") throw e;
  }
  const now = new Date();
  const { count } = await db.tenantUserSync.updateMany({
    where: { tenantId, OR: [{ runId: null }, { runId }, { heartbeatAt: { lt: new Date(now.getTime() - syncLeaseMs()) } }] },
    data: { runId, heartbeatAt: now, startedAt: now, finishedAt: null, status: "RUNNING", progressUsers: 0, progressPages: 0 },
  });
  if (count !== 1) return null;
  const row = await db.tenantUserSync.findUniqueOrThrow({ where: { tenantId }, select: { generation: true, deltaLink: true } });
  return row;
}

/** A full sync starts a new generation: users it does not see again are removed when it completes. */
export async function nextGeneration(tenantId: string, runId: string): Promise<number> {
  const { count } = await db.tenantUserSync.updateMany({ where: { tenantId, runId }, data: { generation: { increment: 1 } } });
  if (count !== 1) throw new SyncFencedError();
  return (await db.tenantUserSync.findUniqueOrThrow({ where: { tenantId }, select: { generation: true } })).generation;
}

/** Renews the sync's hold while a page takes long (a Retry-After wait). */
export async function heartbeat(tenantId: string, runId: string): Promise<boolean> {
  const { count } = await db.tenantUserSync.updateMany({ where: { tenantId, runId }, data: { heartbeatAt: new Date() } });
  return count === 1;
}

/**
 * Completes a sync: a full one removes the users it did not see (older generations); the user count, the
 * delta link to follow next time and the outcome are stored, and the tenant's sync is released. Fenced
 * like a page.
 */
export async function completeSync(
  tenantId: string,
  runId: string,
  o: { mode: "full" | "delta"; generation: number; deltaLink: string | null; progressUsers: number; progressPages: number },
): Promise<number> {
  return db.$transaction(async (tx) => {
    const run = await tx.jobRun.count({ where: { id: runId, status: "RUNNING" } });
    const held = await tx.tenantUserSync.count({ where: { tenantId, runId } });
    if (run !== 1 || held !== 1) throw new SyncFencedError();
    if (o.mode === "full") await tx.tenantUser.deleteMany({ where: { tenantId, generation: { lt: o.generation } } });
    const userCount = await tx.tenantUser.count({ where: { tenantId } });
    const now = new Date();
    await tx.tenantUserSync.update({
      where: { tenantId },
      data: {
        status: "SUCCEEDED",
        userCount,
        lastSyncAt: now,
        lastSyncMode: o.mode,
        reasonCode: null,
        message: null,
        deltaLink: o.deltaLink,
        runId: null,
        heartbeatAt: null,
        finishedAt: now,
        progressUsers: o.progressUsers,
        progressPages: o.progressPages,
      },
    });
    return userCount;
  });
}

/** Ends a sync that failed or was cancelled: the list and the delta link stay as they were. */
export async function endSync(tenantId: string, runId: string, outcome: { status: "FAILED" | "CANCELLED"; reasonCode: string | null; message: string | null }) {
  await db.tenantUserSync.updateMany({
    where: { tenantId, runId },
    data: { status: outcome.status, reasonCode: outcome.reasonCode, message: outcome.message, runId: null, heartbeatAt: null, finishedAt: new Date() },
  });
}
