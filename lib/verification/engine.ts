import "server-only";
import { recordAudit, type AuditActor } from "@/lib/audit";
import { db } from "@/lib/db";
import { callPolicy, type RetryPolicy } from "@/lib/entra/http";
import { reasons } from "@/lib/entra/reasons";
import { checkTenant, type CheckOptions, type ProviderInput } from "./check";
import { loadProvider, loadTenant, persistOutcome, saveRotatedCache, type LoadedTenant } from "./store";
import type { OutcomeDetails, VerificationOutcome } from "./types";

export class TenantNotFoundError extends Error {
  constructor(readonly tenantId: string) {
    super(`Tenant ${tenantId} not found`);
    this.name = "TenantNotFoundError";
  }
}

export function retryPolicyFromEnv(): RetryPolicy {
  return callPolicy("verification");
}

/** Runs the check for a loaded tenant; an unexpected exception becomes an UNKNOWN outcome, never a stuck tenant. */
export async function runCheck(loaded: LoadedTenant, provider: ProviderInput, options: Omit<CheckOptions, "saveRotatedCache">): Promise<VerificationOutcome> {
  const startedAt = new Date();
  try {
    return await checkTenant(loaded.tenant, loaded.credentials, provider, { ...options, saveRotatedCache: async (c, json, home, exp) => void (await saveRotatedCache(c, json, home, exp)) });
  } catch (e) {
    if (options.signal?.aborted) throw e;
    const r = reasons.UNKNOWN;
    const finishedAt = new Date();
    return {
      tenantId: loaded.tenant.id,
      status: "FAILED",
      reasonCode: "UNKNOWN",
      message: r.title,
      accessBreaksAt: null,
      details: {
        method: loaded.tenant.authMethod,
        explanation: r.explanation,
        remediation: r.remediation,
        warnings: [],
        // The error name only: messages of library errors can quote request data.
        notes: [`Internal error: ${e instanceof Error ? e.name : "unknown"}`],
        timings: { totalMs: finishedAt.getTime() - startedAt.getTime() },
      },
      startedAt,
      finishedAt,
      durationMs: finishedAt.getTime() - startedAt.getTime(),
    };
  }
}

async function checkById(tenantId: string, signal?: AbortSignal): Promise<{ loaded: LoadedTenant; outcome: VerificationOutcome }> {
  const [loaded, provider] = await Promise.all([loadTenant(tenantId), loadProvider()]);
  if (!loaded) throw new TenantNotFoundError(tenantId);
  const outcome = await runCheck(loaded, provider, { policy: retryPolicyFromEnv(), signal });
  return { loaded, outcome };
}

/** Verifies one tenant now, stores the result and the tenant's status, and audits it. */
export async function verifyTenant(tenantId: string, options: { actor: AuditActor; signal?: AbortSignal; requestId?: string }): Promise<VerificationOutcome> {
  const { loaded, outcome } = await checkById(tenantId, options.signal);
  await persistOutcome(outcome);
  await recordAudit({
    action: "tenant.verified",
    actor: options.actor,
    requestId: options.requestId,
    target: { type: "tenant", id: tenantId },
    details: { customerId: loaded.tenant.customerId, status: outcome.status, reasonCode: outcome.reasonCode, durationMs: outcome.durationMs },
  });
  return outcome;
}

export type GraphConnectionTest = {
  ok: boolean;
  status: VerificationOutcome["status"];
  reasonCode: VerificationOutcome["reasonCode"];
  message: string;
  organization: OutcomeDetails["organization"] | null;
  userCount: number | null;
  permissions: OutcomeDetails["permissions"] | null;
  signedInUser: OutcomeDetails["signedInUser"] | null;
  remediation: OutcomeDetails["remediation"];
  diagnostics: OutcomeDetails["diagnostics"] | null;
  timings: OutcomeDetails["timings"];
};

/**
 * "Test the connection" on the tenant page: the verification's own calls, shown without recording a
 * verification result (a rotated refresh token is still saved, since the old one was just used).
 */
export async function testGraphConnection(tenantId: string): Promise<GraphConnectionTest> {
  const { outcome } = await checkById(tenantId);
  const d = outcome.details;
  return {
    ok: outcome.status !== "FAILED",
    status: outcome.status,
    reasonCode: outcome.reasonCode,
    message: outcome.message,
    organization: d.organization ?? null,
    userCount: d.userCount ?? null,
    permissions: d.permissions ?? null,
    signedInUser: d.signedInUser ?? null,
    remediation: d.remediation,
    diagnostics: d.diagnostics ?? null,
    timings: d.timings,
  };
}

export type DirectoryReload =
  | { ok: true; displayName: string; primaryDomain: string | null; entraTenantId: string }
  | { ok: false; reasonCode: VerificationOutcome["reasonCode"]; message: string };

/** Refreshes display name, default domain and the verified tenant ID from Graph's organization. */
export async function reloadTenantDirectory(tenantId: string, options: { actor?: AuditActor } = {}): Promise<DirectoryReload> {
  const { outcome } = await checkById(tenantId);
  const org = outcome.details.organization;
  if (!org) return { ok: false, reasonCode: outcome.reasonCode, message: outcome.message };
  if (outcome.reasonCode === "TENANT_MISMATCH") return { ok: false, reasonCode: outcome.reasonCode, message: outcome.message };
  await db.tenant.updateMany({
    where: { id: tenantId },
    data: { displayName: org.displayName, primaryDomain: org.defaultDomain, entraTenantId: org.id, version: { increment: 1 } },
  });
  if (options.actor) {
    await recordAudit({
      action: "tenant.directory_reloaded",
      actor: options.actor,
      target: { type: "tenant", id: tenantId },
      details: { displayName: org.displayName, primaryDomain: org.defaultDomain, entraTenantId: org.id },
    });
  }
  return { ok: true, displayName: org.displayName, primaryDomain: org.defaultDomain, entraTenantId: org.id };
}
