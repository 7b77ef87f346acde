import "server-only";
import { db } from "@/lib/db";
import { isReasonCode, reasons } from "@/lib/entra/reasons";
import type { Prisma } from "@/lib/generated/prisma/client";
import type { Page } from "@/lib/pagination";
import type { TagItem } from "@/lib/data/tags";
import { tagColorOf } from "@/lib/tags/palette";
import { incidentStates, type IncidentState } from "@/lib/notify/events";

/**
 * Incidents as pages and the REST API show them. State: open (not acknowledged), acknowledged (open,
 * someone is on it), resolved (the tenant verified again).
 */

export { incidentStates, type IncidentState };

export type IncidentItem = {
  id: string;
  tenantId: string;
  customerId: string;
  tenantName: string;
  state: IncidentState;
  reasonCode: string;
  reasonTitle: string;
  reasonMessage: string | null;
  openedAt: Date;
  acknowledgedAt: Date | null;
  acknowledgedBy: string | null;
  resolvedAt: Date | null;
  /** Seconds from opened to resolved (resolved ones), or open so far. */
  durationSeconds: number;
  tags: TagItem[];
};

export type IncidentFilters = {
  /** Several states: any of them. Empty: every state. */
  state?: IncidentState[];
  tagId?: string;
  reasonCode?: string;
  tenantId?: string;
};

export function incidentWhere(f: IncidentFilters): Prisma.IncidentWhereInput {
  const and: Prisma.IncidentWhereInput[] = [];
  if (f.state?.length && f.state.length < incidentStates.length) {
    const or: Prisma.IncidentWhereInput[] = [];
    if (f.state.includes("open")) or.push({ openKey: { not: null }, acknowledgedAt: null });
    if (f.state.includes("acknowledged")) or.push({ openKey: { not: null }, acknowledgedAt: { not: null } });
    if (f.state.includes("resolved")) or.push({ openKey: null });
    and.push({ OR: or });
  }
  if (f.tagId) and.push({ tenant: { tags: { some: { tagId: f.tagId } } } });
  if (f.reasonCode) and.push({ reasonCode: f.reasonCode });
  if (f.tenantId) and.push({ tenantId: f.tenantId });
  return and.length ? { AND: and } : {};
}

const select = {
  id: true,
  tenantId: true,
  openKey: true,
  reasonCode: true,
  reasonMessage: true,
  openedAt: true,
  acknowledgedAt: true,
  acknowledgedBy: true,
  resolvedAt: true,
  tenant: { select: { customerId: true, displayName: true, tags: { select: { tag: { select: { id: true, name: true, color: true } } } } } },
} satisfies Prisma.IncidentSelect;

type Row = Prisma.IncidentGetPayload<{ select: typeof select }>;

export function reasonTitleOf(code: string): string {
  return isReasonCode(code) ? reasons[code].title : code;
}

function item(r: Row, now: number): IncidentItem {
  const end = r.resolvedAt ? r.resolvedAt.getTime() : now;
  return {
    id: r.id,
    tenantId: r.tenantId,
    customerId: r.tenant.customerId,
    tenantName: r.tenant.displayName,
    state: r.openKey ? (r.acknowledgedAt ? "acknowledged" : "open") : "resolved",
    reasonCode: r.reasonCode,
    reasonTitle: reasonTitleOf(r.reasonCode),
    reasonMessage: r.reasonMessage,
    openedAt: r.openedAt,
    acknowledgedAt: r.acknowledgedAt,
    acknowledgedBy: r.acknowledgedBy,
    resolvedAt: r.resolvedAt,
    durationSeconds: Math.max(0, Math.round((end - r.openedAt.getTime()) / 1000)),
    tags: r.tenant.tags.map((t) => ({ ...t.tag, color: tagColorOf(t.tag.color) })).sort((a, b) => a.name.localeCompare(b.name)),
  };
}

/** Open ones first (oldest first: longest without access), then resolved ones, newest first. */
export async function listIncidents({
  page,
  pageSize,
  filters = {},
}: {
  page: number;
  pageSize: number;
  filters?: IncidentFilters;
}): Promise<Page<IncidentItem>> {
  const where = incidentWhere(filters);
  const [rows, total] = await Promise.all([
    db.incident.findMany({
      where,
      select,
      orderBy: [{ resolvedAt: { sort: "desc", nulls: "first" } }, { openedAt: "asc" }, { id: "asc" }],
      skip: (page - 1) * pageSize,
      take: pageSize,
    }),
    db.incident.count({ where }),
  ]);
  const now = Date.now();
  return { items: rows.map((r) => item(r, now)), total, page, pageSize };
}

export async function getIncident(id: string): Promise<IncidentItem | null> {
  const r = await db.incident.findUnique({ where: { id }, select });
  return r ? item(r, Date.now()) : null;
}

export type IncidentStats = {
  open: number;
  acknowledged: number;
  resolved: number;
  /** Mean and median seconds to resolve, over resolved incidents (null when none). */
  meanSecondsToResolve: number | null;
  medianSecondsToResolve: number | null;
};

/** Counts per state and time to resolve, over the filtered incidents (state filter ignored). */
export async function incidentStats(filters: Omit<IncidentFilters, "state"> = {}): Promise<IncidentStats> {
  const base = incidentWhere(filters);
  const [open, acknowledged, resolvedRows] = await Promise.all([
    db.incident.count({ where: { AND: [base, { openKey: { not: null }, acknowledgedAt: null }] } }),
    db.incident.count({ where: { AND: [base, { openKey: { not: null }, acknowledgedAt: { not: null } }] } }),
    // Durations of the latest 5,000 resolved incidents: enough for a mean and a median that mean something.
    db.incident.findMany({
      where: { AND: [base, { openKey: null, resolvedAt: { not: null } }] },
      select: { openedAt: true, resolvedAt: true },
      orderBy: { resolvedAt: "desc" },
      take: 5000,
    }),
  ]);
  const resolvedCount = await db.incident.count({ where: { AND: [base, { openKey: null }] } });
  const durations = resolvedRows.map((r) => Math.max(0, (r.resolvedAt!.getTime() - r.openedAt.getTime()) / 1000)).sort((a, b) => a - b);
  const mean = durations.length ? Math.round(durations.reduce((s, d) => s + d, 0) / durations.length) : null;
  const median = durations.length
    ? Math.round(durations.length % 2 ? durations[(durations.length - 1) / 2]! : (durations[durations.length / 2 - 1]! + durations[durations.length / 2]!) / 2)
    : null;
  return { open, acknowledged, resolved: resolvedCount, meanSecondsToResolve: mean, medianSecondsToResolve: median };
}

/** The reasons incidents have had, for the filter. */
export async function incidentReasons(): Promise<{ code: string; title: string }[]> {
  const rows = await db.incident.findMany({ distinct: ["reasonCode"], select: { reasonCode: true }, orderBy: { reasonCode: "asc" } });
  return rows.map((r) => ({ code: r.reasonCode, title: reasonTitleOf(r.reasonCode) }));
}

/** Incidents not resolved yet (open or acknowledged), for the navigation's badge: one count over the unique openKey. */
export async function unresolvedIncidentCount(): Promise<number> {
  return db.incident.count({ where: { openKey: { not: null } } });
}
