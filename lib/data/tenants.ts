import "server-only";
import { db } from "@/lib/db";
import type { Page } from "@/lib/pagination";

/** What the browser may see of a tenant: no credentials, no internal columns. */
export const tenantListSelect = {
  id: true,
  customerId: true,
  displayName: true,
  entraTenantId: true,
  primaryDomain: true,
  adminEmail: true,
  authMethod: true,
  cloud: true,
  lastVerifiedAt: true,
  lastStatus: true,
  lastStatusCode: true,
  lastStatusMessage: true,
  accessBreaksAt: true,
} as const;

export type TenantListItem = {
  id: string;
  customerId: string;
  displayName: string;
  entraTenantId: string | null;
  primaryDomain: string | null;
  adminEmail: string;
  authMethod: "PASSWORD" | "AUTH_TOKEN" | "APP_REGISTRATION";
  cloud: "GLOBAL" | "USGOV" | "USGOV_DOD" | "CHINA" | "CUSTOM";
  lastVerifiedAt: Date | null;
  lastStatus: "NEVER" | "VERIFIED" | "WARNING" | "FAILED";
  lastStatusCode: string | null;
  lastStatusMessage: string | null;
  accessBreaksAt: Date | null;
};

export async function listTenants({ page, pageSize }: { page: number; pageSize: number }): Promise<Page<TenantListItem>> {
  const [items, total] = await Promise.all([
    db.tenant.findMany({ select: tenantListSelect, orderBy: { customerId: "asc" }, skip: (page - 1) * pageSize, take: pageSize }),
    db.tenant.count(),
  ]);
  return { items, total, page, pageSize };
}
