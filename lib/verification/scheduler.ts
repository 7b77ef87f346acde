import "server-only";
import { db } from "@/lib/db";
import { env } from "@/lib/env";
import { jobEngine } from "@/lib/jobs";
import { AUTOMATIC_TRIGGER } from "@/lib/jobs/types";
import { DAY_MS } from "./check";
import { refreshAllExpiry } from "@/lib/provider/expiry";
import { resumeInterruptedRuns, startVerificationRun } from "./runs";

/**
 * Scheduled Verify All every VERIFY_SCHEDULE_HOURS (0 disables it), plus a refresh-token keep-alive:
 * tenants on the auth-token method whose token was last redeemed over 30 days ago are verified (which
 * redeems it) long before Entra's 90-day inactivity limit, even when scheduled runs are disabled.
 * Every console instance may run the scheduler: the single active run is enforced by the database, and
 * the job store ticks once per interval cluster-wide (pg-boss on PostgreSQL).
 * @see https://learn.microsoft.com/en-us/entra/identity-platform/refresh-tokens#token-lifetime
 */

const TICK_MS = 60_000;
/** Redeem when fewer than 60 of the 90 days are left. */
const KEEPALIVE_REMAINING_MS = 60 * DAY_MS;

export type SchedulerOptions = { intervalHours?: number; keepAlive?: boolean; tickMs?: number };

let stopTicks: (() => void) | null = null;

export async function schedulerTick(options: SchedulerOptions = {}, now = Date.now()): Promise<"scheduled" | "keepalive" | "idle"> {
  await resumeInterruptedRuns();
  const hours = options.intervalHours ?? env.VERIFY_SCHEDULE_HOURS;
  if (hours > 0) {
    const last = await db.jobRun.findFirst({ where: { kind: "verify", scope: null }, orderBy: { startedAt: "desc" }, select: { startedAt: true } });
    if (!last || now - last.startedAt.getTime() >= hours * 3_600_000) {
      // Expiry always known: each registration's (and customer-owned app's) credential expiry is read from
      // Graph before the run, so the run's "Access breaks on" uses today's dates.
      await refreshAllExpiry().catch(() => null);
      await startVerificationRun({ trigger: "schedule", requestedBy: "scheduler" });
      return "scheduled";
    }
  }
  if (options.keepAlive ?? true) {
    const due = await db.tenant.findMany({
      where: {
        authMethod: "AUTH_TOKEN",
        credentials: { some: { kind: "MSAL_CACHE", expiresAt: { lt: new Date(now + KEEPALIVE_REMAINING_MS) } } },
        // A token that failed is rechecked on the failure policy's backoff, not on every tick.
        OR: [{ nextCheckAt: null }, { nextCheckAt: { lte: new Date(now) } }],
      },
      select: { id: true },
      take: 5000,
    });
    if (due.length > 0) {
      await startVerificationRun({ trigger: "schedule", requestedBy: "scheduler:keepalive", tenantIds: due.map((t) => t.id) });
      return "keepalive";
    }
  }
  return "idle";
}

/** Starts the scheduler once in this process; returns a function that stops it. */
export function startScheduler(options: SchedulerOptions = {}): () => void {
  stopTicks ??= jobEngine().every("verify-schedule", options.tickMs ?? TICK_MS, () => schedulerTick(options));
  return () => {
    stopTicks?.();
    stopTicks = null;
  };
}

/**
 * Consent confirmation (lib/tenants/failure-policy.ts): tenants whose consent was received and is not
 * confirmed yet are checked when their next check is due, as verify runs of their own slot on the job
 * engine (so a Verify All in progress neither blocks nor absorbs them). The state is the tenant's
 * consentConfirmingUntil and nextCheckAt, so a restart loses nothing, and the tick runs once per interval
 * across the instances (engine.every). Automatic runs: no run audit rows, tenants not due are left out.
 */
export const CONSENT_CONFIRM_SLOT = "verify:consent";
export const CONSENT_CONFIRM_REQUESTER = "scheduler:consent";

let stopConsentTicks: (() => void) | null = null;

/** Starts a confirmation run for the tenants due now (or joins the one active); how many were due. */
export async function consentConfirmationTick(now = new Date()): Promise<number> {
  const due = await db.tenant.findMany({
    where: { consentConfirmingUntil: { not: null }, nextCheckAt: { lte: now } },
    orderBy: { id: "asc" },
    select: { id: true },
    take: 5000,
  });
  if (due.length === 0) return 0;
  await jobEngine().startRun({
    kind: "verify",
    slot: CONSENT_CONFIRM_SLOT,
    scope: due.map((t) => t.id),
    trigger: AUTOMATIC_TRIGGER,
    requestedBy: CONSENT_CONFIRM_REQUESTER,
  });
  return due.length;
}

/** Starts the consent confirmation's tick once in this process (every half backoff step, at least 1 s); returns a function that stops it. */
export function startConsentConfirmation(options: { tickMs?: number } = {}): () => void {
  const tickMs = options.tickMs ?? Math.max(1_000, (env.CONSENT_CONFIRM_BACKOFF_SECONDS * 1000) / 2);
  stopConsentTicks ??= jobEngine().every("consent-confirm", tickMs, () => consentConfirmationTick());
  return () => {
    stopConsentTicks?.();
    stopConsentTicks = null;
  };
}

export type TenantHistoryEntry = {
  id: string;
  runId: string | null;
  status: string;
  reasonCode: string;
  message: string;
  durationMs: number;
  startedAt: Date;
  finishedAt: Date;
  details: unknown;
};

/** The last verification results of a tenant, newest first (the tenant page's history). */
export async function getVerificationHistory(tenantId: string, limit = 20): Promise<TenantHistoryEntry[]> {
  const rows = await db.verificationResult.findMany({
    where: { tenantId },
    orderBy: { finishedAt: "desc" },
    take: Math.min(Math.max(limit, 1), 200),
    select: { id: true, runId: true, status: true, reasonCode: true, message: true, durationMs: true, startedAt: true, finishedAt: true, details: true },
  });
  return rows.map((r) => ({ ...r, details: JSON.parse(r.details) as unknown }));
}
