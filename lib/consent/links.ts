import "server-only";
import { createHash, randomBytes } from "node:crypto";
import { recordAudit, type AuditActor } from "@/lib/audit";
import { DecryptionError } from "@/lib/crypto";
import { db } from "@/lib/db";
import { reasons } from "@/lib/entra/reasons";
import { env } from "@/lib/env";
import { refuse, type Result } from "@/lib/errors";
import { newId } from "@/lib/ids";
import { consentFlowFor } from "@/lib/methods";
import { appForTenant, NoRegistrationError } from "@/lib/provider/registrations";
import { ProviderNotConfiguredError } from "@/lib/provider/settings";
import type { CloudId } from "@/lib/entra/clouds";
import type { ConsentFlow } from "@/lib/generated/prisma/enums";

/**
 * Consent links go to the customer's administrator, who is not a console user. The link holds a 256-bit
 * random token; only its SHA-256 is stored, so a database read does not reveal usable links.
 */
export function hashToken(token: string) {
  return createHash("sha256").update(token, "utf8").digest("hex");
}

export function consentUrl(token: string) {
  return new URL(`/consent/${token}`, env.APP_URL).toString();
}

export const TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;

export async function createConsentLink(input: {
  tenantId: string;
  actor: AuditActor;
  requestId?: string;
  flow?: ConsentFlow;
  expiresInDays?: number;
}): Promise<Result<{ url: string; token: string; linkId: string; expiresAt: Date; flow: ConsentFlow }>> {
  const tenant = await db.tenant.findUnique({
    where: { id: input.tenantId },
    select: { id: true, customerId: true, authMethod: true, entraTenantId: true, primaryDomain: true, cloud: true, appRegistrationId: true },
  });
  if (!tenant) return refuse("not-found", "Tenant not found.");
  try {
    // The tenant's own app registration (its cloud's default or the one chosen for it): a link whose
    // consent the console could not confirm would only fail at the customer's end.
    await appForTenant({ cloud: tenant.cloud as CloudId, appRegistrationId: tenant.appRegistrationId });
  } catch (e) {
    if (e instanceof DecryptionError)
      return refuse("conflict", `App registration: ${reasons.SECRET_UNREADABLE.title}. ${reasons.SECRET_UNREADABLE.remediation.text}`);
    // Seed 003: without a Client ID and a secret there is nothing for the customer to consent to.
    if (e instanceof NoRegistrationError) return refuse("conflict", e.message);
    if (e instanceof ProviderNotConfiguredError) return refuse("conflict", `${e.message} Consent links can be sent once it is.`);
    throw e;
  }
  if (!tenant.entraTenantId && !tenant.primaryDomain) {
    return refuse("conflict", "Set the tenant's Entra tenant ID or primary domain first: the console must know which tenant the consent is for.");
  }
  const flow = input.flow ?? consentFlowFor(tenant.authMethod);
  const days = input.expiresInDays ?? env.CONSENT_LINK_DAYS;
  const token = randomBytes(32).toString("base64url");
  const expiresAt = new Date(Date.now() + days * 86_400_000);
  const id = newId();
  await db.consentLink.create({
    data: { id, tenantId: tenant.id, flow, tokenHash: hashToken(token), expiresAt, createdBy: input.actor.label },
  });
  await recordAudit({
    action: "consent_link.created",
    actor: input.actor,
    target: { type: "tenant", id: tenant.id },
    requestId: input.requestId,
    details: { customerId: tenant.customerId, flow, linkId: id, expiresAt: expiresAt.toISOString() },
  });
  return { ok: true, data: { url: consentUrl(token), token, linkId: id, expiresAt, flow } };
}

/** A link that still works: not revoked, not completed, not expired. */
export function usableLink() {
  return { revokedAt: null, completedAt: null, expiresAt: { gt: new Date() } };
}

function usableLinksOf(tenantId: string) {
  return { tenantId, ...usableLink() };
}

/**
 * Revokes the tenant's usable links and cancels the states they already issued (an administrator may be
 * on Microsoft's page right now): the callback refuses a cancelled state. The link first, then its
 * states, in one transaction; startConsent checks the link again after creating a state.
 */
export async function revokeConsentLinks(input: { tenantId: string; actor: AuditActor; requestId?: string; linkId?: string }) {
  // `linkId`: only that link (an invitation's), not the tenant's other links.
  const where = input.linkId ? { id: input.linkId, ...usableLinksOf(input.tenantId) } : usableLinksOf(input.tenantId);
  const ids = (await db.consentLink.findMany({ where, select: { id: true } })).map((l) => l.id);
  if (ids.length === 0) return 0;
  const now = new Date();
  const [{ count }] = await db.$transaction([
    db.consentLink.updateMany({ where: { id: { in: ids }, ...usableLink() }, data: { revokedAt: now } }),
    db.oAuthState.updateMany({ where: { consentLinkId: { in: ids }, usedAt: null, cancelledAt: null }, data: { cancelledAt: now } }),
  ]);
  if (count) {
    await recordAudit({
      action: "consent_link.revoked",
      actor: input.actor,
      target: { type: "tenant", id: input.tenantId },
      requestId: input.requestId,
      details: { count },
    });
  }
  return count;
}

export type ActiveConsentLink = {
  id: string;
  flow: ConsentFlow;
  expiresAt: Date;
  tenant: {
    id: string;
    customerId: string;
    displayName: string;
    entraTenantId: string | null;
    primaryDomain: string | null;
    adminEmail: string;
    cloud: string;
    appRegistrationId: string | null;
  };
};

/** The link behind a token, if it is still usable (not expired, revoked or completed). */
export async function findActiveConsentLink(token: string): Promise<ActiveConsentLink | null> {
  if (!TOKEN_PATTERN.test(token)) return null;
  const link = await db.consentLink.findUnique({
    where: { tokenHash: hashToken(token) },
    select: {
      id: true,
      flow: true,
      expiresAt: true,
      revokedAt: true,
      completedAt: true,
      tenant: {
        select: {
          id: true,
          customerId: true,
          displayName: true,
          entraTenantId: true,
          primaryDomain: true,
          adminEmail: true,
          cloud: true,
          appRegistrationId: true,
        },
      },
    },
  });
  if (!link || link.revokedAt || link.completedAt || link.expiresAt <= new Date()) return null;
  return { id: link.id, flow: link.flow, expiresAt: link.expiresAt, tenant: link.tenant };
}

export type ConsentLinkMetadata = { id: string; flow: ConsentFlow; createdAt: Date; createdBy: string; expiresAt: Date; lastUsedAt: Date | null };

/**
 * The tenant's newest usable consent link, as metadata. Its URL is gone for good: only the hash of the
 * link's token is stored.
 */
export async function activeConsentLink(tenantId: string): Promise<ConsentLinkMetadata | null> {
  return db.consentLink.findFirst({
    where: usableLinksOf(tenantId),
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    select: { id: true, flow: true, createdAt: true, createdBy: true, expiresAt: true, lastUsedAt: true },
  });
}
