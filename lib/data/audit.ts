import "server-only";
import { db } from "@/lib/db";
import type { Prisma } from "@/lib/generated/prisma/client";
import { parseJsonObject } from "@/lib/json";
import type { Page } from "@/lib/pagination";

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
  return {
    items: rows.map((r) => ({
      id: r.id,
      at: r.at,
      action: r.action,
      actorType: r.actorType,
      actorLabel: r.actorLabel,
      targetType: r.targetType,
      targetId: r.targetId,
      requestId: r.requestId,
      details: parseJsonObject(r.details),
    })),
    total,
    page,
    pageSize,
  };
}
