import "server-only";
import { db } from "@/lib/db";
import type { Prisma } from "@/lib/generated/prisma/client";
import { parseJsonObject } from "@/lib/json";
import type { Page } from "@/lib/pagination";
import type { AuditView } from "@/lib/validations/audit";

export type AuditEventItem = {
  id: string;
  at: Date;
  action: string;
  actorType: string;
  actorLabel: string;
  targetType: string | null;
  targetId: string | null;
  requestId: string | null;
  details: Record<string, unknown>;
};

/** Filters of the REST API's audit query; each one narrows the result (AND). */
export type AuditFilters = {
  actor?: string;
  actorType?: string;
  action?: string[];
  targetType?: string;
  targetId?: string;
  requestId?: string;
  from?: Date;
  to?: Date;
};

function auditWhere(f: AuditFilters): Prisma.AuditEventWhereInput {
  const and: Prisma.AuditEventWhereInput[] = [];
  if (f.actor) and.push({ actorLabel: f.actor });
  if (f.actorType) and.push({ actorType: f.actorType });
  if (f.action?.length) and.push({ action: f.action.length === 1 ? f.action[0] : { in: f.action } });
  if (f.targetType) and.push({ targetType: f.targetType });
  if (f.targetId) and.push({ targetId: f.targetId });
  if (f.requestId) and.push({ requestId: f.requestId });
  if (f.from) and.push({ at: { gte: f.from } });
  if (f.to) and.push({ at: { lt: f.to } });
  return and.length ? { AND: and } : {};
}

/**
 * Newest first; the (at) index serves the ordering so deep pages stay cheap enough for an audit view, and
 * the (action, at), (actorLabel, at) and (targetType, targetId, at) indexes serve the filtered views.
 */
/**
 * The filters of the audit page's view. The target tenant is named as people know it, by customer id or
 * display name (exact, case as stored): it resolves to the tenant's id; `tenantFound` is false when no
 * tenant has that id or name, and the filters then match nothing. Dates are whole UTC days, `to` included.
 */
export async function auditViewFilters(view: AuditView): Promise<{ filters: AuditFilters; tenantFound: boolean }> {
  const filters: AuditFilters = { actor: view.actor, action: view.action, requestId: view.requestId };
  if (view.from) filters.from = new Date(`${view.from}T00:00:00Z`);
  if (view.to) filters.to = new Date(new Date(`${view.to}T00:00:00Z`).getTime() + 86_400_000);
  let tenantFound = true;
  if (view.tenant) {
    const tenant =
      (await db.tenant.findUnique({ where: { customerId: view.tenant }, select: { id: true } })) ??
      (await db.tenant.findFirst({ where: { displayName: view.tenant }, select: { id: true }, orderBy: { customerId: "asc" } }));
    tenantFound = Boolean(tenant);
    filters.targetType = "tenant";
    // No such tenant: an id no row has, so the view is empty rather than unfiltered.
    filters.targetId = tenant?.id ?? "(no such tenant)";
  }
  return { filters, tenantFound };
}

export async function listAuditEvents({
  page,
  pageSize,
  filters = {},
}: {
  page: number;
  pageSize: number;
  filters?: AuditFilters;
}): Promise<Page<AuditEventItem>> {
  const where = auditWhere(filters);
  const [rows, total] = await Promise.all([
    db.auditEvent.findMany({ where, orderBy: [{ at: "desc" }, { id: "desc" }], skip: (page - 1) * pageSize, take: pageSize }),
    db.auditEvent.count({ where }),
  ]);
  return { items: rows.map(toItem), total, page, pageSize };
}

type AuditRow = Awaited<ReturnType<typeof db.auditEvent.findFirstOrThrow>>;

function toItem(r: AuditRow): AuditEventItem {
  return {
    id: r.id,
    at: r.at,
    action: r.action,
    actorType: r.actorType,
    actorLabel: r.actorLabel,
    targetType: r.targetType,
    targetId: r.targetId,
    requestId: r.requestId,
    details: parseJsonObject(r.details),
  };
}

/**
 * Every event of a filtered view, newest first, in batches for a streamed export: keyset paging on
 * (at, id), so the thousandth batch costs what the first does and rows written meanwhile do not shift it.
 */
export async function* auditEventsForExport(filters: AuditFilters, batchSize = 1000): AsyncGenerator<AuditEventItem[]> {
  const base = auditWhere(filters);
  let after: { at: Date; id: string } | null = null;
  for (;;) {
    const where: Prisma.AuditEventWhereInput =
      after === null ? base : { AND: [base, { OR: [{ at: { lt: after.at } }, { at: after.at, id: { lt: after.id } }] }] };
    const rows = await db.auditEvent.findMany({ where, orderBy: [{ at: "desc" }, { id: "desc" }], take: batchSize });
    if (rows.length === 0) return;
    yield rows.map(toItem);
    if (rows.length < batchSize) return;
    const last = rows[rows.length - 1]!;
    after = { at: last.at, id: last.id };
  }
}
