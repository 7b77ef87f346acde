import type { CloudId } from "@/lib/entra/clouds";

/**
 * Which MSP app registration a tenant uses: the one chosen for it (Tenant.appRegistrationId), else its
 * cloud's default registration, else none, which verification reports as "No app registration for <cloud>"
 * (reason NO_APP_REGISTRATION). An app is registered separately in each national cloud, and tokens of
 * one cloud do not work in another, so a cloud's tenants never fall back to another cloud's app.
 * Pure, so the rule is tested on its own; ./registrations.ts loads the rows it chooses from.
 * @see https://learn.microsoft.com/en-us/entra/identity-platform/authentication-national-cloud
 */

export type RegistrationKey = { id: string; cloud: CloudId; defaultForCloud: CloudId | null };

export type TenantRegistrationFacts = { cloud: CloudId; appRegistrationId: string | null };

export type RegistrationChoice<R> = { ok: true; registration: R; how: "explicit" | "cloud_default" } | { ok: false; cloud: CloudId };

export function registrationFor<R extends RegistrationKey>(tenant: TenantRegistrationFacts, registrations: Iterable<R>): RegistrationChoice<R> {
  let cloudDefault: R | undefined;
  for (const r of registrations) {
    if (tenant.appRegistrationId && r.id === tenant.appRegistrationId) return { ok: true, registration: r, how: "explicit" };
    if (r.defaultForCloud === tenant.cloud) cloudDefault = r;
  }
  return cloudDefault ? { ok: true, registration: cloudDefault, how: "cloud_default" } : { ok: false, cloud: tenant.cloud };
}
