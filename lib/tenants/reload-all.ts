import "server-only";
import type { AuditActor } from "@/lib/audit";
import { db } from "@/lib/db";
import { getProgress, jobEngine, type JobProgress } from "@/lib/jobs";

/**
 * Reload All on the job engine (lib/jobs, kind "reload-directory", ./reload-job.ts): one job cluster-wide,
 * the same progress on every instance, continued by another instance when the one working on it dies.
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

function view(p: JobProgress): ReloadJob {
  return {
    id: p.id,
    status: p.status === "RUNNING" ? "RUNNING" : "COMPLETED",
    total: Math.max(p.total, p.done),
    done: p.done,
    reloaded: p.ok,
    failed: p.failed,
    startedAt: p.startedAt,
    finishedAt: p.finishedAt,
  };
}

export async function getReloadJob(id: string): Promise<ReloadJob | null> {
  const p = await getProgress(jobEngine(), id);
  return p?.kind === "reload-directory" ? view(p) : null;
}

export async function activeReloadJob(): Promise<ReloadJob | null> {
  const row = await db.jobRun.findUnique({ where: { activeSlot: "reload-directory" }, select: { id: true } });
  return row ? getReloadJob(row.id) : null;
}

/** Starts Reload All, or joins the job already running on any instance. */
export async function startReloadAll(actor: AuditActor): Promise<{ job: ReloadJob; joined: boolean }> {
  const { run, joined } = await jobEngine().startRun({ kind: "reload-directory", trigger: "manual", requestedBy: actor.label, actor });
  const progress = await getProgress(jobEngine(), run.id, true);
  return { job: view(progress!), joined };
}

/** Resolves once the job is no longer running, wherever it ran. */
export function waitForReload(id: string): Promise<void> {
  return jobEngine().waitForRun(id);
}
