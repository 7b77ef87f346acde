import "server-only";
import { auditWrite, recordAudit, type AuditActor } from "@/lib/audit";
import { db } from "@/lib/db";
import { isUniqueViolation } from "@/lib/db-client";
import { callPolicy, type RetryPolicy } from "@/lib/entra/http";
import { entraTenantOwner, heldBy } from "@/lib/tenants/manage";
import { recordVerification } from "@/lib/tenants/status";
import { checkTenant, unexpectedFailure, type CheckOptions } from "./check";
import type { VerificationOutcome } from "./outcome";
import { choiceFor, loadRegistrations, loadTenant, saveRotatedCache, type LoadedTenant, type RegistrationSet } from "./store";

export class TenantNotFoundError extends Error {
  constructor(readonly tenantId: string) {
    super(`Tenant ${tenantId} not found`);
    this.name = "TenantNotFoundError";
  }
}

export function retryPolicyFromEnv(): RetryPolicy {
  return callPolicy("verification");
}

/**
 * Runs the check for a loaded tenant with the app registration it uses; an unexpected exception becomes an
 * UNKNOWN outcome, never a stuck tenant.
 */
export async function runCheck(
  loaded: LoadedTenant,
  registrations: RegistrationSet,
  options: Omit<CheckOptions, "saveRotatedCache">,
): Promise<VerificationOutcome> {
  const startedAt = new Date();
  try {
    return await checkTenant(loaded.tenant, loaded.credentials, choiceFor(loaded.tenant, registrations), {
      ...options,
      saveRotatedCache: async (c, json, home, exp) => void (await saveRotatedCache(c, json, home, exp)),
    });
  } catch (e) {
    if (options.signal?.aborted) throw e;
    return unexpectedFailure(loaded.tenant, startedAt, e);
  }
}

async function checkById(tenantId: string, signal?: AbortSignal): Promise<{ loaded: LoadedTenant; outcome: VerificationOutcome }> {
  const [loaded, registrations] = await Promise.all([loadTenant(tenantId), loadRegistrations()]);
  if (!loaded) throw new TenantNotFoundError(tenantId);
  const outcome = await runCheck(loaded, registrations, { policy: retryPolicyFromEnv(), signal });
  return { loaded, outcome };
}

/** Verifies one tenant now, stores the result and the tenant's status, and audits it. */
export async function verifyTenant(tenantId: string, options: { actor: AuditActor; signal?: AbortSignal; requestId?: string }): Promise<VerificationOutcome> {
  const { loaded, outcome } = await checkById(tenantId, options.signal);
  await recordVerification(outcome);
  await recordAudit({
    action: "tenant.verified",
    actor: options.actor,
    requestId: options.requestId,
    target: { type: "tenant", id: tenantId },
    details: { customerId: loaded.tenant.customerId, status: outcome.status, reasonCode: outcome.reasonCode, durationMs: outcome.durationMs },
  });
  return outcome;
}

/**
 * "Test the connection" on the tenant page: the verification's own calls, shown without recording a
 * verification result (a rotated refresh token is still saved, since the old one was just used).
 */
export async function testGraphConnection(tenantId: string): Promise<VerificationOutcome> {
  return (await checkById(tenantId)).outcome;
}

export type DirectoryReload =
  | { ok: true; displayName: string; primaryDomain: string | null; entraTenantId: string }
  | { ok: false; reasonCode: VerificationOutcome["reasonCode"]; message: string };

/** What Graph's organization says of the tenant (the verification's own calls; nothing is written). */
export async function readTenantDirectory(
  loaded: LoadedTenant,
  registrations: RegistrationSet,
  options: { policy: RetryPolicy; signal?: AbortSignal },
): Promise<DirectoryReload> {
  const outcome = await runCheck(loaded, registrations, options);
  const org = outcome.details.organization;
  if (!org || outcome.reasonCode === "TENANT_MISMATCH") return { ok: false, reasonCode: outcome.reasonCode, message: outcome.message };
  // One Entra tenant, one customer: a tenant known by its domain (or by another id) does not take
  // the id of a directory another customer already holds. A tenant that already holds this id
  // takes nothing new, so its name and domain are refreshed.
  const orgId = org.id.toLowerCase();
  const takesId = loaded.tenant.entraTenantId?.toLowerCase() !== orgId;
  const owner = takesId ? await entraTenantOwner(orgId, loaded.tenant.id) : undefined;
  if (owner) return managedAsAnother(orgId, owner);
  return { ok: true, displayName: org.displayName, primaryDomain: org.defaultDomain, entraTenantId: orgId };
}

function managedAsAnother(entraTenantId: string, owner: string | undefined): DirectoryReload {
  return { ok: false, reasonCode: "TENANT_MISMATCH", message: `Entra tenant ${entraTenantId} is already managed as ${heldBy(owner)}; nothing was changed.` };
}

/**
 * A reload the unique index on Tenant.entraTenantId refused: another tenant took the same Entra tenant
 * after the check above (two tenants known by domains of one directory, reloaded together). The reload
 * fails with the reason instead; undefined when the refusal was not about the Entra tenant.
 */
export async function reloadRefused(tenantId: string, reload: DirectoryReload): Promise<DirectoryReload | undefined> {
  if (!reload.ok) return undefined;
  const owner = await entraTenantOwner(reload.entraTenantId, tenantId);
  return owner ? managedAsAnother(reload.entraTenantId, owner) : undefined;
}

/** Stores a reloaded directory: display name, default domain and the verified tenant ID, and its audit. */
export function directoryWrites(tenantId: string, reload: Extract<DirectoryReload, { ok: true }>, actor?: AuditActor) {
  const { displayName, primaryDomain, entraTenantId } = reload;
  return [
    db.tenant.updateMany({ where: { id: tenantId }, data: { displayName, primaryDomain, entraTenantId, version: { increment: 1 } } }),
    ...(actor
      ? [
          auditWrite({
            action: "tenant.directory_reloaded",
            actor,
            target: { type: "tenant", id: tenantId },
            details: { displayName, primaryDomain, entraTenantId },
          }),
        ]
      : []),
  ];
}

/** Refreshes display name, default domain and the verified tenant ID from Graph's organization. */
export async function reloadTenantDirectory(tenantId: string, options: { actor?: AuditActor } = {}): Promise<DirectoryReload> {
  const [loaded, registrations] = await Promise.all([loadTenant(tenantId), loadRegistrations()]);
  if (!loaded) throw new TenantNotFoundError(tenantId);
  const reload = await readTenantDirectory(loaded, registrations, { policy: retryPolicyFromEnv() });
  if (!reload.ok) return reload;
  try {
    await db.$transaction(directoryWrites(tenantId, reload, options.actor));
  } catch (e) {
    if (!isUniqueViolation(e)) throw e;
    return (await reloadRefused(tenantId, reload)) ?? managedAsAnother(reload.entraTenantId, undefined);
  }
  return reload;
}
