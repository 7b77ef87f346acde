import "server-only";
import { z } from "zod";
import { revokeAdminSessions } from "@/lib/auth/sessions";
import { db } from "@/lib/db";
import { CommandError } from "@/lib/errors";
import { defineCommand } from "./command";

/** Console admins (Settings → Admins): administrators only. */

const UNKNOWN_ADMIN = "Unknown admin.";
const adminId = z.string().min(1, UNKNOWN_ADMIN).max(64, UNKNOWN_ADMIN);

/** Ends every session of an admin at once, on every instance: their session rows are revoked. */
export const revokeSessionsCommand = defineCommand({
  name: "admin.revoke_sessions",
  role: "ADMINISTRATOR",
  audit: "admin.sessions_revoked",
  denied: "Only administrators can revoke sessions.",
  input: z.object({ adminId }),
  run: async (ctx, input) => {
    const target = await db.adminUser.findUnique({ where: { id: input.adminId }, select: { id: true } });
    if (!target) throw new CommandError("not-found", UNKNOWN_ADMIN);
    const sessions = await revokeAdminSessions(input.adminId, "revoked");
    await ctx.audit({ target: { type: "admin", id: input.adminId }, details: { sessions } });
  },
});

/** Local admins only: an Entra admin's role follows their groups (Settings → Entra Authentication). */
export const setLocalRoleCommand = defineCommand({
  name: "admin.set_role",
  role: "ADMINISTRATOR",
  audit: "admin.updated",
  denied: "Only administrators can change roles.",
  input: z.object({ adminId, role: z.enum(["ADMINISTRATOR", "OPERATOR", "VIEWER"], "Choose Administrator, Operator or Viewer.") }),
  run: async (ctx, input) => {
    if (ctx.actor.type === "admin" && input.adminId === ctx.actor.id) throw new CommandError("forbidden", "You cannot change your own role.");
    const { count } = await db.adminUser.updateMany({ where: { id: input.adminId, entraObjectId: null }, data: { role: input.role } });
    if (count === 0) throw new CommandError("conflict", "Only local admins have a role set here; Entra admins get theirs from group mappings.");
    await ctx.audit({ target: { type: "admin", id: input.adminId }, details: { role: input.role } });
  },
});
