import "server-only";
import { z } from "zod";
import { listTagsWithCounts } from "@/lib/data/tags";
import { unwrap } from "@/lib/errors";
import { assignTag, createTag, deleteTag, removeTag, setTenantTags, updateTag } from "@/lib/tags/manage";
import { taggedTenantIdsSchema, tagCreateSchema, tagIdSchema, tagUpdateSchema } from "@/lib/tags/validation";
import { defineCommand, defineQuery } from "./command";

/**
 * Tags on tenants (customer groups). Everyone reads them; administrators, who edit tenants
 * (lib/commands/tenants.ts), create, rename, recolour and delete tags and put them on tenants.
 */

const TENANT_GONE = "This tenant no longer exists.";
const ctxOf = (ctx: { actor: Parameters<typeof createTag>[1]["actor"]; requestId: string }) => ({ actor: ctx.actor, requestId: ctx.requestId });

export const tagsQuery = defineQuery({
  name: "tag.list",
  role: "VIEWER",
  input: z.object({}).optional(),
  run: () => listTagsWithCounts(),
});

export const createTagCommand = defineCommand({
  name: "tag.create",
  role: "ADMINISTRATOR",
  audit: "tag.created",
  input: tagCreateSchema,
  run: async (ctx, input) => unwrap(await createTag(input, ctxOf(ctx))),
});

export const updateTagCommand = defineCommand({
  name: "tag.update",
  role: "ADMINISTRATOR",
  audit: "tag.updated",
  input: tagUpdateSchema,
  run: async (ctx, input) => unwrap(await updateTag(input, ctxOf(ctx))),
});

export const deleteTagCommand = defineCommand({
  name: "tag.delete",
  role: "ADMINISTRATOR",
  audit: "tag.deleted",
  input: z.object({ id: tagIdSchema }),
  run: async (ctx, input) => unwrap(await deleteTag(input.id, ctxOf(ctx))),
});

const bulkInput = z.object({ tagId: tagIdSchema, tenantIds: taggedTenantIdsSchema });

/** Puts one tag on many tenants: the table's selection, or a REST caller's list. */
export const assignTagCommand = defineCommand({
  name: "tenants.tag.assign",
  role: "ADMINISTRATOR",
  audit: "tenant.tag_assigned",
  input: bulkInput,
  run: async (ctx, input) => unwrap(await assignTag(input, ctxOf(ctx))),
});

export const removeTagCommand = defineCommand({
  name: "tenants.tag.remove",
  role: "ADMINISTRATOR",
  audit: "tenant.tag_removed",
  input: bulkInput,
  run: async (ctx, input) => unwrap(await removeTag(input, ctxOf(ctx))),
});

/** Sets one tenant's tags to exactly the list (the tenant page; PUT /tenants/{id}/tags). */
export const setTenantTagsCommand = defineCommand({
  name: "tenant.tags.set",
  role: "ADMINISTRATOR",
  audit: "tenant.tags_set",
  input: z.object({
    id: z.string().min(1, TENANT_GONE).max(64, TENANT_GONE),
    tagIds: z.array(tagIdSchema).max(100, "At most 100 tags on one tenant."),
  }),
  run: async (ctx, input) => unwrap(await setTenantTags({ tenantId: input.id, tagIds: input.tagIds }, ctxOf(ctx))),
});
