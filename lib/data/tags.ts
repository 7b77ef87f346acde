import "server-only";
import { db } from "@/lib/db";
import { tagColorOf, type TagColor } from "@/lib/tags/palette";

/** Tags as they leave lib/data: id, name and palette colour; lists sorted by name, case ignored. */
export type TagItem = { id: string; name: string; color: TagColor };
export type TagWithCount = TagItem & { tenants: number };

const select = { id: true, name: true, color: true } as const;
const byName = (a: { name: string }, b: { name: string }) => a.name.localeCompare(b.name, "en-US", { sensitivity: "base" }) || (a.name < b.name ? -1 : 1);

/** Every tag: the Tenants page sends this list once and its rows name tags by id. */
export async function listTags(): Promise<TagItem[]> {
  return (await db.tag.findMany({ select })).map((t) => ({ ...t, color: tagColorOf(t.color) })).sort(byName);
}

/** Every tag with the number of tenants that have it (Settings → Tags, GET /tags). */
export async function listTagsWithCounts(): Promise<TagWithCount[]> {
  const tags = await db.tag.findMany({ select: { ...select, _count: { select: { tenants: true } } } });
  return tags.map(({ _count, ...t }) => ({ ...t, color: tagColorOf(t.color), tenants: _count.tenants })).sort(byName);
}

export async function getTag(id: string): Promise<TagWithCount | null> {
  const t = await db.tag.findUnique({ where: { id }, select: { ...select, _count: { select: { tenants: true } } } });
  return t && { id: t.id, name: t.name, color: tagColorOf(t.color), tenants: t._count.tenants };
}

/** A tenant's tags, by name. */
export async function tenantTags(tenantId: string): Promise<TagItem[]> {
  const rows = await db.tenantTag.findMany({ where: { tenantId }, select: { tag: { select } } });
  return rows.map((r) => ({ ...r.tag, color: tagColorOf(r.tag.color) })).sort(byName);
}

/** Tags as `{id, name, color}` in name order, from the relation rows a tenant query selected. */
export function tagsOfRows(rows: { tag: { id: string; name: string; color: string } }[]): TagItem[] {
  return rows.map((r) => ({ ...r.tag, color: tagColorOf(r.tag.color) })).sort(byName);
}

/** At most this many tagged tenants are resolved to ids before the tenant query (see taggedCandidates). */
export const TAG_CANDIDATES = 500;

/**
 * The ids of the tenants with any of the tags, read from the (tagId, tenantId) index, when there are at
 * most `limit`; null when there are more. The tenant query then filters by these ids (a few primary-key
 * reads), where the correlated EXISTS Prisma writes for `some` would probe the tag index once per tenant
 * in the page's order: about 30 ms at 100,000 tenants for a tag few tenants have (SQLite). A tag many
 * tenants have is left to the EXISTS, whose ordered scan stops after a page of matches.
 */
export async function taggedCandidates(tagIds: string[], limit = TAG_CANDIDATES): Promise<string[] | null> {
  const rows = await db.tenantTag.findMany({ where: { tagId: tagIds.length === 1 ? tagIds[0] : { in: tagIds } }, select: { tenantId: true }, take: limit + 1 });
  const ids = [...new Set(rows.map((r) => r.tenantId))];
  return rows.length > limit ? null : ids;
}
