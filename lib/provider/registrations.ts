import "server-only";
import { db } from "@/lib/db";
import { cloudNames, type CloudId } from "@/lib/entra/clouds";
import { registrationFor, type TenantRegistrationFacts } from "./resolve";
import { appOfRegistration, ProviderNotConfiguredError, type ProviderApp } from "./settings";

export { registrationFor } from "./resolve";

/** A tenant whose cloud has no app registration (and that has not chosen one). */
export class NoRegistrationError extends ProviderNotConfiguredError {
  constructor(readonly cloud: CloudId) {
    super("", "");
    this.message = `No app registration for ${cloudNames[cloud]}. An administrator adds one on Settings → App registrations.`;
    this.name = "NoRegistrationError";
  }
}

/**
 * The app registration a tenant uses, decrypted, for consent links and the consent callback (verification
 * reads all registrations once per run and chooses with the same `registrationFor`). Throws
 * NoRegistrationError when the tenant's cloud has none, ProviderNotConfiguredError when it is incomplete,
 * DecryptionError when its secret cannot be read.
 */
export async function appForTenant(tenant: TenantRegistrationFacts): Promise<ProviderApp> {
  const rows = await db.appRegistration.findMany({
    where: { OR: [{ defaultForCloud: tenant.cloud }, ...(tenant.appRegistrationId ? [{ id: tenant.appRegistrationId }] : [])] },
  });
  const choice = registrationFor(
    tenant,
    rows.map((r) => ({ ...r, cloud: r.cloud as CloudId, defaultForCloud: r.defaultForCloud as CloudId | null })),
  );
  if (!choice.ok) throw new NoRegistrationError(choice.cloud);
  return appOfRegistration(rows.find((r) => r.id === choice.registration.id)!);
}

/** The same, by tenant id; null when the tenant does not exist. */
export async function appForTenantId(tenantId: string): Promise<ProviderApp | null> {
  const tenant = await db.tenant.findUnique({ where: { id: tenantId }, select: { cloud: true, appRegistrationId: true } });
  return tenant ? appForTenant({ cloud: tenant.cloud as CloudId, appRegistrationId: tenant.appRegistrationId }) : null;
}

/** Every app registration's name by id (there are few), for lists that name a tenant's registration. */
export async function registrationNames(): Promise<Map<string, string>> {
  return new Map((await db.appRegistration.findMany({ select: { id: true, name: true } })).map((r) => [r.id, r.name]));
}
