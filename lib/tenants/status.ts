import "server-only";
import { db } from "@/lib/db";
import { asPrismaCode, directDatabase, sqliteDate } from "@/lib/db-direct";
import { RunEndedError, type RunCounts } from "@/lib/jobs/types";
import { auditRow, systemActor } from "@/lib/audit";
import { env } from "@/lib/env";
import type { ReasonCode } from "@/lib/entra/reasons";
import type { Prisma, VerificationStatus } from "@/lib/generated/prisma/client";
import { outcomeRow, type VerificationOutcome } from "@/lib/verification/outcome";
import {
  applyCheck,
  consentReceived,
  runSummaryKeys,
  statusChange,
  summaryKey,
  type CheckResult,
  type CheckState,
  type CheckUpdate,
  type PolicySettings,
  type RunSummaryKey,
  type StatusChange,
} from "./failure-policy";

/**
 * The one writer of a tenant's status: Tenant.lastStatus, lastStatusCode, lastStatusMessage,
 * lastVerifiedAt and accessBreaksAt change here and nowhere else, always with a version bump (the
 * optimistic-concurrency counter every edit checks). Verification runs, a single verification, the
 * consent callback and authorization removal all go through these functions, on both databases.
 * Callers that own a transaction take the operations; the others call the functions that run their own.
 * A run's batches (writeRunBatch) go to the database driver with prepared statements instead of Prisma:
 * that is the run's hot path (see lib/db-direct.ts for the measured cost).
 */

/** The failure policy's settings (lib/env.ts). */
export function policySettings(): PolicySettings {
  return {
    transientFailures: env.VERIFY_TRANSIENT_FAILURES,
    transientWindowMs: env.VERIFY_TRANSIENT_MINUTES * 60_000,
    consentWindowMs: env.CONSENT_CONFIRM_WINDOW_SECONDS * 1000,
    consentBackoffMs: env.CONSENT_CONFIRM_BACKOFF_SECONDS * 1000,
    consentBackoffMaxMs: env.CONSENT_CONFIRM_BACKOFF_MAX_SECONDS * 1000,
  };
}

const checkStateSelect = {
  lastStatus: true,
  lastStatusCode: true,
  lastStatusMessage: true,
  lastVerifiedAt: true,
  accessBreaksAt: true,
  failureStreak: true,
  failingSince: true,
  consentConfirmingUntil: true,
} satisfies Prisma.TenantSelect;

function statusChangeAudit(change: StatusChange) {
  return auditRow({
    action: "tenant.status_changed",
    actor: systemActor,
    target: { type: "tenant", id: change.tenantId },
    details: { from: change.from, to: change.to, reason: change.reasonCode },
  });
}

/**
 * Applies one check to a tenant in the caller's interactive transaction: the policy's fields, a version
 * bump, and an audit row when the status changed. False when the tenant no longer exists.
 */
async function applyInTransaction(tx: Prisma.TransactionClient, tenantId: string, check: CheckResult): Promise<boolean> {
  const prev = await tx.tenant.findUnique({ where: { id: tenantId }, select: checkStateSelect });
  if (!prev) return false;
  const next = applyCheck(prev, check, policySettings());
  await tx.tenant.update({ where: { id: tenantId }, data: { ...next, lastStatus: next.lastStatus as VerificationStatus, version: { increment: 1 } } });
  const change = statusChange(tenantId, prev, next);
  if (change) await tx.auditEvent.create({ data: statusChangeAudit(change) });
  return true;
}

/**
 * One outcome outside a run's batches (a single verification): its result and the tenant's status under
 * the failure policy, in one transaction. A tenant deleted meanwhile fails it (P2003).
 */
export async function recordVerification(outcome: VerificationOutcome, runId: string | null = null): Promise<void> {
  await db.$transaction(async (tx) => {
    await tx.verificationResult.create({ data: outcomeRow(outcome, runId) });
    await applyInTransaction(tx, outcome.tenantId, outcome);
  });
}

/**
 * A failure learnt without a verification, such as a consent the customer's admin declined: the status
 * under the failure policy, without a result row.
 */
export async function recordFailure(tenantId: string, failure: { reasonCode: ReasonCode; message: string }): Promise<void> {
  await db.$transaction(async (tx) => {
    await applyInTransaction(tx, tenantId, { status: "FAILED", ...failure, finishedAt: new Date(), accessBreaksAt: null });
  });
}

/**
 * A customer's admin consented (the consent callback): the tenant shows "Consent received — confirming"
 * and is checked again on the consent backoff until it is verified or the window ends (failure-policy.ts);
 * the checks run on the job engine (lib/verification/scheduler.ts, startConsentConfirmation), so they
 * survive a restart and run once across instances.
 */
export async function recordConsentReceived(tenantId: string, now = new Date()): Promise<void> {
  await db.$transaction(async (tx) => {
    const prev = await tx.tenant.findUnique({ where: { id: tenantId }, select: checkStateSelect });
    if (!prev) return;
    const next = consentReceived(prev, now, policySettings());
    await tx.tenant.update({ where: { id: tenantId }, data: { ...next, lastStatus: next.lastStatus as VerificationStatus, version: { increment: 1 } } });
    const change = statusChange(tenantId, prev, next);
    if (change) await tx.auditEvent.create({ data: statusChangeAudit(change) });
  });
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
 * otherwise: nothing is written after a cancel), the results, the tenants' statuses under the failure
 * policy, and an audit row per status that changed. A duplicate result (P2002) or a deleted tenant
 * (P2003) fails the whole batch; the caller writes it again one outcome at a time.
 */
export async function writeRunBatch(batch: RunBatch): Promise<void> {
  if (batch.outcomes.length === 0) return;
  const target = directDatabase();
  const rows = batch.outcomes.map((o) => outcomeRow(o, batch.runId));
  const now = new Date();
  const settings = policySettings();
  if (target.kind === "sqlite") {
    const statements = sqliteStatements(target.db);
    try {
      statements.write(batch, rows, now, settings);
    } catch (e) {
      throw e instanceof RunEndedError ? e : prismaLike(e);
    }
    return;
  }
  const client = await target.pool.connect();
  try {
    await client.query("BEGIN");
    // Timestamps are stored as UTC wall clock (timestamp without time zone, as Prisma does): read them
    // back as timestamptz so node-postgres does not take them for local time. Rows locked in id order.
    const { rows: prevRows } = await client.query<CheckState & { id: string }>(
      `SELECT "id", "lastStatus"::text AS "lastStatus", "lastStatusCode", "lastStatusMessage", "lastVerifiedAt" AT TIME ZONE 'UTC' AS "lastVerifiedAt",
         "accessBreaksAt" AT TIME ZONE 'UTC' AS "accessBreaksAt", "failureStreak", "failingSince" AT TIME ZONE 'UTC' AS "failingSince",
         "consentConfirmingUntil" AT TIME ZONE 'UTC' AS "consentConfirmingUntil"
       FROM "Tenant" WHERE "id" = ANY($1::text[]) ORDER BY "id" FOR UPDATE`,
      [batch.outcomes.map((o) => o.tenantId)],
    );
    const { updates, audits, summary } = applyBatch(batch.outcomes, new Map(prevRows.map((r) => [r.id, r])), settings, now);
    const iso = (d: Date | string | null | undefined) => (d ? new Date(d).toISOString() : null);
    // Everything else in one statement (one round trip): the run's counters and summary, fenced on the run
    // still RUNNING, and only then the results, the tenants' statuses and the audit rows.
    const { rows: fenced } = await client.query<{ n: number }>(PG_BATCH_SQL, [
      batch.runId,
      batch.counts.ok,
      batch.counts.warnings,
      batch.counts.failed,
      ...summaryValues(summary),
      // Results ($11–$20)
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
      // Tenants ($21–$33)
      updates.map((u) => u.id),
      updates.map((u) => u.lastStatus),
      updates.map((u) => u.lastStatusCode),
      updates.map((u) => u.lastStatusMessage),
      updates.map((u) => iso(u.lastVerifiedAt)),
      updates.map((u) => iso(u.accessBreaksAt)),
      updates.map((u) => iso(u.lastCheckAt)),
      updates.map((u) => u.lastCheckCode),
      updates.map((u) => u.failureStreak),
      updates.map((u) => iso(u.failingSince)),
      updates.map((u) => iso(u.nextCheckAt)),
      updates.map((u) => iso(u.consentConfirmingUntil)),
      now.toISOString(),
      // Audit rows ($34–$43)
      audits.map((a) => a.id),
      audits.map((a) => iso(a.at)),
      audits.map((a) => a.action),
      audits.map((a) => a.actorType),
      audits.map((a) => a.actorId),
      audits.map((a) => a.actorLabel),
      audits.map((a) => a.targetType),
      audits.map((a) => a.targetId),
      audits.map((a) => a.requestId),
      audits.map((a) => a.details),
    ]);
    if (fenced[0]?.n !== 1) throw new RunEndedError();
    await client.query("COMMIT");
  } catch (e) {
    await client.query("ROLLBACK").catch(() => {});
    throw e instanceof RunEndedError ? e : prismaLike(e);
  } finally {
    client.release();
  }
}

/**
 * A run's batch on PostgreSQL after its tenants were read (writeRunBatch): one statement. The counters and
 * the summary are one UPDATE of the run (two updates of one row in a statement would lose one); the other
 * writes happen only when that fence matched (data-modifying CTEs all run, so each is gated on it). A
 * duplicate result or a deleted tenant fails the whole statement, as before.
 */
const PG_BATCH_SQL = `WITH fence AS (
    UPDATE "JobRun" SET "ok" = "ok" + $2, "warnings" = "warnings" + $3, "failed" = "failed" + $4,
      ${summaryIncrements(5)}
    WHERE "id" = $1 AND "status" = 'RUNNING' RETURNING "id"
  ), results AS (
    INSERT INTO "VerificationResult" ("id", "runId", "tenantId", "status", "reasonCode", "message", "details", "durationMs", "startedAt", "finishedAt")
    SELECT r.* FROM unnest($11::text[], $12::text[], $13::text[], $14::"VerificationStatus"[], $15::text[], $16::text[], $17::text[], $18::int[], $19::timestamp(3)[], $20::timestamp(3)[])
      AS r(id, run_id, tenant_id, status, code, message, details, ms, started, finished)
    WHERE EXISTS (SELECT 1 FROM fence)
  ), tenants AS (
    UPDATE "Tenant" t SET "lastStatus" = v.status::"VerificationStatus", "lastStatusCode" = v.code, "lastStatusMessage" = v.message, "lastVerifiedAt" = v.verified,
      "accessBreaksAt" = v.breaks, "lastCheckAt" = v.checked, "lastCheckCode" = v.check_code, "failureStreak" = v.streak, "failingSince" = v.since,
      "nextCheckAt" = v.next, "consentConfirmingUntil" = v.confirming, "version" = t."version" + 1, "updatedAt" = $33::timestamp(3)
    FROM unnest($21::text[], $22::text[], $23::text[], $24::text[], $25::timestamp(3)[], $26::timestamp(3)[], $27::timestamp(3)[], $28::text[], $29::int[], $30::timestamp(3)[], $31::timestamp(3)[], $32::timestamp(3)[])
      AS v(id, status, code, message, verified, breaks, checked, check_code, streak, since, next, confirming)
    WHERE t."id" = v.id AND EXISTS (SELECT 1 FROM fence)
  ), audits AS (
    INSERT INTO "AuditEvent" ("id", "at", "action", "actorType", "actorId", "actorLabel", "targetType", "targetId", "requestId", "details")
    SELECT a.* FROM unnest($34::text[], $35::timestamp(3)[], $36::text[], $37::text[], $38::text[], $39::text[], $40::text[], $41::text[], $42::text[], $43::text[])
      AS a(id, at, action, actor_type, actor_id, actor_label, target_type, target_id, request_id, details)
    WHERE EXISTS (SELECT 1 FROM fence)
  )
  SELECT count(*)::int AS n FROM fence`;

/**
 * The policy over a batch: each tenant's new fields, the audit rows of the statuses that changed, and what
 * the batch adds to the run's summary (failure-policy.ts, summaryKey).
 */
function applyBatch(outcomes: VerificationOutcome[], prev: Map<string, CheckState>, settings: PolicySettings, now: Date) {
  const updates: (CheckUpdate & { id: string })[] = [];
  const audits: ReturnType<typeof auditRow>[] = [];
  const summary = Object.fromEntries(runSummaryKeys.map((k) => [k, 0])) as Record<RunSummaryKey, number>;
  for (const o of outcomes) {
    const before = prev.get(o.tenantId);
    if (!before) continue;
    const next = applyCheck(before, o, settings);
    updates.push({ ...next, id: o.tenantId });
    summary[summaryKey(before, next, o)]++;
    const change = statusChange(o.tenantId, before, next);
    if (change) audits.push({ ...statusChangeAudit(change), at: now });
  }
  return { updates, audits, summary };
}

/** The run's summary counters (JobRun.summaryVerified…), in runSummaryKeys order, from parameter $first on. */
function summaryIncrements(first: number): string {
  return runSummaryKeys
    .map((k, i) => {
      const column = `"summary${k[0]!.toUpperCase()}${k.slice(1)}"`;
      return `${column} = ${column} + $${first + i}`;
    })
    .join(", ");
}
const SUMMARY_SQL = `UPDATE "JobRun" SET ${summaryIncrements(2)} WHERE "id" = $1`;
const summaryValues = (summary: Record<RunSummaryKey, number>) => runSummaryKeys.map((k) => summary[k]);

type ResultRow = ReturnType<typeof outcomeRow>;
type SqliteStatements = { write: (batch: RunBatch, rows: ResultRow[], now: Date, settings: PolicySettings) => void };
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
  const select = conn.prepare(
    `SELECT "lastStatus", "lastStatusCode", "lastStatusMessage", "lastVerifiedAt", "accessBreaksAt", "failureStreak", "failingSince", "consentConfirmingUntil" FROM "Tenant" WHERE "id" = ?`,
  );
  const update = conn.prepare(
    `UPDATE "Tenant" SET "lastStatus" = ?, "lastStatusCode" = ?, "lastStatusMessage" = ?, "lastVerifiedAt" = ?, "accessBreaksAt" = ?, "lastCheckAt" = ?,
       "lastCheckCode" = ?, "failureStreak" = ?, "failingSince" = ?, "nextCheckAt" = ?, "consentConfirmingUntil" = ?, "version" = "version" + 1, "updatedAt" = ? WHERE "id" = ?`,
  );
  // Anonymous parameters: the six counters, then the run's id (the numbered ones are in that order too).
  const summarize = conn.prepare(SUMMARY_SQL.replace(/\$\d+/g, "?"));
  const audit = conn.prepare(
    `INSERT INTO "AuditEvent" ("id", "at", "action", "actorType", "actorId", "actorLabel", "targetType", "targetId", "requestId", "details") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const date = (d: Date | string | null | undefined) => (d ? sqliteDate(new Date(d)) : null);
  const parsed = (v: unknown) => (v === null || v === undefined ? null : new Date(v as string | number));
  const write = conn.transaction((batch: RunBatch, rows: ResultRow[], now: Date, settings: PolicySettings) => {
    if (fence.run(batch.counts.ok, batch.counts.warnings, batch.counts.failed, batch.runId).changes !== 1) throw new RunEndedError();
    for (const r of rows)
      insert.run(r.id, r.runId, r.tenantId, r.status, r.reasonCode, r.message, r.details, r.durationMs, date(r.startedAt), date(r.finishedAt));
    const prev = new Map<string, CheckState>();
    for (const o of batch.outcomes) {
      const row = select.get(o.tenantId) as Record<string, unknown> | undefined;
      if (!row) continue;
      prev.set(o.tenantId, {
        lastStatus: row.lastStatus as string,
        lastStatusCode: row.lastStatusCode as string | null,
        lastStatusMessage: row.lastStatusMessage as string | null,
        lastVerifiedAt: parsed(row.lastVerifiedAt),
        accessBreaksAt: parsed(row.accessBreaksAt),
        failureStreak: Number(row.failureStreak),
        failingSince: parsed(row.failingSince),
        consentConfirmingUntil: parsed(row.consentConfirmingUntil),
      });
    }
    const { updates, audits, summary } = applyBatch(batch.outcomes, prev, settings, now);
    summarize.run(...summaryValues(summary), batch.runId);
    const stamp = sqliteDate(now);
    for (const u of updates)
      update.run(
        u.lastStatus,
        u.lastStatusCode,
        u.lastStatusMessage,
        date(u.lastVerifiedAt),
        date(u.accessBreaksAt),
        date(u.lastCheckAt),
        u.lastCheckCode,
        u.failureStreak,
        date(u.failingSince),
        date(u.nextCheckAt),
        date(u.consentConfirmingUntil),
        stamp,
        u.id,
      );
    for (const a of audits) audit.run(a.id, date(a.at), a.action, a.actorType, a.actorId, a.actorLabel, a.targetType, a.targetId, a.requestId, a.details);
  });
  s = { write };
  prepared.set(conn, s);
  return s;
}
