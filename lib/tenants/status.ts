import "server-only";
import { db } from "@/lib/db";
import { asPrismaCode, directDatabase, sqliteDate } from "@/lib/db-direct";
import { RunEndedError, type RunCounts } from "@/lib/jobs/types";
import type { ReasonCode } from "@/lib/entra/reasons";
import type { Prisma } from "@/lib/generated/prisma/client";
import { outcomeRow, type VerificationOutcome } from "@/lib/verification/outcome";

/**
 * The one writer of a tenant's status: Tenant.lastStatus, lastStatusCode, lastStatusMessage,
 * lastVerifiedAt and accessBreaksAt change here and nowhere else, always with a version bump (the
 * optimistic-concurrency counter every edit checks). Verification runs, a single verification, the
 * consent callback and authorization removal all go through these functions, on both databases.
 * Callers that own a transaction take the operations; the others call the functions that run their own.
 * A run's batches (writeRunBatch) go to the database driver with prepared statements instead of Prisma:
 * that is the run's hot path (see lib/db-direct.ts for the measured cost).
 */

type StatusFields = Pick<VerificationOutcome, "status" | "reasonCode" | "message"> & { at: Date; accessBreaksAt?: Date | null };

function statusData(s: StatusFields) {
  return {
    lastStatus: s.status,
    lastStatusCode: s.reasonCode,
    lastStatusMessage: s.message,
    lastVerifiedAt: s.at,
    ...(s.accessBreaksAt === undefined ? {} : { accessBreaksAt: s.accessBreaksAt }),
    version: { increment: 1 },
  } satisfies Prisma.TenantUpdateManyMutationInput;
}

/**
 * Status updates for outcomes, one statement per distinct status (most tenants of a run share one)
 * instead of one per tenant. lastVerifiedAt is the latest finish time in the group.
 */
export function statusWrites(outcomes: VerificationOutcome[]): Prisma.PrismaPromise<unknown>[] {
  const groups = new Map<string, { ids: string[]; o: VerificationOutcome; at: Date }>();
  for (const o of outcomes) {
    const key = JSON.stringify([o.status, o.reasonCode, o.message, o.accessBreaksAt?.getTime() ?? null]);
    const g = groups.get(key);
    if (g) {
      g.ids.push(o.tenantId);
      if (o.finishedAt > g.at) g.at = o.finishedAt;
    } else {
      groups.set(key, { ids: [o.tenantId], o, at: o.finishedAt });
    }
  }
  return [...groups.values()].map(({ ids, o, at }) =>
    db.tenant.updateMany({ where: { id: { in: ids } }, data: statusData({ ...o, at, accessBreaksAt: o.accessBreaksAt }) }),
  );
}

/**
 * Everything a batch of outcomes writes: their results (one createMany) and the tenants' statuses.
 * Run them in one transaction (`db.$transaction([...fence, ...outcomeWrites(runId, outcomes)])`); a
 * tenant deleted meanwhile, or one that already has a result in the run, fails the whole batch (P2003 or
 * P2002), and the caller retries the outcomes one by one.
 */
export function outcomeWrites(runId: string | null, outcomes: VerificationOutcome[]): Prisma.PrismaPromise<unknown>[] {
  if (outcomes.length === 0) return [];
  return [db.verificationResult.createMany({ data: outcomes.map((o) => outcomeRow(o, runId)) }), ...statusWrites(outcomes)];
}

/** One outcome outside a run's batches (a single verification): its result and the tenant's status, in one transaction. */
export async function recordVerification(outcome: VerificationOutcome, runId: string | null = null): Promise<void> {
  await db.$transaction(outcomeWrites(runId, [outcome]));
}

/**
 * A failure learnt without a verification, such as a consent the customer's admin declined: the status
 * only (no result row), and the access deadline stays as it was.
 */
export async function recordFailure(tenantId: string, failure: { reasonCode: ReasonCode; message: string }): Promise<void> {
  await db.tenant.update({ where: { id: tenantId }, data: statusData({ status: "FAILED", ...failure, at: new Date() }) });
}

/** Forgets the access deadline once the credentials it came from are gone (for the caller's transaction). */
export function clearAccessDeadline(tenantId: string): Prisma.PrismaPromise<unknown> {
  return db.tenant.update({ where: { id: tenantId }, data: { accessBreaksAt: null, version: { increment: 1 } } });
}

/** A run's batch of outcomes, with what it adds to the run's counters. */
export type RunBatch = { runId: string; outcomes: VerificationOutcome[]; counts: RunCounts };

/** A driver failure in Prisma's terms (P2002 duplicate result, P2003 tenant gone), for the caller's fallback. */
function prismaLike(e: unknown): unknown {
  const code = asPrismaCode(e);
  return code ? Object.assign(new Error(`${code} in a run batch`), { code }) : e;
}

/**
 * A run's batch in one transaction: the run's counters, only while the run is RUNNING (RunEndedError
 * otherwise: nothing is written after a cancel), the results, and the tenants' statuses. A duplicate
 * result (P2002) or a deleted tenant (P2003) fails the whole batch; the caller writes it again one
 * outcome at a time.
 */
export async function writeRunBatch(batch: RunBatch): Promise<void> {
  if (batch.outcomes.length === 0) return;
  const target = directDatabase();
  const rows = batch.outcomes.map((o) => outcomeRow(o, batch.runId));
  const now = new Date();
  if (target.kind === "sqlite") {
    const statements = sqliteStatements(target.db);
    try {
      statements.write(batch, rows, sqliteDate(now));
    } catch (e) {
      throw e instanceof RunEndedError ? e : prismaLike(e);
    }
    return;
  }
  const client = await target.pool.connect();
  try {
    await client.query("BEGIN");
    const fenced = await client.query(
      `UPDATE "JobRun" SET "ok" = "ok" + $2, "warnings" = "warnings" + $3, "failed" = "failed" + $4 WHERE "id" = $1 AND "status" = 'RUNNING'`,
      [batch.runId, batch.counts.ok, batch.counts.warnings, batch.counts.failed],
    );
    if (fenced.rowCount !== 1) throw new RunEndedError();
    const iso = (d: Date | string | null | undefined) => (d ? new Date(d).toISOString() : null);
    await client.query(
      `INSERT INTO "VerificationResult" ("id", "runId", "tenantId", "status", "reasonCode", "message", "details", "durationMs", "startedAt", "finishedAt")
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::"VerificationStatus"[], $5::text[], $6::text[], $7::text[], $8::int[], $9::timestamp(3)[], $10::timestamp(3)[])`,
      [
        rows.map((r) => r.id),
        rows.map((r) => r.runId),
        rows.map((r) => r.tenantId),
        rows.map((r) => r.status),
        rows.map((r) => r.reasonCode),
        rows.map((r) => r.message),
        rows.map((r) => r.details),
        rows.map((r) => r.durationMs),
        rows.map((r) => iso(r.startedAt)),
        rows.map((r) => iso(r.finishedAt)),
      ],
    );
    // Timestamps travel as UTC text: a timestamp column keeps the wall clock given, as Prisma stores it.
    await client.query(
      `UPDATE "Tenant" t SET "lastStatus" = v.status::"VerificationStatus", "lastStatusCode" = v.code, "lastStatusMessage" = v.message, "lastVerifiedAt" = v.at,
         "accessBreaksAt" = v.breaks, "version" = t."version" + 1, "updatedAt" = $7::timestamp(3)
       FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::timestamp(3)[], $6::timestamp(3)[]) AS v(id, status, code, message, at, breaks)
       WHERE t."id" = v.id`,
      [
        batch.outcomes.map((o) => o.tenantId),
        batch.outcomes.map((o) => o.status),
        batch.outcomes.map((o) => o.reasonCode),
        batch.outcomes.map((o) => o.message),
        batch.outcomes.map((o) => iso(o.finishedAt)),
        batch.outcomes.map((o) => iso(o.accessBreaksAt)),
        now.toISOString(),
      ],
    );
    await client.query("COMMIT");
  } catch (e) {
    await client.query("ROLLBACK").catch(() => {});
    throw e instanceof RunEndedError ? e : prismaLike(e);
  } finally {
    client.release();
  }
}

type ResultRow = ReturnType<typeof outcomeRow>;
type SqliteStatements = { write: (batch: RunBatch, rows: ResultRow[], now: string) => void };
const prepared = new WeakMap<object, SqliteStatements>();

/** Prepared once per connection; the batch runs as one better-sqlite3 transaction (rolled back on any throw). */
function sqliteStatements(conn: import("better-sqlite3").Database): SqliteStatements {
  let s = prepared.get(conn);
  if (s) return s;
  const fence = conn.prepare(
    `UPDATE "JobRun" SET "ok" = "ok" + ?, "warnings" = "warnings" + ?, "failed" = "failed" + ? WHERE "id" = ? AND "status" = 'RUNNING'`,
  );
  const insert = conn.prepare(
    `INSERT INTO "VerificationResult" ("id", "runId", "tenantId", "status", "reasonCode", "message", "details", "durationMs", "startedAt", "finishedAt") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const update = conn.prepare(
    `UPDATE "Tenant" SET "lastStatus" = ?, "lastStatusCode" = ?, "lastStatusMessage" = ?, "lastVerifiedAt" = ?, "accessBreaksAt" = ?, "version" = "version" + 1, "updatedAt" = ? WHERE "id" = ?`,
  );
  const date = (d: Date | string | null | undefined) => (d ? sqliteDate(new Date(d)) : null);
  const write = conn.transaction((batch: RunBatch, rows: ResultRow[], now: string) => {
    if (fence.run(batch.counts.ok, batch.counts.warnings, batch.counts.failed, batch.runId).changes !== 1) throw new RunEndedError();
    for (const r of rows)
      insert.run(r.id, r.runId, r.tenantId, r.status, r.reasonCode, r.message, r.details, r.durationMs, date(r.startedAt), date(r.finishedAt));
    for (const o of batch.outcomes) update.run(o.status, o.reasonCode, o.message, date(o.finishedAt), date(o.accessBreaksAt), now, o.tenantId);
  });
  s = { write };
  prepared.set(conn, s);
  return s;
}
