import "server-only";
import type { AuditActor } from "@/lib/audit";
import { getUserSyncState, type UserSyncState } from "@/lib/data/users";
import { db } from "@/lib/db";
import { env } from "@/lib/env";
import { jobEngine } from "@/lib/jobs";
import { userSyncSlot } from "./slot";

/**
 * User sync on the job engine (kind "user-sync", ./job.ts): one tenant now ("Synchronize users", REST),
 * or every reachable tenant on a schedule (USER_SYNC_SCHEDULE_HOURS, off by default).
 */

export { syncTenantUsers, USER_SELECT, PAGE_SIZE, type UserSyncResult } from "./sync";
export { userSyncSlot } from "./slot";

export type StartedSync = { runId: string; joined: boolean; state: UserSyncState };

/** Starts a sync of the tenant's users, or joins the one running. */
export async function startUserSync(tenantId: string, o: { actor: AuditActor; trigger: "manual" | "api"; requestId?: string }): Promise<StartedSync> {
  const { run, joined } = await jobEngine().startRun({
    kind: "user-sync",
    slot: userSyncSlot(tenantId),
    scope: [tenantId],
    concurrency: 1,
    trigger: o.trigger,
    requestedBy: o.actor.label,
    actor: o.actor,
    requestId: o.requestId,
  });
  return { runId: run.id, joined, state: await getUserSyncState(tenantId) };
}

/** The run syncing this tenant on its own (not the scheduled sync of every tenant), if any. */
export async function activeUserSyncRun(tenantId: string): Promise<string | null> {
  const row = await db.jobRun.findUnique({ where: { activeSlot: userSyncSlot(tenantId) }, select: { id: true } });
  return row?.id ?? null;
}

/** Cancels the tenant's sync; the users written so far stay, the previous delta link too. */
export async function cancelUserSync(tenantId: string, o: { actor: AuditActor; requestId?: string }): Promise<boolean> {
  const runId = await activeUserSyncRun(tenantId);
  return runId ? jobEngine().cancelRun(runId, o) : false;
}

/** Resolves once the tenant's own sync run (if any) has ended. */
export async function waitForUserSync(tenantId: string): Promise<void> {
  const runId = await activeUserSyncRun(tenantId);
  if (runId) await jobEngine().waitForRun(runId);
}

const TICK_MS = 60_000;
let stopSchedule: (() => void) | null = null;

/** One tick of the schedule: a sync of every reachable tenant when the last one started long enough ago. */
export async function userSyncScheduleTick(hours = env.USER_SYNC_SCHEDULE_HOURS, now = Date.now()): Promise<"scheduled" | "idle"> {
  if (hours <= 0) return "idle";
  const last = await db.jobRun.findFirst({ where: { kind: "user-sync", scope: null }, orderBy: { startedAt: "desc" }, select: { startedAt: true } });
  if (last && now - last.startedAt.getTime() < hours * 3_600_000) return "idle";
  await jobEngine().startRun({ kind: "user-sync", trigger: "schedule", requestedBy: "scheduler" });
  return "scheduled";
}

/** Starts the schedule in this process (once per interval across the cluster, engine.every()). */
export function startUserSyncSchedule(options: { tickMs?: number; hours?: number } = {}): () => void {
  stopSchedule ??= jobEngine().every("user-sync-schedule", options.tickMs ?? TICK_MS, () => userSyncScheduleTick(options.hours));
  return () => {
    stopSchedule?.();
    stopSchedule = null;
  };
}
