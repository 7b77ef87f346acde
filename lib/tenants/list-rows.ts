import type { TenantListItem } from "@/lib/data/tenants";
import { authorizationStates } from "@/lib/methods/authorization";

/**
 * A tenant row as the Tenants page sends it to the browser: a tuple, times in epoch milliseconds. The
 * server renders the table's HTML from these rows and sends them once more as the page's flight data
 * (React hydrates from them); as objects, each row repeated its fourteen property names in both, escaped.
 * The order is the wire format: change pack and unpack together.
 */
export type TenantRow = [
  id: string,
  customerId: string,
  displayName: string,
  entraTenantId: string | null,
  primaryDomain: string | null,
  adminEmail: string,
  authMethod: TenantListItem["authMethod"],
  cloud: TenantListItem["cloud"],
  lastVerifiedAt: number | null,
  lastStatus: TenantListItem["lastStatus"],
  lastStatusCode: string | null,
  lastStatusMessage: string | null,
  accessBreaksAt: number | null,
  version: number,
  /** 0 Not authorized, 1 Authorized, 2 Authorization broken (authorizationStates' order). */
  authorization: number,
];

const ms = (d: Date | null) => (d ? d.getTime() : null);
const date = (n: number | null) => (n === null ? null : new Date(n));

export function packTenantRows(items: TenantListItem[]): TenantRow[] {
  return items.map((t) => [
    t.id,
    t.customerId,
    t.displayName,
    t.entraTenantId,
    t.primaryDomain,
    t.adminEmail,
    t.authMethod,
    t.cloud,
    ms(t.lastVerifiedAt),
    t.lastStatus,
    t.lastStatusCode,
    t.lastStatusMessage,
    ms(t.accessBreaksAt),
    t.version,
    authorizationStates.indexOf(t.authorization),
  ]);
}

export function unpackTenantRows(rows: TenantRow[]): TenantListItem[] {
  return rows.map(
    ([
      id,
      customerId,
      displayName,
      entraTenantId,
      primaryDomain,
      adminEmail,
      authMethod,
      cloud,
      lastVerifiedAt,
      lastStatus,
      lastStatusCode,
      lastStatusMessage,
      accessBreaksAt,
      version,
      authorization,
    ]) => ({
      id,
      customerId,
      displayName,
      entraTenantId,
      primaryDomain,
      adminEmail,
      authMethod,
      cloud,
      lastVerifiedAt: date(lastVerifiedAt),
      lastStatus,
      lastStatusCode,
      lastStatusMessage,
      accessBreaksAt: date(accessBreaksAt),
      version,
      authorization: authorizationStates[authorization] ?? "NOT_AUTHORIZED",
    }),
  );
}
