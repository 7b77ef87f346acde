import "server-only";
import { z } from "zod";
import { getUserSyncState, listTenantUsers } from "@/lib/data/users";
import { db } from "@/lib/db";
import { CommandError } from "@/lib/errors";
import { cancelUserSync, startUserSync } from "@/lib/users";
import { defineCommand, defineQuery } from "./command";

/** A tenant's synchronized users (the Users tab): viewers read; operators synchronize and cancel. */

const TENANT_GONE = "This tenant no longer exists.";
const tenantId = z.string().min(1, TENANT_GONE).max(64, TENANT_GONE);
const byId = z.object({ id: tenantId });

async function existing(id: string) {
  if (!(await db.tenant.findUnique({ where: { id }, select: { id: true } }))) throw new CommandError("not-found", TENANT_GONE);
}

/** Starts a sync of the tenant's users on the job engine, or joins the one running (`joined`). */
export const syncTenantUsersCommand = defineCommand({
  name: "tenant.sync_users",
  role: "OPERATOR",
  audit: "user_sync.started",
  input: byId,
  run: async (ctx, input) => {
    await existing(input.id);
    return startUserSync(input.id, { actor: ctx.actor, trigger: ctx.principalKind === "admin" ? "manual" : "api", requestId: ctx.requestId });
  },
});

/** Stops the tenant's sync; users written so far stay. Cancelling when nothing runs changes nothing. */
export const cancelUserSyncCommand = defineCommand({
  name: "tenant.cancel_user_sync",
  role: "OPERATOR",
  audit: "user_sync.cancelled",
  input: byId,
  run: async (ctx, input) => {
    await existing(input.id);
    const cancelled = await cancelUserSync(input.id, { actor: ctx.actor, requestId: ctx.requestId });
    return { cancelled, state: await getUserSyncState(input.id) };
  },
});

export const userSyncStateQuery = defineQuery({
  name: "tenant.user_sync_state",
  role: "VIEWER",
  input: byId,
  run: async (_ctx, input) => {
    await existing(input.id);
    return getUserSyncState(input.id);
  },
});

export const tenantUsersQuery = defineQuery({
  name: "tenant.users",
  role: "VIEWER",
  input: byId.extend({
    q: z.string().trim().max(200, "Search for at most 200 characters.").optional(),
    page: z.coerce.number().int().min(1).max(1_000_000).default(1),
    pageSize: z.coerce.number().int().min(1).max(200).default(50),
  }),
  run: async (_ctx, input) => {
    await existing(input.id);
    const [page, sync] = await Promise.all([listTenantUsers(input.id, input), getUserSyncState(input.id)]);
    return { ...page, sync };
  },
});
