import "server-only";
import { db } from "@/lib/db";
import { isUniqueViolation } from "@/lib/db-client";
import { newId } from "@/lib/ids";
import { parseJsonObject } from "@/lib/json";
import { wantsType } from "./detect";
import { severityRank, type Severity } from "./events";
import { quietUntil } from "./schedule";

/**
 * Routing: each new event, through the enabled rules, becomes one notification per channel (the outbox,
 * delivered by ./deliver.ts). A rule takes an event when the type is one of its events, the severity
 * reaches its minimum and, when it is scoped by tags, the event's tenant carries one of them. In a rule's
 * quiet hours the notification is held until they end and then sent in a digest; a channel that another
 * matching rule reaches outside quiet hours gets it at once.
 *
 * The event's `routedAt` is set in the transaction that creates its notifications, fenced on being null,
 * and (eventId, channelId) is unique: two instances routing the same event leave one set of notifications.
 */

const BATCH = 200;

type RuleForRouting = {
  id: string;
  events: string;
  minSeverity: string;
  expiringWithinDays: number;
  quietStart: string | null;
  quietEnd: string | null;
  digestAt: string | null;
  timeZone: string;
  tagIds: string[];
  channelIds: string[];
};

type EventForRouting = { id: string; type: string; severity: string; tenantId: string | null; data: string };

/** Whether a rule takes an event (pure). */
export function ruleMatches(rule: Omit<RuleForRouting, "channelIds">, event: EventForRouting, tenantTagIds: readonly string[]): boolean {
  const data = parseJsonObject(event.data);
  if (event.type === "digest") return data.ruleId === rule.id;
  if (!wantsType(rule.events, event.type)) return false;
  if (severityRank[event.severity as Severity] < severityRank[rule.minSeverity as Severity]) return false;
  if (event.type === "access.expiring" && data.withinDays !== rule.expiringWithinDays) return false;
  if (rule.tagIds.length === 0) return true;
  return tenantTagIds.some((t) => rule.tagIds.includes(t));
}

export async function loadRoutingRules(): Promise<RuleForRouting[]> {
  const rules = await db.alertRule.findMany({
    where: { enabled: true },
    select: {
      id: true,
      events: true,
      minSeverity: true,
      expiringWithinDays: true,
      quietStart: true,
      quietEnd: true,
      digestAt: true,
      timeZone: true,
      tags: { select: { tagId: true } },
      channels: { where: { channel: { enabled: true } }, select: { channelId: true } },
    },
  });
  return rules.map(({ tags, channels, ...r }) => ({ ...r, tagIds: tags.map((t) => t.tagId), channelIds: channels.map((c) => c.channelId) }));
}

/** Routes the events not routed yet; returns how many notifications it created. */
export async function routeEvents(now = new Date()): Promise<number> {
  const events = await db.alertEvent.findMany({
    where: { routedAt: null },
    orderBy: { createdAt: "asc" },
    take: BATCH,
    select: { id: true, type: true, severity: true, tenantId: true, data: true },
  });
  if (!events.length) return 0;
  const rules = await loadRoutingRules();
  const tenantIds = [...new Set(events.map((e) => e.tenantId).filter((t): t is string => !!t))];
  const tags = tenantIds.length ? await db.tenantTag.findMany({ where: { tenantId: { in: tenantIds } }, select: { tenantId: true, tagId: true } }) : [];
  const tagsOf = new Map<string, string[]>();
  for (const t of tags) tagsOf.set(t.tenantId, [...(tagsOf.get(t.tenantId) ?? []), t.tagId]);

  let created = 0;
  for (const event of events) {
    const targets = new Map<string, { ruleId: string; heldUntil: Date | null }>();
    for (const rule of rules) {
      if (!ruleMatches(rule, event, event.tenantId ? (tagsOf.get(event.tenantId) ?? []) : [])) continue;
      const heldUntil = quietUntil(rule, now);
      for (const channelId of rule.channelIds) {
        const seen = targets.get(channelId);
        if (!seen || (seen.heldUntil && !heldUntil)) targets.set(channelId, { ruleId: rule.id, heldUntil });
      }
    }
    try {
      created += await db.$transaction(async (tx) => {
        const { count } = await tx.alertEvent.updateMany({ where: { id: event.id, routedAt: null }, data: { routedAt: now } });
        if (count !== 1) return 0;
        for (const [channelId, t] of targets)
          await tx.notification.create({
            data: {
              id: newId(),
              eventId: event.id,
              channelId,
              ruleId: t.ruleId,
              status: t.heldUntil ? "HELD" : "PENDING",
              nextAttemptAt: t.heldUntil ?? now,
            },
          });
        return targets.size;
      });
    } catch (e) {
      // Another instance routed it first (its notifications exist).
      if (!isUniqueViolation(e)) throw e;
    }
  }
  return created;
}
