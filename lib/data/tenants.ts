import "server-only";
import { containsInsensitive, db } from "@/lib/db";
import type { CredentialKind } from "@/lib/generated/prisma/enums";
import { parseJsonObject } from "@/lib/json";
import { searchCandidates, searchStatusCounts, tenantCountRows } from "./tenant-index";
import { taggedCandidates, tagsOfRows, type TagItem } from "./tags";
import type { Prisma } from "@/lib/generated/prisma/client";
import { authorizationState, type AuthorizationState, type MethodId } from "@/lib/methods";
import type { Page } from "@/lib/pagination";
import { withShownDeadline } from "@/lib/tenants/access-breaks";
import { parseGroupRegistration, type GroupRegistration } from "@/lib/tenants/failure-groups";
import { outcomeFromRow, storedResultSelect, type StoredOutcome } from "@/lib/verification/outcome";
import { totalOf, verificationStatuses, type StatusValue, type TenantFilters, type TenantListParams, type TenantSortColumn } from "@/lib/validations/tenant";

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
  version: true,
  // Kinds only, for the authorization state (withAuthorization); secrets are never selected.
  credentials: { select: { kind: true } },
  tags: { select: { tag: { select: { id: true, name: true, color: true } } } },
} as const;

type AuthorizationInput = { authMethod: MethodId; lastStatus: StatusValue; lastStatusCode: string | null; credentials: { kind: CredentialKind }[] };

/** A row with its authorization state (lib/methods/authorization.ts), derived here once for the table, the tenant page and the REST API. */
export function withAuthorization<T extends AuthorizationInput>(row: T): T & { authorization: AuthorizationState } {
  return { ...row, authorization: authorizationState(row.authMethod, row) };
}

type TagRows = { tags: { tag: { id: string; name: string; color: string } }[] };

/** A row as it leaves lib/data: its authorization state, "Access breaks on" as shown (lib/tenants/access-breaks.ts), its tags by name. */
function toListItem<T extends AuthorizationInput & TagRows & { accessBreaksAt: Date | null }>(
  row: T,
): Omit<T, "credentials" | "tags"> & { authorization: AuthorizationState; tags: TagItem[] } {
  const item: Partial<Pick<T, "credentials">> & Omit<T, "credentials" | "tags"> & { authorization: AuthorizationState; tags: TagItem[] } = {
    ...withShownDeadline(withAuthorization(row)),
    tags: tagsOfRows(row.tags),
  };
  delete item.credentials;
  return item;
}

export type TenantListItem = {
  id: string;
  customerId: string;
  displayName: string;
  entraTenantId: string | null;
  primaryDomain: string | null;
  adminEmail: string;
  authMethod: MethodId;
  cloud: "GLOBAL" | "USGOV" | "USGOV_DOD" | "CHINA" | "CUSTOM";
  lastVerifiedAt: Date | null;
  lastStatus: StatusValue;
  lastStatusCode: string | null;
  lastStatusMessage: string | null;
  accessBreaksAt: Date | null;
  version: number;
  /** Source 002's Not authorized / Authorized / Authorization broken. */
  authorization: AuthorizationState;
  /** Its tags, by name. */
  tags: TagItem[];
};

export type StatusCounts = Record<StatusValue, number> & { total: number };

/**
 * Filters become indexed predicates: status/method/cloud are equality on indexed columns; the free text
 * is a case-insensitive `contains` over the four searchable columns on both databases. On PostgreSQL its
 * trigram indexes serve that predicate; on SQLite a search is first resolved through the FTS5 index
 * (`candidates`, see lib/data/tenant-index.ts), and the predicate is then the matching ids.
 */
export function tenantWhere(
  f: Partial<TenantFilters>,
  options: { ignoreStatus?: boolean; candidates?: string[] | null; tagged?: string[] | null } = {},
): Prisma.TenantWhereInput {
  const and: Prisma.TenantWhereInput[] = [];
  if (f.status?.length && !options.ignoreStatus) and.push({ lastStatus: f.status.length === 1 ? f.status[0] : { in: f.status } });
  if (f.method?.length) and.push({ authMethod: f.method.length === 1 ? f.method[0] : { in: f.method } });
  if (f.cloud?.length) and.push({ cloud: f.cloud.length === 1 ? f.cloud[0] : { in: f.cloud } });
  if (f.reason?.length) and.push({ lastStatusCode: f.reason.length === 1 ? f.reason[0] : { in: f.reason } });
  if (f.app) and.push(registrationWhere(parseGroupRegistration(f.app)));
  // Any of the tags: the tenants a few tags have, resolved first (`tagged`, lib/data/tags.ts); otherwise
  // EXISTS on TenantTag (Prisma's `some`), one primary-key probe per tenant in the page's order.
  if (f.tag?.length && options.tagged) and.push({ id: { in: options.tagged } });
  else if (f.tag?.length) and.push({ tags: { some: { tagId: f.tag.length === 1 ? f.tag[0] : { in: f.tag } } } });
  if (f.q && options.candidates) {
    and.push({ id: { in: options.candidates } });
  } else if (f.q) {
    const q = f.q;
    and.push({
      OR: [
        { customerId: containsInsensitive(q) },
        { adminEmail: containsInsensitive(q.toLowerCase()) },
        { displayName: containsInsensitive(q) },
        { primaryDomain: containsInsensitive(q.toLowerCase()) },
      ],
    });
  }
  return and.length ? { AND: and } : {};
}

/** The tenants that sign in with a group's app registration (see registrationFor in lib/provider/resolve.ts). */
function registrationWhere(r: GroupRegistration): Prisma.TenantWhereInput {
  const own: Prisma.TenantWhereInput = { authMethod: "APP_REGISTRATION", appClientId: { not: null } };
  if (r.kind === "own") return own;
  return { appRegistrationId: r.kind === "chosen" ? r.id : null, NOT: own };
}

/**
 * Each order ends on a unique column so pages never overlap; the first column has an index of its own.
 * Status sorts by severity and the default order is "Needs attention": both read columns the database
 * keeps for them (lib/tenants/attention.ts), since an enum sorts by name on SQLite. An empty date sorts
 * last in both directions on both databases (SQLite would put it first, PostgreSQL last ascending only);
 * listTenantPage reads those two orders in two index reads instead (datedFirst).
 */
export function tenantOrderBy(sort: TenantSortColumn, dir: "asc" | "desc"): Prisma.TenantOrderByWithRelationInput[] {
  if (sort === "customerId") return [{ customerId: dir }];
  if (sort === "attention") return [{ attention: dir }, { customerId: dir }];
  if (sort === "lastStatus") return [{ severity: dir }, { customerId: dir }];
  if (sort === "accessBreaksAt" || sort === "lastVerifiedAt") return [{ [sort]: { sort: dir, nulls: "last" } }, { customerId: dir }];
  // The tie-break follows the sort direction so that one (column, customerId) index, read forwards or
  // backwards, serves both directions without sorting the table.
  return [{ [sort]: dir }, { customerId: dir }];
}

/**
 * One page of rows, without counting: one row more than the page is read to know whether a next page
 * exists. The page's cost is then independent of the number of tenants; totals come from
 * tenantStatusCounts, which the page streams in separately.
 */
export async function listTenantPage(
  params: Pick<TenantListParams, "page" | "pageSize"> & Partial<TenantListParams>,
): Promise<{ items: TenantListItem[]; hasMore: boolean }> {
  const [candidates, tagged] = await Promise.all([params.q ? searchCandidates(params.q) : null, params.tag?.length ? taggedCandidates(params.tag) : null]);
  const where = tenantWhere(params, { candidates, tagged });
  const sort = params.sort ?? "customerId";
  const dir = params.dir ?? "asc";
  const skip = (params.page - 1) * params.pageSize;
  const take = params.pageSize + 1;
  const rows =
    sort === "accessBreaksAt" || sort === "lastVerifiedAt"
      ? await datedFirst(where, sort, dir, skip, take)
      : await db.tenant.findMany({ select: tenantListSelect, where, orderBy: tenantOrderBy(sort, dir), skip, take });
  return { items: rows.slice(0, params.pageSize).map(toListItem), hasMore: rows.length > params.pageSize };
}

/**
 * A date column's order with empty dates last in both directions, read from the (date, customerId) index:
 * the dated tenants in the index's order (either direction), then, once they run out, the undated ones
 * by customer id. A single ORDER BY … NULLS LAST would sort every tenant on SQLite (its index keeps NULLs
 * first) and descending on PostgreSQL. The dated tenants are counted only for a page past all of them.
 */
async function datedFirst(where: Prisma.TenantWhereInput, column: "accessBreaksAt" | "lastVerifiedAt", dir: "asc" | "desc", skip: number, take: number) {
  const dated: Prisma.TenantWhereInput = { AND: [where, { [column]: { not: null } }] };
  const first = await db.tenant.findMany({ select: tenantListSelect, where: dated, orderBy: [{ [column]: dir }, { customerId: dir }], skip, take });
  if (first.length >= take) return first;
  const datedCount = first.length > 0 ? skip + first.length : await db.tenant.count({ where: dated });
  const rest = await db.tenant.findMany({
    select: tenantListSelect,
    where: { AND: [where, { [column]: null }] },
    orderBy: { customerId: dir },
    skip: Math.max(0, skip - datedCount),
    take: take - first.length,
  });
  return [...first, ...rest];
}

export async function listTenants(params: Pick<TenantListParams, "page" | "pageSize"> & Partial<TenantListParams>): Promise<Page<TenantListItem>> {
  const [{ items }, counts] = await Promise.all([listTenantPage(params), tenantStatusCounts(params)]);
  return { items, total: totalOf(counts, params.status), page: params.page, pageSize: params.pageSize };
}

/**
 * Tenants per status under the other filters, so each summary count is what clicking it would show.
 * Without a search they come from the counts the database keeps per (status, method, cloud) (a read of
 * a few dozen rows at any number of tenants); with one, from the tenants the search matches (through the
 * index on SQLite, lib/data/tenant-index.ts).
 */
export async function tenantStatusCounts(filters: Partial<TenantFilters>): Promise<StatusCounts> {
  const counts = Object.fromEntries(verificationStatuses.map((s) => [s, 0])) as Record<StatusValue, number>;
  if (filters.reason?.length || filters.app || filters.tag?.length) {
    // A root-cause group's or a tag's view: the counts table knows neither reasons nor tags; the indexes count them.
    const [candidates, tagged] = await Promise.all([
      filters.q ? searchCandidates(filters.q) : null,
      filters.tag?.length ? taggedCandidates(filters.tag) : null,
    ]);
    const groups = await db.tenant.groupBy({
      by: ["lastStatus"],
      where: tenantWhere(filters, { ignoreStatus: true, candidates, tagged }),
      _count: { _all: true },
    });
    for (const g of groups) counts[g.lastStatus] = g._count._all;
  } else if (!filters.q) {
    const method = filters.method?.length ? new Set<string>(filters.method) : null;
    const cloud = filters.cloud?.length ? new Set<string>(filters.cloud) : null;
    for (const r of await tenantCountRows()) if ((!method || method.has(r.authMethod)) && (!cloud || cloud.has(r.cloud))) counts[r.lastStatus] += r.n;
  } else {
    const indexed = await searchStatusCounts(filters.q, filters);
    if (indexed) {
      for (const [status, n] of indexed) counts[status] = n;
    } else {
      const candidates = await searchCandidates(filters.q);
      const where = tenantWhere(filters, { ignoreStatus: true, candidates });
      const groups = await db.tenant.groupBy({ by: ["lastStatus"], where, _count: { _all: true } });
      for (const g of groups) counts[g.lastStatus] = g._count._all;
    }
  }
  return { ...counts, total: Object.values(counts).reduce((a, b) => a + b, 0) };
}

/** Rows of a view for CSV export, read in keyset batches so a 100,000-tenant export never sits in memory at once. */
export async function* tenantsForExport(
  filters: Partial<TenantFilters>,
  ids?: string[],
  batchSize = 1000,
): AsyncGenerator<(TenantListItem & { appRegistrationId: string | null })[]> {
  const base = tenantWhere(filters, {
    candidates: filters.q ? await searchCandidates(filters.q) : null,
    tagged: filters.tag?.length ? await taggedCandidates(filters.tag) : null,
  });
  const scoped: Prisma.TenantWhereInput = ids ? { AND: [base, { id: { in: ids } }] } : base;
  let after: string | null = null;
  for (;;) {
    const where: Prisma.TenantWhereInput = after === null ? scoped : { AND: [scoped, { customerId: { gt: after } }] };
    const rows = (
      await db.tenant.findMany({ select: { ...tenantListSelect, appRegistrationId: true }, where, orderBy: { customerId: "asc" }, take: batchSize })
    ).map(toListItem);
    if (rows.length === 0) return;
    yield rows;
    if (rows.length < batchSize) return;
    after = rows[rows.length - 1]!.customerId;
  }
}

export type CredentialMeta = { id: string; kind: CredentialKind; label: string | null; hint: string | null; expiresAt: Date | null; updatedAt: Date };

/** A stored verification result, as the tenant page and a row's expanded view show it. */
export type VerificationHistoryItem = StoredOutcome;

export type TenantAuditItem = { id: string; at: Date; action: string; actorLabel: string; details: Record<string, unknown> };

/** The failure policy's state (lib/tenants/failure-policy.ts), as the tenant page explains it. */
export type CheckPolicyState = {
  lastCheckAt: Date | null;
  lastCheckCode: string | null;
  failureStreak: number;
  failingSince: Date | null;
  nextCheckAt: Date | null;
  /** Consent received and being confirmed until then (failure-policy.ts); null otherwise. */
  consentConfirmingUntil: Date | null;
};

export type TenantDetail = TenantListItem &
  CheckPolicyState & {
    appClientId: string | null;
    createdAt: Date;
    updatedAt: Date;
    credentials: CredentialMeta[];
    history: VerificationHistoryItem[];
    /** What started each run in the history: "Verify All", "Scheduled Verify All", "Keep-alive". */
    historySources: Record<string, string>;
    audit: TenantAuditItem[];
  };

function runSource(run: { trigger: string; requestedBy: string; scope: boolean }): string {
  if (run.trigger === "schedule")
    return run.requestedBy.endsWith(":keepalive") ? "Keep-alive" : run.requestedBy.endsWith(":consent") ? "Consent confirmation" : "Scheduled Verify All";
  return run.scope ? "Verify selected" : "Verify All";
}

/** Everything the tenant page shows. Credential rows leave with metadata only: the `secret` column is never selected. */
export async function getTenantDetail(tenantId: string): Promise<TenantDetail | null> {
  const tenant = await db.tenant.findUnique({
    where: { id: tenantId },
    select: {
      ...tenantListSelect,
      appClientId: true,
      createdAt: true,
      updatedAt: true,
      lastCheckAt: true,
      lastCheckCode: true,
      failureStreak: true,
      failingSince: true,
      nextCheckAt: true,
      consentConfirmingUntil: true,
      credentials: { select: { id: true, kind: true, label: true, hint: true, expiresAt: true, updatedAt: true }, orderBy: { kind: "asc" } },
    },
  });
  if (!tenant) return null;
  const [results, audit] = await Promise.all([
    db.verificationResult.findMany({ where: { tenantId }, orderBy: { finishedAt: "desc" }, take: 20, select: storedResultSelect }),
    db.auditEvent.findMany({
      where: { targetType: "tenant", targetId: tenantId },
      orderBy: [{ at: "desc" }, { id: "desc" }],
      take: 50,
      select: { id: true, at: true, action: true, actorLabel: true, details: true },
    }),
  ]);
  const runIds = [...new Set(results.flatMap((r) => (r.runId ? [r.runId] : [])))];
  const runs = runIds.length
    ? await db.jobRun.findMany({ where: { id: { in: runIds } }, select: { id: true, trigger: true, requestedBy: true, scope: true } })
    : [];
  return {
    ...withShownDeadline(withAuthorization(tenant)),
    tags: tagsOfRows(tenant.tags),
    history: results.map((r) => outcomeFromRow(r, tenant.authMethod)),
    historySources: Object.fromEntries(runs.map((r) => [r.id, runSource({ ...r, scope: r.scope !== null })])),
    audit: audit.map((a) => ({ ...a, details: parseJsonObject(a.details) })),
  };
}

/** The newest verification's details (explanation, remediation, diagnostics) for a row's expanded view. */
export async function latestVerification(tenantId: string): Promise<VerificationHistoryItem | null> {
  const r = await db.verificationResult.findFirst({
    where: { tenantId },
    orderBy: { finishedAt: "desc" },
    select: { ...storedResultSelect, tenant: { select: { authMethod: true } } },
  });
  return r ? outcomeFromRow(r, r.tenant.authMethod) : null;
}

/**
 * The tenant a REST API path names: its internal id, or else its customer id.
 * Internal ids win, so a customer id that happens to look like another tenant's id cannot shadow it.
 */
export async function resolveTenantRef(ref: string): Promise<{ id: string; customerId: string } | null> {
  const select = { id: true, customerId: true } as const;
  return (await db.tenant.findUnique({ where: { id: ref }, select })) ?? (await db.tenant.findUnique({ where: { customerId: ref }, select }));
}

// SQLite allows 999 bound parameters per statement; each lookup binds one per reference.
const REF_CHUNK = 500;

/** Internal ids for a list of internal or customer ids, in order; `unknown` holds the positions that name no tenant. */
export async function resolveTenantRefs(refs: string[]): Promise<{ ids: string[]; unknown: number[] }> {
  const found = new Map<string, string>();
  const distinct = [...new Set(refs)];
  for (let i = 0; i < distinct.length; i += REF_CHUNK) {
    const chunk = distinct.slice(i, i + REF_CHUNK);
    const [byId, byCustomer] = await Promise.all([
      db.tenant.findMany({ where: { id: { in: chunk } }, select: { id: true } }),
      db.tenant.findMany({ where: { customerId: { in: chunk } }, select: { id: true, customerId: true } }),
    ]);
    for (const t of byCustomer) found.set(t.customerId, t.id);
    for (const t of byId) found.set(t.id, t.id);
  }
  const ids: string[] = [];
  const unknown: number[] = [];
  refs.forEach((ref, index) => {
    const id = found.get(ref);
    if (id) ids.push(id);
    else unknown.push(index);
  });
  return { ids: [...new Set(ids)], unknown };
}
