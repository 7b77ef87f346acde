import "server-only";
import { db } from "@/lib/db";
import { isUniqueViolation } from "@/lib/db-client";
import { CommandError } from "@/lib/errors";
import { newId } from "@/lib/ids";
import type { AlertRuleInput } from "@/lib/validations/alert-rule";
import type { TagItem } from "@/lib/data/tags";
import { tagColorOf } from "@/lib/tags/palette";
import { parseList } from "./detect";
import type { EventType, Severity } from "./events";

/** Alert rules (Settings → Alerts): which events go to which channels, for which tenants. */

export type AlertRuleView = {
  id: string;
  name: string;
  enabled: boolean;
  events: EventType[];
  minSeverity: Severity;
  expiringWithinDays: number;
  quietStart: string | null;
  quietEnd: string | null;
  digestAt: string | null;
  timeZone: string;
  channels: { id: string; name: string; kind: string }[];
  tags: TagItem[];
  version: number;
};

const select = {
  id: true,
  name: true,
  enabled: true,
  events: true,
  minSeverity: true,
  expiringWithinDays: true,
  quietStart: true,
  quietEnd: true,
  digestAt: true,
  timeZone: true,
  version: true,
  channels: { select: { channel: { select: { id: true, name: true, kind: true } } } },
  tags: { select: { tag: { select: { id: true, name: true, color: true } } } },
} as const;

type Row = Awaited<ReturnType<typeof db.alertRule.findFirstOrThrow<{ select: typeof select }>>>;

function view(r: Row): AlertRuleView {
  return {
    ...r,
    events: parseList(r.events) as EventType[],
    minSeverity: r.minSeverity as Severity,
    channels: r.channels.map((c) => c.channel).sort((a, b) => a.name.localeCompare(b.name)),
    tags: r.tags.map((t) => ({ ...t.tag, color: tagColorOf(t.tag.color) })).sort((a, b) => a.name.localeCompare(b.name)),
  };
}

export async function listAlertRules(): Promise<AlertRuleView[]> {
  return (await db.alertRule.findMany({ select, orderBy: { name: "asc" } })).map(view);
}

export async function getAlertRule(id: string): Promise<AlertRuleView | null> {
  const r = await db.alertRule.findUnique({ where: { id }, select });
  return r ? view(r) : null;
}

async function checkReferences(input: AlertRuleInput) {
  const [channels, tags] = await Promise.all([
    db.notificationChannel.count({ where: { id: { in: input.channelIds } } }),
    input.tagIds.length ? db.tag.count({ where: { id: { in: input.tagIds } } }) : 0,
  ]);
  if (channels !== new Set(input.channelIds).size)
    throw new CommandError("validation", "A chosen channel no longer exists.", {
      fieldErrors: { channelIds: ["A chosen channel no longer exists; reload the page."] },
    });
  if (tags !== new Set(input.tagIds).size)
    throw new CommandError("validation", "A chosen tag no longer exists.", { fieldErrors: { tagIds: ["A chosen tag no longer exists; reload the page."] } });
}

function columns(input: AlertRuleInput) {
  return {
    name: input.name,
    enabled: input.enabled,
    events: JSON.stringify(input.events),
    minSeverity: input.minSeverity,
    expiringWithinDays: input.expiringWithinDays,
    quietStart: input.quietStart,
    quietEnd: input.quietEnd,
    digestAt: input.digestAt,
    timeZone: input.timeZone,
  };
}

const duplicateName = (name: string) =>
  new CommandError("conflict", `A rule named "${name}" exists already.`, { fieldErrors: { name: ["Another rule has this name."] } });

export async function createAlertRule(input: AlertRuleInput): Promise<AlertRuleView> {
  await checkReferences(input);
  const id = newId();
  try {
    await db.alertRule.create({
      data: {
        id,
        ...columns(input),
        channels: { create: [...new Set(input.channelIds)].map((channelId) => ({ channelId })) },
        tags: { create: [...new Set(input.tagIds)].map((tagId) => ({ tagId })) },
      },
    });
  } catch (e) {
    if (isUniqueViolation(e)) throw duplicateName(input.name);
    throw e;
  }
  return (await getAlertRule(id))!;
}

/** Replaces a rule's settings; `version` (when given) must match, so two admins do not overwrite each other. */
export async function updateAlertRule(id: string, input: AlertRuleInput, version?: number): Promise<AlertRuleView> {
  await checkReferences(input);
  try {
    await db.$transaction(async (tx) => {
      const { count } = await tx.alertRule.updateMany({
        where: { id, ...(version === undefined ? {} : { version }) },
        data: { ...columns(input), version: { increment: 1 } },
      });
      if (count !== 1) {
        const exists = await tx.alertRule.findUnique({ where: { id }, select: { id: true } });
        throw exists
          ? new CommandError("conflict", "Someone changed this rule in the meantime. Reload it and try again.")
          : new CommandError("not-found", "This alert rule does not exist.");
      }
      await tx.alertRuleChannel.deleteMany({ where: { ruleId: id } });
      await tx.alertRuleTag.deleteMany({ where: { ruleId: id } });
      for (const channelId of new Set(input.channelIds)) await tx.alertRuleChannel.create({ data: { ruleId: id, channelId } });
      for (const tagId of new Set(input.tagIds)) await tx.alertRuleTag.create({ data: { ruleId: id, tagId } });
    });
  } catch (e) {
    if (isUniqueViolation(e)) throw duplicateName(input.name);
    throw e;
  }
  return (await getAlertRule(id))!;
}

export async function deleteAlertRule(id: string): Promise<{ name: string }> {
  const rule = await db.alertRule.findUnique({ where: { id }, select: { name: true } });
  if (!rule) throw new CommandError("not-found", "This alert rule does not exist.");
  await db.alertRule.deleteMany({ where: { id } });
  return rule;
}
