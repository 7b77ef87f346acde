import "server-only";
import { recordAudit, type AuditActor } from "@/lib/audit";
import { db } from "@/lib/db";
import { isPrismaError, isUniqueViolation } from "@/lib/db-client";
import { invalidField, refuse, type Refusal, type Result } from "@/lib/errors";
import { newId } from "@/lib/ids";
import { DEFAULT_TAG_COLOR, tagColorOf, type TagColor } from "./palette";
import { foldTagName, MAX_TAGS, TAG_GONE, type TagCreateInput, type TagUpdateInput } from "./validation";

/**
 * Creating, renaming, recolouring and deleting tags, and putting them on tenants. Inputs arrive parsed by
 * the schemas of ./validation.ts; authorization is the caller's (lib/commands/tags.ts). Every change is audited.
 *
 * Names are unique case-insensitively ("Gold" and "gold" are one tag). The column's unique index is
 * case-sensitive on PostgreSQL, so the folded comparison is made here; to hold under concurrent writes
 * it is made after the write as well, and a write that turns out to collide is undone (compare after
 * set, never read-decide-write alone).
 */

export type TagContext = { actor: AuditActor; requestId?: string };
export type TagView = { id: string; name: string; color: TagColor };

const select = { id: true, name: true, color: true } as const;
const view = (t: { id: string; name: string; color: string }): TagView => ({ id: t.id, name: t.name, color: tagColorOf(t.color) });

// SQLite allows 999 bound parameters per statement.
const CHUNK = 400;

const nameTaken = (name: string): Refusal => invalidField("name", `A tag named "${name}" already exists. Choose another name, or use that tag.`);
const tagGone = (): Refusal => refuse("not-found", TAG_GONE);

/** Another tag whose name folds to the same as `name`, if any. */
async function sameName(name: string, exceptId: string): Promise<{ id: string; name: string } | null> {
  const key = foldTagName(name);
  const all = await db.tag.findMany({ select: { id: true, name: true } });
  return all.find((t) => t.id !== exceptId && foldTagName(t.name) === key) ?? null;
}

export async function createTag(input: TagCreateInput, ctx: TagContext): Promise<Result<TagView>> {
  const clash = await sameName(input.name, "");
  if (clash) return nameTaken(clash.name);
  if ((await db.tag.count()) >= MAX_TAGS) return refuse("conflict", `There are ${MAX_TAGS} tags already; delete one you no longer use first.`);
  const id = newId();
  let tag;
  try {
    tag = await db.tag.create({ data: { id, name: input.name, color: input.color ?? DEFAULT_TAG_COLOR }, select });
  } catch (e) {
    if (isUniqueViolation(e)) return nameTaken(input.name);
    throw e;
  }
  // Another request created "gold" while this one created "Gold": the later write is undone.
  const raced = await sameName(input.name, id);
  if (raced) {
    await db.tag.deleteMany({ where: { id } });
    return nameTaken(raced.name);
  }
  await recordAudit({
    action: "tag.created",
    actor: ctx.actor,
    target: { type: "tag", id },
    requestId: ctx.requestId,
    details: { name: tag.name, color: tag.color },
  });
  return { ok: true, data: view(tag) };
}

export async function updateTag(input: TagUpdateInput, ctx: TagContext): Promise<Result<TagView>> {
  const current = await db.tag.findUnique({ where: { id: input.id }, select });
  if (!current) return tagGone();
  const name = input.name ?? current.name;
  const color = input.color ?? tagColorOf(current.color);
  if (name !== current.name) {
    const clash = await sameName(name, input.id);
    if (clash) return nameTaken(clash.name);
  }
  let updated;
  try {
    const { count } = await db.tag.updateMany({ where: { id: input.id }, data: { name, color } });
    if (count === 0) return tagGone();
    updated = { id: input.id, name, color };
  } catch (e) {
    if (isUniqueViolation(e)) return nameTaken(name);
    throw e;
  }
  if (name !== current.name) {
    const raced = await sameName(name, input.id);
    if (raced) {
      await db.tag.updateMany({ where: { id: input.id, name }, data: { name: current.name } });
      return nameTaken(raced.name);
    }
  }
  const changedFields = [name !== current.name && "name", color !== current.color && "color"].filter((f): f is string => Boolean(f));
  if (changedFields.length)
    await recordAudit({
      action: "tag.updated",
      actor: ctx.actor,
      target: { type: "tag", id: input.id },
      requestId: ctx.requestId,
      details: { name, previousName: current.name, color, changedFields },
    });
  return { ok: true, data: view(updated) };
}

/** Deletes the tag; it leaves every tenant that had it (the TenantTag rows cascade). */
export async function deleteTag(id: string, ctx: TagContext): Promise<Result<{ id: string; name: string; tenants: number }>> {
  const current = await db.tag.findUnique({ where: { id }, select: { name: true, _count: { select: { tenants: true } } } });
  if (!current) return tagGone();
  const { count } = await db.tag.deleteMany({ where: { id } });
  if (count === 0) return tagGone();
  await recordAudit({
    action: "tag.deleted",
    actor: ctx.actor,
    target: { type: "tag", id },
    requestId: ctx.requestId,
    details: { name: current.name, tenants: current._count.tenants },
  });
  return { ok: true, data: { id, name: current.name, tenants: current._count.tenants } };
}

/** The tenants among `ids` that exist, with their customer ids (for the audit). */
async function existingTenants(ids: string[]): Promise<{ id: string; customerId: string }[]> {
  const distinct = [...new Set(ids)];
  const found: { id: string; customerId: string }[] = [];
  for (let i = 0; i < distinct.length; i += CHUNK)
    found.push(...(await db.tenant.findMany({ where: { id: { in: distinct.slice(i, i + CHUNK) } }, select: { id: true, customerId: true } })));
  return found;
}

function tenantsGone(missing: number, asked: number): Refusal {
  return refuse(
    "not-found",
    asked === 1
      ? "This tenant no longer exists; another admin may have deleted it."
      : `${missing} of the ${asked} selected tenants no longer exist; another admin may have deleted them. Update the table and try again.`,
  );
}

/** At most this many customer ids are named in an audit row; the count is always there. */
const AUDIT_IDS = 100;

/**
 * Puts the tag on each of the tenants (those that have it already keep it). Refused as a whole when a
 * tenant or the tag no longer exists, so the answer says exactly what happened.
 */
export async function assignTag(
  input: { tagId: string; tenantIds: string[] },
  ctx: TagContext,
): Promise<Result<{ tag: TagView; tenants: number; added: number }>> {
  const tag = await db.tag.findUnique({ where: { id: input.tagId }, select });
  if (!tag) return tagGone();
  const tenants = await existingTenants(input.tenantIds);
  const asked = new Set(input.tenantIds).size;
  if (tenants.length < asked) return tenantsGone(asked - tenants.length, asked);
  let added = 0;
  for (let i = 0; i < tenants.length; i += CHUNK) {
    const chunk = tenants.slice(i, i + CHUNK).map((t) => t.id);
    // createMany has no skipDuplicates on SQLite: write the pairs that are missing, and read again if a
    // concurrent assignment wrote one of them first.
    for (let attempt = 0; ; attempt++) {
      const have = new Set(
        (await db.tenantTag.findMany({ where: { tagId: tag.id, tenantId: { in: chunk } }, select: { tenantId: true } })).map((r) => r.tenantId),
      );
      const missing = chunk.filter((id) => !have.has(id));
      try {
        if (missing.length) added += (await db.tenantTag.createMany({ data: missing.map((tenantId) => ({ tenantId, tagId: tag.id })) })).count;
        break;
      } catch (e) {
        if (!isUniqueViolation(e) || attempt >= 2) {
          if (isPrismaError(e, "P2003")) return tenantsGone(1, asked);
          throw e;
        }
      }
    }
  }
  await recordAudit({
    action: "tenant.tag_assigned",
    actor: ctx.actor,
    target: { type: "tag", id: tag.id },
    requestId: ctx.requestId,
    details: { name: tag.name, tenants: tenants.length, added, customerIds: tenants.slice(0, AUDIT_IDS).map((t) => t.customerId) },
  });
  return { ok: true, data: { tag: view(tag), tenants: tenants.length, added } };
}

/** Takes the tag off each of the tenants (those without it are left as they are). */
export async function removeTag(
  input: { tagId: string; tenantIds: string[] },
  ctx: TagContext,
): Promise<Result<{ tag: TagView; tenants: number; removed: number }>> {
  const tag = await db.tag.findUnique({ where: { id: input.tagId }, select });
  if (!tag) return tagGone();
  const tenants = await existingTenants(input.tenantIds);
  const asked = new Set(input.tenantIds).size;
  if (tenants.length < asked) return tenantsGone(asked - tenants.length, asked);
  let removed = 0;
  for (let i = 0; i < tenants.length; i += CHUNK)
    removed += (await db.tenantTag.deleteMany({ where: { tagId: tag.id, tenantId: { in: tenants.slice(i, i + CHUNK).map((t) => t.id) } } })).count;
  await recordAudit({
    action: "tenant.tag_removed",
    actor: ctx.actor,
    target: { type: "tag", id: tag.id },
    requestId: ctx.requestId,
    details: { name: tag.name, tenants: tenants.length, removed, customerIds: tenants.slice(0, AUDIT_IDS).map((t) => t.customerId) },
  });
  return { ok: true, data: { tag: view(tag), tenants: tenants.length, removed } };
}

/** Makes the tenant's tags exactly `tagIds` (the tenant page and PUT /tenants/{id}/tags). */
export async function setTenantTags(input: { tenantId: string; tagIds: string[] }, ctx: TagContext): Promise<Result<{ tags: TagView[] }>> {
  const tenant = await db.tenant.findUnique({ where: { id: input.tenantId }, select: { id: true, customerId: true } });
  if (!tenant) return tenantsGone(1, 1);
  const wanted = [...new Set(input.tagIds)];
  const tags = wanted.length ? await db.tag.findMany({ where: { id: { in: wanted } }, select }) : [];
  if (tags.length < wanted.length)
    return refuse("not-found", wanted.length - tags.length === 1 ? TAG_GONE : "Some of these tags no longer exist. Reload the page to see the current tags.");
  const before = await db.tenantTag.findMany({ where: { tenantId: tenant.id }, select: { tagId: true, tag: { select: { name: true } } } });
  const had = new Set(before.map((b) => b.tagId));
  const add = tags.filter((t) => !had.has(t.id));
  const drop = before.filter((b) => !wanted.includes(b.tagId));
  try {
    await db.$transaction([
      db.tenantTag.deleteMany({ where: { tenantId: tenant.id, tagId: { in: drop.map((d) => d.tagId) } } }),
      db.tenantTag.createMany({ data: add.map((t) => ({ tenantId: tenant.id, tagId: t.id })) }),
    ]);
  } catch (e) {
    // The same tag added by another request at the same moment: the tenant has it, which is what was asked.
    if (!isUniqueViolation(e)) {
      if (isPrismaError(e, "P2003")) return refuse("not-found", "The tenant or one of these tags was deleted meanwhile. Reload the page.");
      throw e;
    }
  }
  if (add.length || drop.length)
    await recordAudit({
      action: "tenant.tags_set",
      actor: ctx.actor,
      target: { type: "tenant", id: tenant.id },
      requestId: ctx.requestId,
      details: { customerId: tenant.customerId, added: add.map((t) => t.name), removed: drop.map((d) => d.tag.name) },
    });
  const sorted = tags.map(view).sort((a, b) => a.name.localeCompare(b.name, "en-US", { sensitivity: "base" }));
  return { ok: true, data: { tags: sorted } };
}
