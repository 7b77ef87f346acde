import "server-only";
import { db } from "@/lib/db";
import { env } from "@/lib/env";
import { jobEngine } from "@/lib/jobs";
import { campaignTick } from "@/lib/campaigns/tick";
import { deliverDue, type DeliverSummary } from "./deliver";
import { detectAccessExpiring, detectConsentExpiring, detectRejectedCredentials, detectRunsWithNewFailures } from "./detect";
import { reconcileIncidents, recordEvent } from "./incidents";
import { ruleMatches, routeEvents } from "./route";
import { digestDueFor } from "./schedule";

/**
 * Alerts: one tick, run by the job engine once per NOTIFY_TICK_SECONDS across the cluster
 * (engine.every), does the whole pipeline in order — incidents from the tenants' statuses, the other events
 * from what is stored, daily digests, routing into the outbox, delivery. Every step is idempotent and
 * fenced in the database, so a tick that overlaps another instance's, or follows a crash, does no harm.
 */

export type TickSummary = { opened: number; resolved: number; events: number; routed: number } & DeliverSummary;

export async function notifyTick(now = new Date(), options: { instanceId?: string } = {}): Promise<TickSummary> {
  const { opened, resolved } = await reconcileIncidents(now);
  const events =
    (await detectAccessExpiring(now)) +
    (await detectConsentExpiring(now)) +
    (await detectRunsWithNewFailures(now)) +
    (await detectRejectedCredentials(now)) +
    (await detectDailyDigests(now));
  const routed = await routeEvents(now);
  await campaignTick(now);
  const delivered = await deliverDue({ now, instanceId: options.instanceId });
  return { opened, resolved, events, routed, ...delivered };
}

const DAY_MS = 86_400_000;
const DIGEST_ITEMS = 25;

/** A rule's daily digest, once per local date: open incidents in its scope and the day's events it takes. */
export async function detectDailyDigests(now = new Date()): Promise<number> {
  const rules = await db.alertRule.findMany({
    where: { enabled: true, digestAt: { not: null } },
    include: { tags: { select: { tagId: true } } },
  });
  let created = 0;
  for (const rule of rules) {
    const date = digestDueFor(rule, now);
    if (!date) continue;
    const dedupeKey = `digest.daily:${rule.id}:${date}`;
    if (await db.alertEvent.findUnique({ where: { dedupeKey }, select: { id: true } })) continue;
    const tagIds = rule.tags.map((t) => t.tagId);
    const scope = tagIds.length ? { tenant: { tags: { some: { tagId: { in: tagIds } } } } } : {};
    const openIncidents = await db.incident.count({ where: { openKey: { not: null }, ...scope } });
    const recent = await db.alertEvent.findMany({
      where: { occurredAt: { gte: new Date(now.getTime() - DAY_MS) }, type: { not: "digest" } },
      orderBy: { occurredAt: "asc" },
      take: 2000,
      select: { id: true, type: true, severity: true, tenantId: true, data: true, title: true, occurredAt: true },
    });
    const tenantTags = new Map<string, string[]>();
    if (tagIds.length) {
      const ids = [...new Set(recent.map((e) => e.tenantId).filter((t): t is string => !!t))];
      for (const t of await db.tenantTag.findMany({ where: { tenantId: { in: ids } } }))
        tenantTags.set(t.tenantId, [...(tenantTags.get(t.tenantId) ?? []), t.tagId]);
    }
    const ruleView = { ...rule, tagIds };
    const taken = recent.filter((e) => ruleMatches(ruleView, e, e.tenantId ? (tenantTags.get(e.tenantId) ?? []) : []));
    const made = await recordEvent({
      type: "digest",
      dedupeKey,
      title: `Daily digest (${rule.name}): ${openIncidents} open incident${openIncidents === 1 ? "" : "s"}, ${taken.length} new alert${taken.length === 1 ? "" : "s"}`,
      occurredAt: now,
      data: {
        kind: "daily",
        ruleId: rule.id,
        ruleName: rule.name,
        date,
        openIncidents,
        items: taken.slice(-DIGEST_ITEMS).map((e) => ({ type: e.type, title: e.title, occurredAt: e.occurredAt.toISOString() })),
        more: Math.max(0, taken.length - DIGEST_ITEMS),
      },
    });
    if (made) created++;
  }
  return created;
}

let stopTicks: (() => void) | null = null;

/** Starts the alerts tick in this process (NOTIFY_TICK_SECONDS; 0: off). Returns a function that stops it. */
export function startNotifier(options: { tickMs?: number } = {}): () => void {
  const tickMs = options.tickMs ?? env.NOTIFY_TICK_SECONDS * 1000;
  if (tickMs > 0) stopTicks ??= jobEngine().every("notify", tickMs, () => notifyTick());
  return () => {
    stopTicks?.();
    stopTicks = null;
  };
}
