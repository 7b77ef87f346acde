import "server-only";
import { recordAudit, type AuditActor } from "@/lib/audit";
import { encryptSecret } from "@/lib/crypto";
import { db } from "@/lib/db";
import { refuse, type Result } from "@/lib/errors";
import type { AuthMethod } from "@/lib/generated/prisma/enums";
import { newId } from "@/lib/ids";
import { methodById } from "@/lib/methods";
import { clearAccessDeadline } from "@/lib/tenants/status";
import { verifyTenant, type VerificationOutcome } from "@/lib/verification";

/**
 * The token lifecycle of one tenant (seed 000: Obtain / Refresh / Remove Authorization; seed 003: switch
 * method). Every change is audited and followed by a verification, so the table shows its effect at once.
 * Authorization (who may call these) is the caller's job: the commands in lib/commands/ check roles.
 */

type Common = { tenantId: string; actor: AuditActor; requestId?: string };

const changed = () => refuse("version-conflict", "This tenant was changed by someone else meanwhile. Reload the page and try again.");
const gone = () => refuse("not-found", "Tenant not found.");

async function bumpVersion(tenantId: string, expectedVersion: number | undefined, data: { authMethod?: AuthMethod }) {
  const { count } = await db.tenant.updateMany({
    where: { id: tenantId, ...(expectedVersion === undefined ? {} : { version: expectedVersion }) },
    data: { ...data, version: { increment: 1 } },
  });
  return count === 1;
}

export async function switchAuthMethod(
  input: Common & { method: AuthMethod; expectedVersion?: number },
): Promise<Result<{ version: number; verification: VerificationOutcome }>> {
  const tenant = await db.tenant.findUnique({ where: { id: input.tenantId }, select: { authMethod: true, customerId: true } });
  if (!tenant) return gone();
  if (tenant.authMethod === input.method) return refuse("conflict", "The tenant already uses this authentication method.");
  if (!(await bumpVersion(input.tenantId, input.expectedVersion, { authMethod: input.method }))) return changed();
  await recordAudit({
    action: "tenant.method_switched",
    actor: input.actor,
    target: { type: "tenant", id: input.tenantId },
    requestId: input.requestId,
    details: { customerId: tenant.customerId, from: tenant.authMethod, to: input.method },
  });
  const verification = await verifyTenant(input.tenantId, { actor: input.actor });
  const { version } = await db.tenant.findUniqueOrThrow({ where: { id: input.tenantId }, select: { version: true } });
  return { ok: true, data: { version, verification } };
}

/** Deletes every stored token and credential of the tenant. Consent in the customer's tenant stays until they revoke it. */
export async function removeAuthorization(input: Common): Promise<Result<{ removed: string[]; verification: VerificationOutcome }>> {
  const tenant = await db.tenant.findUnique({ where: { id: input.tenantId }, select: { customerId: true, credentials: { select: { kind: true } } } });
  if (!tenant) return gone();
  const removed = tenant.credentials.map((c) => c.kind);
  await db.$transaction([
    db.tenantCredential.deleteMany({ where: { tenantId: input.tenantId } }),
    db.consentLink.updateMany({ where: { tenantId: input.tenantId, revokedAt: null, completedAt: null }, data: { revokedAt: new Date() } }),
    clearAccessDeadline(input.tenantId),
  ]);
  await recordAudit({
    action: "tenant.authorization_removed",
    actor: input.actor,
    target: { type: "tenant", id: input.tenantId },
    requestId: input.requestId,
    details: { customerId: tenant.customerId, removed },
  });
  const verification = await verifyTenant(input.tenantId, { actor: input.actor });
  return { ok: true, data: { removed, verification } };
}

/**
 * Redeems the stored refresh token now. Verification of an auth-token tenant does exactly that (and saves
 * the rotated cache), so refresh is a verification with its own audit entry and the new deadline.
 */
export async function refreshDelegatedToken(input: Common): Promise<Result<{ expiresAt: Date | null; verification: VerificationOutcome }>> {
  const tenant = await db.tenant.findUnique({
    where: { id: input.tenantId },
    select: { customerId: true, authMethod: true, credentials: { where: { kind: "MSAL_CACHE" }, select: { id: true } } },
  });
  if (!tenant) return gone();
  if (!methodById(tenant.authMethod).authorization.refreshable) return refuse("conflict", "Only tenants on the auth token method have a token to refresh.");
  if (tenant.credentials.length === 0) return refuse("conflict", "No token is stored for this tenant. Obtain authorization first (send the consent link).");
  const verification = await verifyTenant(input.tenantId, { actor: input.actor });
  const credential = await db.tenantCredential.findUnique({
    where: { tenantId_kind: { tenantId: input.tenantId, kind: "MSAL_CACHE" } },
    select: { expiresAt: true },
  });
  await recordAudit({
    action: "tenant.token_refreshed",
    actor: input.actor,
    target: { type: "tenant", id: input.tenantId },
    requestId: input.requestId,
    details: { customerId: tenant.customerId, result: verification.reasonCode, expiresAt: credential?.expiresAt?.toISOString() ?? null },
  });
  if (verification.status === "FAILED") return refuse("conflict", `The refresh failed: ${verification.message}. ${verification.details.remediation.text}`);
  return { ok: true, data: { expiresAt: credential?.expiresAt ?? null, verification } };
}

/** Stores (or replaces) the legacy username + password and switches the tenant to that method. */
export async function setLegacyPassword(input: Common & { username: string; password: string }): Promise<Result<{ verification: VerificationOutcome }>> {
  const tenant = await db.tenant.findUnique({ where: { id: input.tenantId }, select: { customerId: true, authMethod: true } });
  if (!tenant) return gone();
  const existing = await db.tenantCredential.findUnique({ where: { tenantId_kind: { tenantId: input.tenantId, kind: "PASSWORD" } }, select: { id: true } });
  const id = existing?.id ?? newId();
  const secret = encryptSecret(input.password, { table: "TenantCredential", rowId: id, field: "secret" });
  await db.$transaction([
    db.tenantCredential.upsert({
      where: { tenantId_kind: { tenantId: input.tenantId, kind: "PASSWORD" } },
      create: { id, tenantId: input.tenantId, kind: "PASSWORD", label: input.username, secret },
      update: { label: input.username, secret, version: { increment: 1 } },
    }),
    db.tenant.update({ where: { id: input.tenantId }, data: { authMethod: "PASSWORD", version: { increment: 1 } } }),
  ]);
  await recordAudit({
    action: "tenant.credentials_updated",
    actor: input.actor,
    target: { type: "tenant", id: input.tenantId },
    requestId: input.requestId,
    details: { customerId: tenant.customerId, kind: "PASSWORD", username: input.username, legacy: true },
  });
  if (tenant.authMethod !== "PASSWORD") {
    await recordAudit({
      action: "tenant.method_switched",
      actor: input.actor,
      target: { type: "tenant", id: input.tenantId },
      requestId: input.requestId,
      details: { from: tenant.authMethod, to: "PASSWORD" },
    });
  }
  const verification = await verifyTenant(input.tenantId, { actor: input.actor });
  return { ok: true, data: { verification } };
}
