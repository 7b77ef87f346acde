import "server-only";
import { z } from "zod";
import { createConsentLink } from "@/lib/consent/links";
import { failureGroupTenantIds, listFailureGroups } from "@/lib/data/failure-groups";
import { deleteSavedView, listSavedViews, saveView } from "@/lib/data/saved-views";
import { db } from "@/lib/db";
import { CommandError, unwrap } from "@/lib/errors";
import { methodIds, shortMethodLabels } from "@/lib/methods";
import { parseGroupRegistration, switchTarget } from "@/lib/tenants/failure-groups";
import { switchAuthMethod } from "@/lib/tenants/lifecycle";
import { clouds } from "@/lib/validations/tenant";
import { savedViewInputSchema } from "@/lib/validations/saved-view";
import { getRunProgress, startVerificationRun } from "@/lib/verification";
import { defineCommand, defineQuery } from "./command";

/**
 * The fleet view: root-cause groups of failed tenants and the one bulk action that fixes each, and the
 * Tenants page's saved views. A group's action runs the same work as the per-tenant commands (consent
 * links, method switch, verification run) on the group's tenants, which the server resolves from the
 * group's key: a stale page cannot act on tenants that left the group.
 */

export const failureGroupsQuery = defineQuery({
  name: "failure_group.list",
  role: "VIEWER",
  input: z.object({}).optional(),
  run: () => listFailureGroups(),
});

const groupSchema = z.object({
  reasonCode: z.string().regex(/^[A-Z][A-Z0-9_]{0,63}$/, "Unknown cause."),
  method: z.enum(methodIds),
  cloud: z.enum(clouds),
  app: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, "Unknown app registration."),
});

/** How many tenants one bulk action takes at a time; a larger group is done in several clicks. */
export const GROUP_ACTION_LIMIT = 500;

async function groupTenants(group: z.output<typeof groupSchema>) {
  const ids = await failureGroupTenantIds(group, GROUP_ACTION_LIMIT);
  if (!ids.length) throw new CommandError("not-found", "No tenant has this cause any more. Update the table.");
  return ids;
}

/** A consent (or re-authorization) link for every tenant of the group, to send to each customer's admin. */
export const sendGroupConsentLinksCommand = defineCommand({
  name: "failure_group.consent_links",
  role: "OPERATOR",
  audit: "consent_link.created",
  input: groupSchema,
  run: async (ctx, group) => {
    const ids = await groupTenants(group);
    const tenants = await db.tenant.findMany({
      where: { id: { in: ids } },
      select: { id: true, customerId: true, adminEmail: true },
      orderBy: { customerId: "asc" },
    });
    const links: { customerId: string; adminEmail: string; url: string; expiresAt: string }[] = [];
    const refused: { customerId: string; error: string }[] = [];
    for (const t of tenants) {
      const result = await createConsentLink({ tenantId: t.id, actor: ctx.actor, requestId: ctx.requestId });
      if (result.ok) links.push({ customerId: t.customerId, adminEmail: t.adminEmail, url: result.data.url, expiresAt: result.data.expiresAt.toISOString() });
      else refused.push({ customerId: t.customerId, error: result.error });
    }
    return { links, refused };
  },
});

/** Switches every tenant of the group to the method its remediation names (one that cannot meet the cause), then verifies each. */
export const switchGroupMethodCommand = defineCommand({
  name: "failure_group.switch_method",
  role: "ADMINISTRATOR",
  audit: "tenant.method_switched",
  input: groupSchema,
  run: async (ctx, group) => {
    const target = switchTarget(group.method, group.reasonCode, parseGroupRegistration(group.app));
    if (group.method === target) throw new CommandError("conflict", `These tenants already use ${shortMethodLabels[target].toLowerCase()}.`);
    const ids = await groupTenants(group);
    let switched = 0;
    const refused: string[] = [];
    for (const id of ids) {
      const result = await switchAuthMethod({ tenantId: id, method: target, actor: ctx.actor, requestId: ctx.requestId });
      if (result.ok) switched++;
      else refused.push(result.error);
    }
    return { method: target, switched, refused: refused.length, firstRefusal: refused[0] ?? null };
  },
});

/** Verifies the group's tenants again in one run (a transient or propagating cause). */
export const verifyGroupCommand = defineCommand({
  name: "failure_group.verify",
  role: "OPERATOR",
  audit: "verification_run.started",
  input: groupSchema,
  run: async (ctx, group) => {
    const tenantIds = await groupTenants(group);
    const { run, joined } = await startVerificationRun({
      tenantIds,
      trigger: ctx.principalKind === "admin" ? "manual" : "api",
      requestedBy: ctx.actor.label,
      actor: ctx.actor,
      requestId: ctx.requestId,
    });
    const progress = await getRunProgress(run.id);
    if (!progress) throw new CommandError("not-found", "The run finished before its progress could be read. Update the table.");
    return { progress, joined };
  },
});

// ---- Saved views: each admin's own; nobody acts on another's ----

function ownerOf(ctx: { actor: { type: string } & Partial<{ id: string }> }): string {
  if (ctx.actor.type !== "admin" || !ctx.actor.id) throw new CommandError("forbidden", "Saved views belong to people signed in to the console.");
  return ctx.actor.id;
}

export const savedViewsQuery = defineQuery({
  name: "saved_view.list",
  role: "VIEWER",
  input: z.object({}).optional(),
  run: (ctx) => listSavedViews(ownerOf(ctx)),
});

export const saveViewCommand = defineCommand({
  name: "saved_view.create",
  role: "VIEWER",
  audit: "saved_view.created",
  input: savedViewInputSchema,
  run: async (ctx, input) => {
    const view = unwrap(await saveView(ownerOf(ctx), input));
    await ctx.audit({ target: { type: "saved_view", id: view.id }, details: { name: view.name, query: view.query } });
    return view;
  },
});

export const deleteSavedViewCommand = defineCommand({
  name: "saved_view.delete",
  role: "VIEWER",
  audit: "saved_view.deleted",
  input: z.object({ id: z.string().min(1).max(64) }),
  run: async (ctx, input) => {
    const deleted = await deleteSavedView(ownerOf(ctx), input.id);
    if (!deleted) throw new CommandError("not-found", "This view no longer exists.");
    await ctx.audit({ target: { type: "saved_view", id: input.id }, details: { name: deleted.name } });
    return { id: input.id };
  },
});
