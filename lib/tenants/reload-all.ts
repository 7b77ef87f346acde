import "server-only";
import { randomUUID } from "node:crypto";
import type { AuditActor } from "@/lib/audit";
import { db } from "@/lib/db";
import { reloadTenantDirectory } from "@/lib/verification";
import { isUniqueViolation } from "@/lib/db-client";

/**
 * Reload All: refreshes organization name, default domain and verified tenant ID of every reachable
 * tenant (last status Verified or Warning) from Graph, a few at a time.
 *
 * The job is a database row, so every console instance shows the same progress and one job runs
 * cluster-wide (unique `activeSlot`, as for verification runs). The process that started it drives it
 * and keeps a heartbeat; the job keeps a cursor (the last tenant id done, in id order), so when that
 * process dies, the next instance that reads the job after the heartbeat went stale continues from the
 * cursor. Reloading a tenant twice is harmless: it only re-reads directory data.
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

type Row = Awaited<ReturnType<typeof db.directoryReload.findUniqueOrThrow>>;

const CONCURRENCY = 8;
const BATCH = 40;
export const RELOAD_HEARTBEAT_MS = 2_000;
export const RELOAD_STALE_AFTER_MS = 15_000;
const PROCESS_ID = randomUUID();
const reachable = { lastStatus: { in: ["VERIFIED" as const, "WARNING" as const] } };
const driving = new Map<string, Promise<void>>();

function view(row: Row): ReloadJob {
  return {
    id: row.id,
    status: row.status === "RUNNING" ? "RUNNING" : "COMPLETED",
    total: Math.max(row.total, row.done),
    done: row.done,
    reloaded: row.reloaded,
    failed: row.failed,
    startedAt: row.startedAt,
    finishedAt: row.finishedAt,
  };
}


/** The job's progress as every instance sees it; a job whose driver died is taken over here. */
export async function getReloadJob(id: string): Promise<ReloadJob | null> {
  const row = await db.directoryReload.findUnique({ where: { id } });
  if (!row) return null;
  if (row.status === "RUNNING") await adoptIfStale(row);
  return view(row);
}

export async function activeReloadJob(): Promise<ReloadJob | null> {
  const row = await db.directoryReload.findUnique({ where: { activeSlot: "active" } });
  if (!row) return null;
  await adoptIfStale(row);
  return view(row);
}

/** Starts Reload All, or joins the job already running on any instance. */
export async function startReloadAll(actor: AuditActor): Promise<{ job: ReloadJob; joined: boolean }> {
  for (let attempt = 0; attempt < 3; attempt++) {
    const running = await activeReloadJob();
    if (running) return { job: running, joined: true };
    try {
      const now = new Date();
      const row = await db.directoryReload.create({
        data: {
          id: randomUUID(), status: "RUNNING", activeSlot: "active", total: await db.tenant.count({ where: reachable }),
          requestedBy: actor.label, startedAt: now, heartbeatAt: now, ownerId: PROCESS_ID,
        },
      });
      drive(row, actor);
      return { job: view(row), joined: false };
    } catch (e) {
      if (!isUniqueViolation(e)) throw e;
    }
  }
  throw new Error("Could not start or join Reload All");
}

/** Resolves when this process has finished driving the job (immediately when it does not drive it). */
export function waitForReload(id: string): Promise<void> {
  return driving.get(id) ?? Promise.resolve();
}

async function adoptIfStale(row: Row) {
  const cutoff = new Date(Date.now() - RELOAD_STALE_AFTER_MS);
  if (driving.has(row.id) || row.heartbeatAt >= cutoff) return;
  const { count } = await db.directoryReload.updateMany({
    where: { id: row.id, status: "RUNNING", heartbeatAt: { lt: cutoff } },
    data: { ownerId: PROCESS_ID, heartbeatAt: new Date() },
  });
  if (count === 1) drive({ ...row, ownerId: PROCESS_ID }, { type: "system", label: row.requestedBy });
}

function drive(row: Row, actor: AuditActor) {
  const done = execute(row, actor)
    .catch((e: unknown) => console.error(`reload all ${row.id} failed: ${e instanceof Error ? e.name : "error"}`))
    .finally(() => driving.delete(row.id));
  driving.set(row.id, done);
}

async function execute(row: Row, actor: AuditActor) {
  const mine = { id: row.id, ownerId: PROCESS_ID, status: "RUNNING" as const };
  let lost = false;
  const heartbeat = setInterval(() => {
    void db.directoryReload
      .updateMany({ where: mine, data: { heartbeatAt: new Date() } })
      .then(({ count }) => void (count === 0 && (lost = true)))
      .catch(() => {});
  }, RELOAD_HEARTBEAT_MS);
  heartbeat.unref();
  try {
    let after = row.cursor;
    while (!lost) {
      const rows = await db.tenant.findMany({ where: after ? { ...reachable, id: { gt: after } } : reachable, select: { id: true }, orderBy: { id: "asc" }, take: BATCH });
      if (rows.length === 0) break;
      let next = 0;
      let reloaded = 0;
      let failed = 0;
      const worker = async () => {
        while (next < rows.length && !lost) {
          const { id } = rows[next++]!;
          const result = await reloadTenantDirectory(id, { actor }).catch(() => ({ ok: false as const }));
          if (result.ok) reloaded++;
          else failed++;
        }
      };
      await Promise.all(Array.from({ length: CONCURRENCY }, worker));
      if (lost) return;
      after = rows[rows.length - 1]!.id;
      // Counters and cursor move together, so a takeover neither skips nor double-counts a batch.
      const { count } = await db.directoryReload.updateMany({
        where: mine,
        data: { cursor: after, done: { increment: reloaded + failed }, reloaded: { increment: reloaded }, failed: { increment: failed }, heartbeatAt: new Date() },
      });
      if (count === 0) return;
    }
    await db.directoryReload.updateMany({ where: mine, data: { status: "COMPLETED", activeSlot: null, finishedAt: new Date() } });
  } finally {
    clearInterval(heartbeat);
  }
}
