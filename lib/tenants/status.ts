import "server-only";
import { db } from "@/lib/db";
import type { ReasonCode } from "@/lib/entra/reasons";
import type { Prisma } from "@/lib/generated/prisma/client";
import { outcomeRow, type VerificationOutcome } from "@/lib/verification/outcome";

/**
 * The one writer of a tenant's status: Tenant.lastStatus, lastStatusCode, lastStatusMessage,
 * lastVerifiedAt and accessBreaksAt change here and nowhere else, always with a version bump (the
 * optimistic-concurrency counter every edit checks). Verification runs, a single verification, the
 * consent callback and authorization removal all go through these functions, on both databases, through
 * Prisma. Callers that own a transaction (a run's batch with its fence and counters) take the
 * operations; the others call the functions that run their own.
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
