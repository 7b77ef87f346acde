import "server-only";
import { db } from "@/lib/db";
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


/** Newest first; the (at) index serves the ordering so deep pages stay cheap enough for an audit view. */
export async function listAuditEvents({ page, pageSize }: { page: number; pageSize: number }): Promise<Page<AuditEventItem>> {
  const [rows, total] = await Promise.all([
    db.auditEvent.findMany({ orderBy: [{ at: "desc" }, { id: "desc" }], skip: (page - 1) * pageSize, take: pageSize }),
    db.auditEvent.count(),
  ]);
  return { items: rows.map((r) => ({ ...r, details: parseJsonObject(r.details) })), total, page, pageSize };
}
