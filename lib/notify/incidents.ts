import "server-only";
import { db } from "@/lib/db";
import { isUniqueViolation } from "@/lib/db-client";
import { isReasonCode, reasons } from "@/lib/entra/reasons";
import { newId } from "@/lib/ids";
import type { Prisma } from "@/lib/generated/prisma/client";
import { eventTypeInfo, type EventType } from "./events";

/**
 * Incidents follow the tenant's status, which only the failure policy decides (lib/tenants/status.ts):
 * a tenant that is Failed has one open incident; it is resolved once the tenant has verified again since it
 * was opened. Brief throttling or one transient error never makes a tenant Failed, so it opens nothing.
 *
 * They are reconciled from the status (level-triggered) rather than written by each status writer: a
 * reconcile that was interrupted, or ran on another instance, leaves nothing half done, and the next one
 * finds the same work. Each incident and its event are written in one transaction; the unique `openKey`
 * (one open incident per tenant) and the event's `dedupeKey` make a second reconcile of the same
 * transition, on any instance, a no-op.
 */

/** How many tenants one reconcile handles per direction (the next tick continues). */
const BATCH = 500;

export type EventInput = {
  type: EventType | "digest";
  dedupeKey: string;
  title: string;
  tenantId?: string | null;
  incidentId?: string | null;
  occurredAt: Date;
  data: Record<string, unknown>;
  severity?: string;
};

/** The AlertEvent row of an event (severity from its type unless given). */
export function eventRow(e: EventInput): Prisma.AlertEventCreateInput {
  const severity = e.severity ?? (e.type === "digest" ? "info" : eventTypeInfo[e.type].severity);
  return {
    id: newId(),
    type: e.type,
    severity,
    dedupeKey: e.dedupeKey,
    tenantId: e.tenantId ?? null,
    incidentId: e.incidentId ?? null,
    title: e.title,
    data: JSON.stringify(e.data),
    occurredAt: e.occurredAt,
  };
}

/** Writes an event once: false when its fact was already recorded. */
export async function recordEvent(e: EventInput): Promise<boolean> {
  try {
    await db.alertEvent.create({ data: eventRow(e) });
    return true;
  } catch (err) {
    if (isUniqueViolation(err)) return false;
    throw err;
  }
}

const tenantFields = {
  id: true,
  customerId: true,
  displayName: true,
  lastStatusCode: true,
  lastStatusMessage: true,
  failingSince: true,
  lastCheckAt: true,
} as const;

function reasonTitle(code: string | null): string {
  if (!code) return "Unknown reason";
  return isReasonCode(code) ? reasons[code].title : code;
}

/** Opens and resolves incidents to match the tenants' statuses now. Returns what it did. */
export async function reconcileIncidents(now = new Date()): Promise<{ opened: number; resolved: number }> {
  let opened = 0;
  let resolved = 0;

  const failing = await db.tenant.findMany({
    where: { lastStatus: "FAILED", incidents: { none: { openKey: { not: null } } } },
    select: tenantFields,
    orderBy: { id: "asc" },
    take: BATCH,
  });
  for (const t of failing) {
    const id = newId();
    const openedAt = t.failingSince ?? t.lastCheckAt ?? now;
    const reasonCode = t.lastStatusCode ?? "UNKNOWN";
    try {
      await db.$transaction([
        db.incident.create({
          data: { id, tenantId: t.id, openKey: t.id, reasonCode, reasonMessage: t.lastStatusMessage?.slice(0, 1000) ?? null, openedAt },
        }),
        db.alertEvent.create({
          data: eventRow({
            type: "incident.opened",
            dedupeKey: `incident.opened:${id}`,
            title: `Access lost: ${t.displayName} (${t.customerId}) — ${reasonTitle(reasonCode)}`,
            tenantId: t.id,
            incidentId: id,
            occurredAt: openedAt,
            data: {
              incidentId: id,
              tenantId: t.id,
              customerId: t.customerId,
              tenantName: t.displayName,
              reasonCode,
              reason: reasonTitle(reasonCode),
              openedAt: openedAt.toISOString(),
            },
          }),
        }),
      ]);
      opened++;
    } catch (e) {
      // Another instance opened it first.
      if (!isUniqueViolation(e)) throw e;
    }
  }

  const recovered = await db.incident.findMany({
    where: { openKey: { not: null }, tenant: { lastStatus: { not: "FAILED" }, lastVerifiedAt: { not: null } } },
    select: { id: true, openedAt: true, reasonCode: true, tenant: { select: { ...tenantFields, lastVerifiedAt: true } } },
    orderBy: { id: "asc" },
    take: BATCH,
  });
  for (const inc of recovered) {
    const t = inc.tenant;
    // Verified again since it was opened; a verification older than the incident proves nothing.
    if (!t.lastVerifiedAt || t.lastVerifiedAt < inc.openedAt) continue;
    const resolvedAt = t.lastVerifiedAt;
    const { count } = await db.$transaction(async (tx) => {
      const done = await tx.incident.updateMany({ where: { id: inc.id, openKey: { not: null } }, data: { openKey: null, resolvedAt } });
      if (done.count !== 1) return done;
      await tx.alertEvent.create({
        data: eventRow({
          type: "incident.resolved",
          dedupeKey: `incident.resolved:${inc.id}`,
          title: `Access restored: ${t.displayName} (${t.customerId})`,
          tenantId: t.id,
          incidentId: inc.id,
          occurredAt: resolvedAt,
          data: {
            incidentId: inc.id,
            tenantId: t.id,
            customerId: t.customerId,
            tenantName: t.displayName,
            reasonCode: inc.reasonCode,
            openedAt: inc.openedAt.toISOString(),
            resolvedAt: resolvedAt.toISOString(),
            secondsToResolve: Math.max(0, Math.round((resolvedAt.getTime() - inc.openedAt.getTime()) / 1000)),
          },
        }),
      });
      return done;
    });
    resolved += count;
  }
  return { opened, resolved };
}

/** Acknowledges an open incident (someone is on it); false when it is resolved or already acknowledged. */
export async function acknowledgeIncident(id: string, by: string, now = new Date()): Promise<"acknowledged" | "already" | "resolved" | "not-found"> {
  const inc = await db.incident.findUnique({ where: { id }, select: { openKey: true, acknowledgedAt: true } });
  if (!inc) return "not-found";
  if (!inc.openKey) return "resolved";
  if (inc.acknowledgedAt) return "already";
  const { count } = await db.incident.updateMany({
    where: { id, acknowledgedAt: null, openKey: { not: null } },
    data: { acknowledgedAt: now, acknowledgedBy: by },
  });
  return count === 1 ? "acknowledged" : "already";
}
