import "server-only";
import { db } from "@/lib/db";
import type { RetryPolicy } from "@/lib/entra/http";
import { runPrismaBatch } from "@/lib/jobs/prisma-batch";
import type { JobKind } from "@/lib/jobs/types";
import { directoryWrites, readTenantDirectory, reloadRefused, retryPolicyFromEnv, type DirectoryReload } from "@/lib/verification/engine";
import { loadRegistrations, tenantSelect, toLoaded, type LoadedTenant, type RegistrationSet } from "@/lib/verification/store";

/**
 * Reload All as a job kind: refreshes organization name, default domain and verified tenant ID of every
 * reachable tenant (last status Verified or Warning) from Graph. Reloading a tenant writes no result row
 * of its own, so a JobRunItem marks it done in the run.
 */

const CONCURRENCY = 8;
const reachable = { lastStatus: { in: ["VERIFIED" as const, "WARNING" as const] } };

type Shared = { registrations: RegistrationSet; policy: RetryPolicy };
type Item = { id: string; loaded: LoadedTenant };
type Result = { tenantId: string; reload: DirectoryReload };

export const reloadDirectoryKind: JobKind<Item, Result, Shared> = {
  name: "reload-directory",
  defaultConcurrency: () => CONCURRENCY,
  count: () => db.tenant.count({ where: reachable }),
  async scopeIds(_selection, after, limit) {
    const rows = await db.tenant.findMany({
      where: after !== null ? { ...reachable, id: { gt: after } } : reachable,
      orderBy: { id: "asc" },
      take: limit,
      select: { id: true },
    });
    return rows.map((r) => r.id);
  },
  async load(run, ids) {
    const [rows, done] = await Promise.all([
      db.tenant.findMany({ where: { id: { in: ids } }, select: tenantSelect }),
      db.jobRunItem.findMany({ where: { runId: run.id, itemId: { in: ids } }, select: { itemId: true } }),
    ]);
    const skip = new Set(done.map((d) => d.itemId));
    const order = new Map(ids.map((id, i) => [id, i]));
    return rows
      .filter((r) => !skip.has(r.id))
      .sort((a, b) => order.get(a.id)! - order.get(b.id)!)
      .map((r) => ({ id: r.id, loaded: toLoaded(r) }));
  },
  prepare: async () => ({ registrations: await loadRegistrations(), policy: retryPolicyFromEnv() }),
  process: async (item, { shared, signal }) => ({
    tenantId: item.id,
    reload: await readTenantDirectory(item.loaded, shared.registrations, { policy: shared.policy, signal }),
  }),
  category: (r) => (r.reload.ok ? "ok" : "failed"),
  counterNames: { ok: "reloaded", warning: "warnings", failed: "failed" },
  write: (run, results, counts) =>
    runPrismaBatch(run, counts, [
      db.jobRunItem.createMany({ data: results.map((r) => ({ runId: run.id, itemId: r.tenantId })) }),
      ...results.flatMap((r) => (r.reload.ok ? directoryWrites(r.tenantId, r.reload, { type: "system", label: run.requestedBy }) : [])),
    ]),
  conflict: async (r) => {
    const instead = await reloadRefused(r.tenantId, r.reload);
    return instead ? { tenantId: r.tenantId, reload: instead } : undefined;
  },
  audit: { target: "directory_reload", started: "directory_reload.started", completed: "directory_reload.completed", cancelled: "directory_reload.cancelled" },
};
