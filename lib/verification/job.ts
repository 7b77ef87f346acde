import "server-only";
import { db } from "@/lib/db";
import { env } from "@/lib/env";
import type { RetryPolicy } from "@/lib/entra/http";
import type { Prisma } from "@/lib/generated/prisma/client";
import { AUTOMATIC_TRIGGER, type JobKind, type RunSelection } from "@/lib/jobs/types";
import { CredentialGate } from "./credential-gate";
import { retryPolicyFromEnv, runCheck } from "./engine";
import { writeRunBatch } from "@/lib/tenants/status";
import type { VerificationOutcome } from "./outcome";
import { loadRegistrations, toLoaded, tenantSelect, type LoadedTenant, type RegistrationSet } from "./store";

/**
 * Verify All (or a selection) as a job kind: the items are tenants, each verified the way its method
 * works; a result is a VerificationResult row in the run plus the tenant's status, so a tenant with a
 * result in the run is done.
 */

type Shared = { registrations: RegistrationSet; policy: RetryPolicy; gate: CredentialGate };

/**
 * The tenants a run covers. An automatic run (trigger "schedule": the scheduled Verify All, the
 * keep-alive) leaves out tenants the failure policy has put on a backoff (nextCheckAt later than the
 * run's start); a run a person or a program starts covers them all.
 */
function selectionWhere({ scope, trigger, startedAt }: RunSelection, after: string | null = null): Prisma.TenantWhereInput {
  const where: Prisma.TenantWhereInput = {};
  if (after !== null || scope) where.id = { ...(after !== null ? { gt: after } : {}), ...(scope ? { in: scope } : {}) };
  if (trigger === AUTOMATIC_TRIGGER) where.OR = [{ nextCheckAt: null }, { nextCheckAt: { lte: startedAt } }];
  return where;
}

export const verifyKind: JobKind<LoadedTenant["tenant"] & { loaded: LoadedTenant }, VerificationOutcome, Shared> = {
  name: "verify",
  defaultConcurrency: () => env.VERIFY_CONCURRENCY,
  count: (selection) => db.tenant.count({ where: selectionWhere(selection) }),
  async scopeIds(selection, after, limit) {
    const rows = await db.tenant.findMany({ where: selectionWhere(selection, after), orderBy: { id: "asc" }, take: limit, select: { id: true } });
    return rows.map((r) => r.id);
  },
  async load(run, ids) {
    const rows = await db.tenant.findMany({ where: { id: { in: ids }, results: { none: { runId: run.id } } }, select: tenantSelect });
    const order = new Map(ids.map((id, i) => [id, i]));
    return rows
      .sort((a, b) => order.get(a.id)! - order.get(b.id)!)
      .map((r) => {
        const loaded = toLoaded(r);
        return { ...loaded.tenant, loaded };
      });
  },
  // One credential gate per run and process: a rejected app credential stops further calls with it (./credential-gate.ts).
  prepare: async () => ({ registrations: await loadRegistrations(), policy: retryPolicyFromEnv(), gate: new CredentialGate() }),
  // A cancelled call throws (CallCancelledError): the tenant is handed back, not recorded.
  process: (item, { shared, signal }) => runCheck(item.loaded, shared.registrations, { policy: shared.policy, signal, gate: shared.gate }),
  category: (o) => (o.status === "VERIFIED" ? "ok" : o.status === "WARNING" ? "warning" : "failed"),
  counterNames: { ok: "verified", warning: "warnings", failed: "failed" },
  write: (run, outcomes, counts) => writeRunBatch({ runId: run.id, outcomes, counts }),
  audit: { target: "verification_run", started: "verification_run.started", completed: "verification_run.completed", cancelled: "verification_run.cancelled" },
};
