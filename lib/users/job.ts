import "server-only";
import { db } from "@/lib/db";
import { env } from "@/lib/env";
import { callPolicy, type RetryPolicy } from "@/lib/entra/http";
import { runPrismaBatch } from "@/lib/jobs/prisma-batch";
import type { JobKind } from "@/lib/jobs/types";
import { syncTenantUsers, type UserSyncResult } from "./sync";

export { userSyncSlot } from "./slot";

/**
 * User sync as a job kind. An item is a tenant, and a tenant's whole sync is one item: its pages must be
 * read in order (each link comes from the previous page), so they cannot be spread over processes or
 * slots like the items of a run. Progress inside the item (users and pages so far) is written with each
 * page on the tenant's TenantUserSync row, in the page's own transaction, which every instance reads.
 *
 * "Synchronize users" on one tenant starts a run scoped to that tenant in the slot `user-sync:<tenant>`
 * (runs for different tenants proceed side by side; a second click joins the running one). The optional
 * schedule (USER_SYNC_SCHEDULE_HOURS) starts a run over every reachable tenant in the slot `user-sync`.
 * A tenant synced by both at once is held by one (claim on TenantUserSync); the other counts it as a
 * warning ("busy"). Cancel is the engine's: its signal aborts the sync's call in flight.
 */

const reachable = { lastStatus: { in: ["VERIFIED" as const, "WARNING" as const] } };

type Item = { id: string };
type Shared = { policy: RetryPolicy };

export const userSyncKind: JobKind<Item, UserSyncResult, Shared> = {
  name: "user-sync",
  defaultConcurrency: () => env.USER_SYNC_CONCURRENCY,
  count: ({ scope }) => (scope ? db.tenant.count({ where: { id: { in: scope } } }) : db.tenant.count({ where: reachable })),
  async scopeIds({ scope }, after, limit) {
    const where = scope ? { id: { in: scope } } : reachable;
    const rows = await db.tenant.findMany({
      where: after !== null ? { ...where, id: { ...(scope ? { in: scope } : {}), gt: after } } : where,
      orderBy: { id: "asc" },
      take: limit,
      select: { id: true },
    });
    return rows.map((r) => r.id);
  },
  async load(run, ids) {
    const [rows, done] = await Promise.all([
      db.tenant.findMany({ where: { id: { in: ids } }, select: { id: true } }),
      db.jobRunItem.findMany({ where: { runId: run.id, itemId: { in: ids } }, select: { itemId: true } }),
    ]);
    const exists = new Set(rows.map((r) => r.id));
    const skip = new Set(done.map((d) => d.itemId));
    return ids.filter((id) => exists.has(id) && !skip.has(id)).map((id) => ({ id }));
  },
  // A sync is background work like Verify All: the same timeout, retries and Retry-After ceiling.
  prepare: async () => ({ policy: callPolicy("verification") }),
  process: (item, { run, shared, signal }) => syncTenantUsers(item.id, { runId: run.id, policy: shared.policy, signal }),
  category: (r) => (r.status === "SUCCEEDED" || r.status === "GONE" ? "ok" : r.status === "BUSY" ? "warning" : "failed"),
  counterNames: { ok: "synchronized", warning: "busy", failed: "failed" },
  write: (run, results, counts) =>
    runPrismaBatch(run, counts, [db.jobRunItem.createMany({ data: results.map((r) => ({ runId: run.id, itemId: r.tenantId })) })]),
  audit: { target: "user_sync", started: "user_sync.started", completed: "user_sync.completed", cancelled: "user_sync.cancelled" },
};
