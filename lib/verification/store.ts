import "server-only";
import { decryptSecret, encryptSecret } from "@/lib/crypto";
import { db } from "@/lib/db";
import type { CloudId } from "@/lib/entra/clouds";
import { parseStoredCertificate, type CredentialInput, type ProviderChoice, type ProviderInput, type StoredCertificate, type TenantInput } from "./check";

/** Loading verification inputs, and storing a rotated MSAL cache. Secrets are decrypted only when a check needs them. Outcomes are written by lib/tenants/status.ts. */

export { PROVIDER_ID } from "@/lib/provider/row";
import { certificateBinding, DEFAULT_REQUIRED_APP_PERMISSIONS, secretBinding } from "@/lib/provider/row";
import { registrationFor } from "@/lib/provider/resolve";

/** Every MSP app registration, read once per check or per Verify All run; secrets decrypt on first use. */
export type RegistrationSet = ProviderInput[];

export async function loadRegistrations(): Promise<RegistrationSet> {
  const rows = await db.appRegistration.findMany({ orderBy: { id: "asc" } });
  return rows.map((p) => {
    let secret: string | null | undefined;
    let cert: StoredCertificate | null | undefined;
    return {
      id: p.id,
      name: p.name,
      cloud: p.cloud as CloudId,
      defaultForCloud: p.defaultForCloud as CloudId | null,
      clientId: p.clientId,
      clientSecret: () => (secret ??= p.clientSecret ? decryptSecret(p.clientSecret, secretBinding(p.id)) : null),
      clientSecretExpiresAt: p.clientSecretExpiresAt,
      certificateExpiresAt: p.certificateExpiresAt,
      certificate: () => (cert ??= p.certificate ? parseStoredCertificate(decryptSecret(p.certificate, certificateBinding(p.id))) : null),
      requiredAppPermissions: (p.requiredAppPermissions || DEFAULT_REQUIRED_APP_PERMISSIONS).split(/\s+/).filter(Boolean),
      customAuthorityHost: p.customAuthorityHost,
      customGraphHost: p.customGraphHost,
      customGraphResource: p.customGraphResource,
      tokenVersion: p.tokenVersion === "v1" ? ("v1" as const) : ("v2" as const),
      resource: p.resource,
    };
  });
}

/** The registration a loaded tenant uses (the one resolver, lib/provider/resolve.ts). */
export function choiceFor(tenant: TenantInput, registrations: RegistrationSet): ProviderChoice {
  return registrationFor(tenant, registrations);
}

export type LoadedTenant = { tenant: TenantInput & { customerId: string; displayName: string }; credentials: CredentialInput[] };

export async function loadTenant(tenantId: string): Promise<LoadedTenant | null> {
  return (await loadTenantsByIds([tenantId]))[0] ?? null;
}

export const tenantSelect = {
  id: true,
  customerId: true,
  displayName: true,
  authMethod: true,
  cloud: true,
  entraTenantId: true,
  primaryDomain: true,
  adminEmail: true,
  appClientId: true,
  appRegistrationId: true,
  credentials: { select: { id: true, kind: true, label: true, expiresAt: true, version: true, secret: true } },
} as const;

type TenantRow = Awaited<ReturnType<typeof db.tenant.findMany<{ select: typeof tenantSelect }>>>[number];

export function toLoaded(t: TenantRow): LoadedTenant {
  return {
    tenant: {
      id: t.id,
      customerId: t.customerId,
      displayName: t.displayName,
      authMethod: t.authMethod,
      cloud: t.cloud as CloudId,
      entraTenantId: t.entraTenantId?.toLowerCase() ?? null,
      primaryDomain: t.primaryDomain,
      adminEmail: t.adminEmail,
      appClientId: t.appClientId,
      appRegistrationId: t.appRegistrationId,
    },
    credentials: t.credentials.map((c) => {
      let plain: string | undefined;
      return {
        id: c.id,
        kind: c.kind,
        label: c.label,
        expiresAt: c.expiresAt,
        version: c.version,
        secret: () => (plain ??= decryptSecret(c.secret, { table: "TenantCredential", rowId: c.id, field: "secret" })),
      };
    }),
  };
}

/** Loads tenants with their credentials (secrets stay encrypted until a check uses them). */
export async function loadTenantsByIds(ids: string[]): Promise<LoadedTenant[]> {
  if (ids.length === 0) return [];
  const rows = await db.tenant.findMany({ where: { id: { in: ids } }, select: tenantSelect });
  const order = new Map(ids.map((id, i) => [id, i]));
  return rows.sort((a, b) => order.get(a.id)! - order.get(b.id)!).map(toLoaded);
}

/**
 * The next page of a run's tenants that have no result in the run yet, in id order after `afterId`.
 * Paging by id keeps memory flat at any tenant count and skips tenants finished before a restart.
 */
export async function loadPendingTenants(runId: string, scope: string[] | null, afterId: string | null, take: number): Promise<LoadedTenant[]> {
  const rows = await db.tenant.findMany({
    where: {
      ...(afterId !== null || scope ? { id: { ...(afterId !== null ? { gt: afterId } : {}), ...(scope ? { in: scope } : {}) } } : {}),
      results: { none: { runId } },
    },
    orderBy: { id: "asc" },
    take,
    select: tenantSelect,
  });
  return rows.map(toLoaded);
}

/**
 * Stores a rotated MSAL cache with an atomic versioned replace. On a conflict someone else wrote the
 * credential meanwhile: if they re-authorized (another account), theirs wins; if they also refreshed the
 * same account, either refresh token works (Entra does not revoke the old one on use), so ours is
 * written over theirs at their version.
 * @see https://learn.microsoft.com/en-us/entra/identity-platform/refresh-tokens
 */
export async function saveRotatedCache(
  credential: CredentialInput,
  cacheJson: string,
  homeAccountId: string | null,
  expiresAt: Date,
  /** The access-token broker's refresh lease (lib/access-tokens/delegated.ts): written only while held, and released. */
  lease?: { holder: string },
): Promise<"saved" | "kept_newer"> {
  let version = credential.version;
  const label = homeAccountId ?? credential.label;
  const secret = encryptSecret(cacheJson, { table: "TenantCredential", rowId: credential.id, field: "secret" });
  for (let attempt = 0; attempt < 5; attempt++) {
    const { count } = await db.tenantCredential.updateMany({
      where: { id: credential.id, version, ...(lease ? { refreshLockedBy: lease.holder } : {}) },
      data: { secret, label, expiresAt, version: { increment: 1 }, ...(lease ? { refreshLockedBy: null, refreshLockedUntil: null } : {}) },
    });
    if (count === 1) {
      credential.version = version + 1;
      return "saved";
    }
    const current = await db.tenantCredential.findUnique({ where: { id: credential.id }, select: { version: true, label: true } });
    if (!current || current.label !== credential.label) return "kept_newer";
    version = current.version;
  }
  return "kept_newer";
}
