import "server-only";
import { db } from "@/lib/db";
import type { TagItem } from "@/lib/data/tags";
import { channelConfigSchemas, channelKinds, type ChannelKindName } from "@/lib/notify/channels/config";

/**
 * What Settings → Alerts offers to choose from (the rules themselves are lib/notify/rules.ts). Channels:
 * id, name, kind and whether enabled, never their settings or secrets.
 */

export type ChannelChoice = { id: string; name: string; kind: string; kindLabel: string; enabled: boolean };
/** Tags to choose from are the tag list itself (lib/data/tags.ts). */
export type TagChoice = TagItem;

export async function listChannelChoices(): Promise<ChannelChoice[]> {
  const rows = await db.notificationChannel.findMany({ select: { id: true, name: true, kind: true, enabled: true }, orderBy: { name: "asc" } });
  return rows.map((c) => ({ ...c, kindLabel: channelKindLabel(c.kind) }));
}

export function channelKindLabel(kind: string): string {
  return (channelKinds as readonly string[]).includes(kind) ? channelConfigSchemas[kind as ChannelKindName].label : kind;
}
