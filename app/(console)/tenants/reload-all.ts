import "server-only";
import { randomUUID } from "node:crypto";
import type { AuditActor } from "@/lib/audit";
import { db } from "@/lib/db";
import { reloadTenantDirectory } from "@/lib/verification";

/**
 * Reload All: refreshes organization name, default domain and verified tenant ID of every reachable
 * tenant (last status Verified or Warning) from Graph, a few at a time. The job lives in this process's
 * memory: its progress is visible to every admin on this instance, and one job runs at a time.
 */

export type ReloadJob = {
  id: string;
  status: "RUNNING" | "COMPLETED";
  total: number;
  done: number;
  reloaded: number;
  failed: number;
  startedAt: Date;
  finishedAt: Date | null;
};

const CONCURRENCY = 8;
const BATCH = 500;
const store = globalThis as unknown as { tacReloadJobs?: Map<string, ReloadJob> };
const jobs = (store.tacReloadJobs ??= new Map());

export function getReloadJob(id: string): ReloadJob | null {
  return jobs.get(id) ?? null;
}

export function activeReloadJob(): ReloadJob | null {
  return [...jobs.values()].find((j) => j.status === "RUNNING") ?? null;
}

export async function startReloadAll(actor: AuditActor): Promise<{ job: ReloadJob; joined: boolean }> {
  const running = activeReloadJob();
  if (running) return { job: running, joined: true };
  const where = { lastStatus: { in: ["VERIFIED" as const, "WARNING" as const] } };
  const job: ReloadJob = { id: randomUUID(), status: "RUNNING", total: await db.tenant.count({ where }), done: 0, reloaded: 0, failed: 0, startedAt: new Date(), finishedAt: null };
  jobs.set(job.id, job);
  void (async () => {
    let after: string | null = null;
    try {
      for (;;) {
        const rows: { id: string }[] = await db.tenant.findMany({ where: after ? { ...where, id: { gt: after } } : where, select: { id: true }, orderBy: { id: "asc" }, take: BATCH });
        if (rows.length === 0) break;
        after = rows[rows.length - 1]!.id;
        let next = 0;
        const worker = async () => {
          while (next < rows.length) {
            const { id } = rows[next++]!;
            const result = await reloadTenantDirectory(id, { actor }).catch(() => ({ ok: false as const }));
            job.done++;
            if (result.ok) job.reloaded++;
            else job.failed++;
          }
        };
        await Promise.all(Array.from({ length: CONCURRENCY }, worker));
      }
    } finally {
      job.status = "COMPLETED";
      job.finishedAt = new Date();
      job.total = Math.max(job.total, job.done);
    }
  })();
  return { job, joined: false };
}
