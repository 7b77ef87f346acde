import type { TagItem } from "@/lib/data/tags";
import type { TenantListItem } from "@/lib/data/tenants";
import { isReasonCode, reasonCodes, reasons } from "@/lib/entra/reasons";
import { methodIds } from "@/lib/methods";
import { authorizationStates } from "@/lib/methods/authorization";
import { clouds, verificationStatuses } from "@/lib/validations/tenant";

/**
 * A tenant row as the Tenants page sends it to the browser: a tuple, times in epoch milliseconds. The
 * server renders the table's HTML from these rows and sends them once more as the page's flight data
 * (React hydrates from them); as objects, each row repeated its fourteen property names in both, escaped.
 * The order is the wire format: change pack and unpack together. Enumerations travel as their index in
 * their list (a number instead of an escaped string). Tags travel as ids; their names and colours come
 * once per page, in the tag list unpack is given.
 */
export type TenantRow = [
  id: string,
  customerId: string,
  displayName: string,
  entraTenantId: string | null,
  primaryDomain: string | null,
  adminEmail: string,
  /** Index in methodIds. */
  authMethod: number,
  /** Index in clouds. */
  cloud: number,
  lastVerifiedAt: number | null,
  /** Index in verificationStatuses. */
  lastStatus: number,
  /** Index in reasonCodes; a code the console does not know travels as text. */
  lastStatusCode: number | string | null,
  /** 1: the reason's own title (the usual case), sent once in the code instead of on every row. */
  lastStatusMessage: string | 1 | null,
  accessBreaksAt: number | null,
  version: number,
  /** 0 Not authorized, 1 Authorized, 2 Authorization broken (authorizationStates' order). */
  authorization: number,
  /** Tag ids, in name order; omitted (not an empty list) when the tenant has none. */
  tagIds?: string[],
];

const ms = (d: Date | null) => (d ? d.getTime() : null);
const date = (n: number | null) => (n === null ? null : new Date(n));
const code = (c: number | string | null) => (typeof c === "number" ? (reasonCodes[c] ?? null) : c);
const titleOf = (c: number | string | null) => {
  const known = code(c);
  return known && isReasonCode(known) ? reasons[known].title : null;
};

export function packTenantRows(items: TenantListItem[]): TenantRow[] {
  return items.map((t): TenantRow => {
    const row: TenantRow = [
      t.id,
      t.customerId,
      t.displayName,
      t.entraTenantId,
      t.primaryDomain,
      t.adminEmail,
      methodIds.indexOf(t.authMethod),
      clouds.indexOf(t.cloud),
      ms(t.lastVerifiedAt),
      verificationStatuses.indexOf(t.lastStatus),
      t.lastStatusCode && isReasonCode(t.lastStatusCode) ? reasonCodes.indexOf(t.lastStatusCode) : t.lastStatusCode,
      t.lastStatusMessage !== null && t.lastStatusCode && isReasonCode(t.lastStatusCode) && reasons[t.lastStatusCode].title === t.lastStatusMessage
        ? 1
        : t.lastStatusMessage,
      ms(t.accessBreaksAt),
      t.version,
      authorizationStates.indexOf(t.authorization),
    ];
    if (t.tags.length) row.push(t.tags.map((tag) => tag.id));
    return row;
  });
}

/** `tags`: every tag the page knows; an id missing from it (a tag deleted meanwhile) is dropped. */
export function unpackTenantRows(rows: TenantRow[], tags: TagItem[]): TenantListItem[] {
  const byId = new Map(tags.map((t) => [t.id, t]));
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
      tagIds,
    ]) => ({
      id,
      customerId,
      displayName,
      entraTenantId,
      primaryDomain,
      adminEmail,
      authMethod: methodIds[authMethod] ?? methodIds[0],
      cloud: clouds[cloud] ?? "GLOBAL",
      lastVerifiedAt: date(lastVerifiedAt),
      lastStatus: verificationStatuses[lastStatus] ?? "NEVER",
      lastStatusCode: code(lastStatusCode),
      lastStatusMessage: lastStatusMessage === 1 ? titleOf(lastStatusCode) : lastStatusMessage,
      accessBreaksAt: date(accessBreaksAt),
      version,
      authorization: authorizationStates[authorization] ?? "NOT_AUTHORIZED",
      tags: (tagIds ?? []).flatMap((id) => byId.get(id) ?? []),
    }),
  );
}
