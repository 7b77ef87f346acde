import "server-only";
import { db } from "@/lib/db";
import type { CloudId } from "@/lib/entra/clouds";
import { registrationFor } from "@/lib/provider/resolve";
import { ownAppView, type OwnAppView } from "@/lib/tenants/own-app";

export type TenantRegistrationInfo = {
  cloud: CloudId;
  appRegistrationId: string | null;
  /** The MSP registration the tenant uses, and why; null: none for its cloud. */
  uses: { id: string; name: string; how: "explicit" | "cloud_default" } | null;
  /** Registrations the tenant may choose: those of its cloud. */
  options: { id: string; name: string; isDefault: boolean }[];
  ownApp: OwnAppView;
};

/** What a tenant's page shows of its app registration: metadata only (never a secret). */
export async function tenantRegistrationInfo(tenantId: string): Promise<TenantRegistrationInfo | null> {
  const [tenant, ownApp] = await Promise.all([
    db.tenant.findUnique({ where: { id: tenantId }, select: { cloud: true, appRegistrationId: true } }),
    ownAppView(tenantId),
  ]);
  if (!tenant || !ownApp) return null;
  const rows = await db.appRegistration.findMany({
    where: { OR: [{ cloud: tenant.cloud }, ...(tenant.appRegistrationId ? [{ id: tenant.appRegistrationId }] : [])] },
    select: { id: true, name: true, cloud: true, defaultForCloud: true },
    orderBy: { name: "asc" },
  });
  const keys = rows.map((r) => ({ ...r, cloud: r.cloud as CloudId, defaultForCloud: r.defaultForCloud as CloudId | null }));
  const choice = registrationFor({ cloud: tenant.cloud as CloudId, appRegistrationId: tenant.appRegistrationId }, keys);
  return {
    cloud: tenant.cloud as CloudId,
    appRegistrationId: tenant.appRegistrationId,
    uses: choice.ok ? { id: choice.registration.id, name: choice.registration.name, how: choice.how } : null,
    options: keys.filter((r) => r.cloud === tenant.cloud).map((r) => ({ id: r.id, name: r.name, isDefault: r.defaultForCloud !== null })),
    ownApp,
  };
}
