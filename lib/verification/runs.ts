import "server-only";
import type { AuditActor } from "@/lib/audit";
import { db } from "@/lib/db";
import { getProgress, jobEngine, subscribeProgress, type JobProgress, type RunRow } from "@/lib/jobs";
import type { RecentFailure, RunProgress } from "./types";

/**
 * Verify All (or a selection) on the job engine (lib/jobs, kind "verify"): what the console, the REST
 * API, the scheduler and the CLI call. One active run at a time; the engine shares it between the
 * instances on PostgreSQL and resumes it wherever a process starts again.
 */

export type RunTrigger = "manual" | "schedule" | "cli" | "api";
export type StartRunInput = { tenantIds?: string[]; trigger: RunTrigger; requestedBy: string; concurrency?: number; actor?: AuditActor; requestId?: string };
export type RunRecord = RunRow;

/** Starts Verify All (or a selection), or returns the active run with `joined: true`. */
export function startVerificationRun(input: StartRunInput): Promise<{ run: RunRecord; joined: boolean }> {
  return jobEngine().startRun({
    kind: "verify",
    scope: input.tenantIds ?? null,
    trigger: input.trigger,
    requestedBy: input.requestedBy,
    concurrency: input.concurrency,
    actor: input.actor,
    requestId: input.requestId,
  });
}

/** The reasons of a rejected provider credential, and the tenants it blocked (./credential-gate.ts). */
const PROVIDER_CREDENTIAL_CODES = ["APP_CREDENTIAL_BLOCKED", "INVALID_SECRET", "SECRET_EXPIRED", "BAD_CERTIFICATE"];

/**
 * After a new credential is applied to an MSP app registration: verifies again exactly the tenants that
 * use it (chosen explicitly, or as their cloud's default) and failed on the old credential (rejected, or
 * blocked by its rejection), in one run. Null when there are none; `joined` when a run was already active
 * (it is not restarted).
 */
export async function reverifyAfterProviderCredential(input: { registrationId: string; requestedBy: string; actor?: AuditActor; requestId?: string }) {
  const registration = await db.appRegistration.findUnique({ where: { id: input.registrationId }, select: { defaultForCloud: true } });
  if (!registration) return null;
  const uses = [
    { appRegistrationId: input.registrationId },
    ...(registration.defaultForCloud ? [{ appRegistrationId: null, cloud: registration.defaultForCloud }] : []),
  ];
  const rows = await db.tenant.findMany({
    where: { lastStatus: "FAILED", lastStatusCode: { in: PROVIDER_CREDENTIAL_CODES }, appClientId: null, OR: uses },
    select: { id: true },
    take: 100_000,
  });
  if (rows.length === 0) return null;
  const { run, joined } = await startVerificationRun({
    trigger: "manual",
    requestedBy: input.requestedBy,
    actor: input.actor,
    requestId: input.requestId,
    tenantIds: rows.map((r) => r.id),
  });
  return { runId: run.id, tenants: rows.length, joined };
}

export async function cancelVerificationRun(runId: string, options: { actor?: AuditActor; requestId?: string } = {}): Promise<boolean> {
  if (!(await isVerificationRun(runId))) return false;
  return jobEngine().cancelRun(runId, options);
}

/** Takes part in (and takes over) the active runs now; every process also does it every few seconds. */
export function resumeInterruptedRuns(): Promise<string[]> {
  return jobEngine().start();
}

/** Resolves once the run is no longer running, wherever it ran. */
export function waitForRun(runId: string): Promise<void> {
  return jobEngine().waitForRun(runId);
}

/** Stops working on every run in this process (e.g. on shutdown) without changing their status; others continue them. */
export async function releaseRuns() {
  const { stopJobEngine } = await import("@/lib/jobs");
  await stopJobEngine();
}

export async function getActiveRun(): Promise<RunRecord | null> {
  return db.jobRun.findUnique({ where: { activeSlot: "verify" } });
}

async function isVerificationRun(runId: string) {
  return (await db.jobRun.count({ where: { id: runId, kind: "verify" } })) > 0;
}

async function recentFailures(runId: string): Promise<RecentFailure[]> {
  const failures = await db.verificationResult.findMany({
    where: { runId, status: "FAILED" },
    orderBy: { finishedAt: "desc" },
    take: 10,
    select: { tenantId: true, reasonCode: true, message: true, finishedAt: true, tenant: { select: { customerId: true, displayName: true } } },
  });
  return failures.map((f) => ({
    tenantId: f.tenantId,
    customerId: f.tenant.customerId,
    displayName: f.tenant.displayName,
    reasonCode: f.reasonCode,
    message: f.message,
    finishedAt: f.finishedAt,
  }));
}

async function toRunProgress(p: JobProgress | null): Promise<RunProgress | null> {
  if (!p || p.kind !== "verify") return null;
  const {
    id,
    status,
    trigger,
    requestedBy,
    concurrency,
    total,
    done,
    warnings,
    failed,
    remaining,
    ratePerSecond,
    etaSeconds,
    inFlight,
    summary,
    startedAt,
    finishedAt,
  } = p;
  const recent = failed > 0 ? await recentFailures(id) : [];
  return {
    id,
    status,
    trigger,
    requestedBy,
    concurrency,
    total,
    done,
    verified: p.ok,
    warnings,
    failed,
    remaining,
    ratePerSecond,
    etaSeconds,
    inFlight,
    recentFailures: recent,
    summary,
    startedAt,
    finishedAt,
  };
}

/** Progress of a verification run (many pollers share one read per half second). */
export async function getRunProgress(runId: string): Promise<RunProgress | null> {
  return toRunProgress(await getProgress(jobEngine(), runId));
}

/**
 * Progress events for a run: pushed as results are written here and polled once a second, so a run
 * driven by another process is followed too; a last event when it ends.
 */
export function subscribeRunProgress(runId: string, listener: (p: RunProgress) => void): () => void {
  // One after another: the last event (the run ended) must not overtake an earlier one.
  let chain = Promise.resolve();
  return subscribeProgress(jobEngine(), runId, (p) => {
    chain = chain.then(() => toRunProgress(p).then((r) => void (r && listener(r)))).catch(() => {});
  });
}
