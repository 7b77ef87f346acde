import { reasons } from "@/lib/entra/reasons";
import type { VerificationOutcome } from "@/lib/verification/outcome";

/**
 * The failure policy: what a check does to a tenant's status, and when automatic checks look at the
 * tenant again. Pure: lib/tenants/status.ts (the one status writer) applies it in the same transaction
 * that stores the check's result, on every path (a run's batches, a single verification).
 *
 * - A working check (verified or warning) sets the status and clears the failure streak.
 * - A transient failure (throttled, Microsoft's 5xx, a timeout, the network: `transient` in
 *   lib/entra/reasons.ts) keeps the status the tenant has, and is shown beside it ("last check failed
 *   transiently at …; retrying"); only after `transientFailures` consecutive failed checks spanning at
 *   least `transientWindowMs` does the tenant turn Failed with that reason. It is checked again soon
 *   (TRANSIENT_BACKOFF_MS).
 * - A permanent failure sets Failed at once and the tenant is rechecked automatically on a growing
 *   backoff (PERMANENT_BACKOFF_MS: 1 h, 6 h, 24 h, then daily) instead of on every scheduled run or
 *   keep-alive tick. Nothing changes for a person: a manual Verify always runs.
 * - Consent propagation: once a customer's admin consented (consentReceived), the tenant shows "Consent
 *   received — confirming" until `consentConfirmingUntil`. Meanwhile "app not in tenant" and
 *   consent-missing answers (Entra replicating the new consent: entra.md A2.5) and transient failures keep
 *   that status and set the next check on a short doubling backoff (`consentBackoffMs` up to
 *   `consentBackoffMaxMs`, never past the window's end); a working check ends it; any other failure, or
 *   any failure once the window is over, fails the tenant with its real reason.
 */

export type PolicySettings = {
  transientFailures: number;
  transientWindowMs: number;
  /** Consent propagation: how long after a consent its answers are retried, and the retries' backoff. */
  consentWindowMs: number;
  consentBackoffMs: number;
  consentBackoffMaxMs: number;
};

/** The status code of a tenant whose consent is being confirmed (lib/entra/reasons.ts). */
export const CONSENT_CONFIRMING_CODE = "CONSENT_CONFIRMING";
/** What Entra answers while a new consent replicates: the app's service principal or the grant is not there yet. */
const PROPAGATION_CODES: ReadonlySet<string> = new Set(["APP_NOT_IN_TENANT", "CONSENT_REQUIRED"]);

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
export const TRANSIENT_BACKOFF_MS = [5 * MINUTE, 15 * MINUTE, 30 * MINUTE, HOUR] as const;
export const PERMANENT_BACKOFF_MS = [HOUR, 6 * HOUR, 24 * HOUR] as const;
/** After the permanent backoff's steps: once a day. */
const DAILY = 24 * HOUR;

/** What the writer reads of the tenant before applying a check. */
export type CheckState = {
  lastStatus: string;
  lastStatusCode: string | null;
  lastStatusMessage: string | null;
  lastVerifiedAt: Date | null;
  accessBreaksAt: Date | null;
  failureStreak: number;
  failingSince: Date | null;
  consentConfirmingUntil: Date | null;
};

/** Every field the writer stores for a check. */
export type CheckUpdate = {
  lastStatus: VerificationOutcome["status"] | string;
  lastStatusCode: string | null;
  lastStatusMessage: string | null;
  lastVerifiedAt: Date | null;
  accessBreaksAt: Date | null;
  lastCheckAt: Date;
  /** The check's reason when it did not become the status (a transient failure under the status kept). */
  lastCheckCode: string | null;
  failureStreak: number;
  failingSince: Date | null;
  /** Automatic checks skip the tenant until then; null: on the normal schedule. */
  nextCheckAt: Date | null;
  /** While consent is being confirmed: until when (see consentReceived). */
  consentConfirmingUntil: Date | null;
};

export function isTransient(code: string): boolean {
  return (reasons as Record<string, { transient?: boolean }>)[code]?.transient === true;
}

export function transientBackoffMs(streak: number): number {
  return TRANSIENT_BACKOFF_MS[Math.min(Math.max(streak, 1), TRANSIENT_BACKOFF_MS.length) - 1]!;
}

export function permanentBackoffMs(streak: number): number {
  return streak <= PERMANENT_BACKOFF_MS.length ? PERMANENT_BACKOFF_MS[Math.max(streak, 1) - 1]! : DAILY;
}

/** The n-th retry's wait while consent is confirmed: doubling from consentBackoffMs, at most consentBackoffMaxMs. */
export function consentRetryMs(streak: number, settings: Pick<PolicySettings, "consentBackoffMs" | "consentBackoffMaxMs">): number {
  return Math.min(settings.consentBackoffMs * 2 ** Math.min(Math.max(streak, 1) - 1, 30), settings.consentBackoffMaxMs);
}

/**
 * A customer's admin just consented: the tenant shows "Consent received — confirming" for the window,
 * its first check due after the first backoff step (the callback usually checks at once too).
 */
export function consentReceived(prev: CheckState, now: Date, settings: PolicySettings): CheckUpdate {
  const until = new Date(now.getTime() + settings.consentWindowMs);
  return {
    lastStatus: "WARNING",
    lastStatusCode: CONSENT_CONFIRMING_CODE,
    lastStatusMessage: reasons.CONSENT_CONFIRMING.title,
    lastVerifiedAt: prev.lastVerifiedAt,
    accessBreaksAt: prev.accessBreaksAt,
    lastCheckAt: now,
    lastCheckCode: null,
    failureStreak: 0,
    failingSince: null,
    nextCheckAt: new Date(Math.min(now.getTime() + consentRetryMs(1, settings), until.getTime())),
    consentConfirmingUntil: until,
  };
}

export type CheckResult = Pick<VerificationOutcome, "status" | "reasonCode" | "message" | "finishedAt" | "accessBreaksAt">;

export function applyCheck(prev: CheckState, check: CheckResult, settings: PolicySettings): CheckUpdate {
  const at = check.finishedAt;
  const confirming = prev.consentConfirmingUntil;
  if (confirming && check.status === "FAILED") {
    if (at.getTime() < confirming.getTime() && (PROPAGATION_CODES.has(check.reasonCode) || isTransient(check.reasonCode))) {
      // Still replicating (or Microsoft hiccuped): "confirming" stays, with this check's answer beside it.
      const failureStreak = prev.failureStreak + 1;
      return {
        lastStatus: prev.lastStatus,
        lastStatusCode: prev.lastStatusCode,
        lastStatusMessage: prev.lastStatusMessage,
        lastVerifiedAt: prev.lastVerifiedAt,
        accessBreaksAt: prev.accessBreaksAt,
        lastCheckAt: at,
        lastCheckCode: check.reasonCode,
        failureStreak,
        failingSince: prev.failingSince ?? at,
        nextCheckAt: new Date(Math.min(at.getTime() + consentRetryMs(failureStreak, settings), confirming.getTime())),
        consentConfirmingUntil: confirming,
      };
    }
    // The window is over, or the answer is not propagation: the real reason, as a first permanent failure.
    const next = isTransient(check.reasonCode) ? transientBackoffMs(1) : permanentBackoffMs(1);
    return failed(check, at, 1, at, new Date(at.getTime() + next));
  }
  if (check.status !== "FAILED") {
    return {
      lastStatus: check.status,
      lastStatusCode: check.reasonCode,
      lastStatusMessage: check.message,
      lastVerifiedAt: at,
      accessBreaksAt: check.accessBreaksAt,
      lastCheckAt: at,
      lastCheckCode: null,
      failureStreak: 0,
      failingSince: null,
      nextCheckAt: null,
      consentConfirmingUntil: null,
    };
  }
  const failureStreak = prev.failureStreak + 1;
  const failingSince = prev.failureStreak > 0 && prev.failingSince ? prev.failingSince : at;
  if (isTransient(check.reasonCode)) {
    const exhausted = failureStreak >= settings.transientFailures && at.getTime() - failingSince.getTime() >= settings.transientWindowMs;
    const nextCheckAt = new Date(at.getTime() + transientBackoffMs(failureStreak));
    if (!exhausted) {
      // The status the tenant has stays, with this check's reason beside it.
      return {
        lastStatus: prev.lastStatus,
        lastStatusCode: prev.lastStatusCode,
        lastStatusMessage: prev.lastStatusMessage,
        lastVerifiedAt: prev.lastVerifiedAt,
        accessBreaksAt: prev.accessBreaksAt,
        lastCheckAt: at,
        lastCheckCode: check.reasonCode,
        failureStreak,
        failingSince,
        nextCheckAt,
        consentConfirmingUntil: null,
      };
    }
    return failed(check, at, failureStreak, failingSince, nextCheckAt);
  }
  return failed(check, at, failureStreak, failingSince, new Date(at.getTime() + permanentBackoffMs(failureStreak)));
}

function failed(check: CheckResult, at: Date, failureStreak: number, failingSince: Date, nextCheckAt: Date): CheckUpdate {
  return {
    lastStatus: "FAILED",
    lastStatusCode: check.reasonCode,
    lastStatusMessage: check.message,
    lastVerifiedAt: at,
    // A broken tenant has no "access breaks on": it is broken already.
    accessBreaksAt: null,
    lastCheckAt: at,
    lastCheckCode: null,
    failureStreak,
    failingSince,
    nextCheckAt,
    consentConfirmingUntil: null,
  };
}

/** Whether an automatic check (a scheduled run, the keep-alive) may check the tenant now. */
export function dueForAutomaticCheck(nextCheckAt: Date | null, now: Date): boolean {
  return nextCheckAt === null || nextCheckAt.getTime() <= now.getTime();
}

export type StatusChange = { tenantId: string; from: string; to: string; reasonCode: string };

/** The audit row's subject when a check changed the status (automatic rechecks that change nothing are not audited). */
export function statusChange(tenantId: string, prev: CheckState, next: CheckUpdate): StatusChange | null {
  if (prev.lastStatus === next.lastStatus && prev.lastStatusCode === next.lastStatusCode) return null;
  return { tenantId, from: prev.lastStatus, to: String(next.lastStatus), reasonCode: next.lastStatusCode ?? "" };
}

/**
 * Where a tenant's check lands in its run's summary, from its status before and after:
 * `blocked` (not checked: the app registration's credential was rejected for another tenant), `newlyFailed`
 * / `stillFailing` (Failed now, and not / already before), `retrying` (the check failed but the status was
 * kept: transient, or consent still being confirmed), `recovered` (working now after Failed), `verified`
 * (working now, and not Failed before).
 */
export type RunSummaryKey = "verified" | "recovered" | "newlyFailed" | "stillFailing" | "blocked" | "retrying";
export const runSummaryKeys: readonly RunSummaryKey[] = ["verified", "recovered", "newlyFailed", "stillFailing", "blocked", "retrying"];

export function summaryKey(
  prev: Pick<CheckState, "lastStatus">,
  next: Pick<CheckUpdate, "lastStatus">,
  check: Pick<CheckResult, "status" | "reasonCode">,
): RunSummaryKey {
  if (check.reasonCode === "APP_CREDENTIAL_BLOCKED") return "blocked";
  const wasFailed = prev.lastStatus === "FAILED";
  if (next.lastStatus === "FAILED") return wasFailed ? "stillFailing" : "newlyFailed";
  if (check.status === "FAILED") return "retrying";
  return wasFailed ? "recovered" : "verified";
}
