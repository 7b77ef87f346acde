"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import type { ActionResult } from "@/lib/action-result";
import { recordAudit } from "@/lib/audit";
import { actorOf, currentRequestId, getSessionAdmin, hasRole } from "@/lib/auth/session";
import { revokeAdminSessions } from "@/lib/auth/sessions";
import { db } from "@/lib/db";

const revokeSchema = z.object({ adminId: z.string().min(1).max(64) });
const roleSchema = z.object({ adminId: z.string().min(1).max(64), role: z.enum(["ADMINISTRATOR", "OPERATOR", "VIEWER"]) });

/** Ends every session of an admin at once, on every instance: their session rows are revoked. */
export async function revokeSessionsAction(input: { adminId: string }): Promise<ActionResult> {
  const admin = await getSessionAdmin();
  if (!admin) return { ok: false, error: "Your session has ended. Sign in again." };
  if (!hasRole(admin, "ADMINISTRATOR")) return { ok: false, error: "Only administrators can revoke sessions." };
  const parsed = revokeSchema.safeParse(input);
  if (!parsed.success) return { ok: false, error: "Unknown admin." };
  const target = await db.adminUser.findUnique({ where: { id: parsed.data.adminId }, select: { id: true } });
  if (!target) return { ok: false, error: "Unknown admin." };
  const sessions = await revokeAdminSessions(parsed.data.adminId, "revoked");
  await recordAudit({ action: "admin.sessions_revoked", actor: actorOf(admin), target: { type: "admin", id: parsed.data.adminId }, requestId: await currentRequestId(), details: { sessions } });
  revalidatePath("/settings/admins");
  return { ok: true, data: undefined };
}

/** Local admins only: an Entra admin's role follows their groups (Settings → Entra Authentication). */
export async function setLocalRoleAction(input: { adminId: string; role: string }): Promise<ActionResult> {
  const admin = await getSessionAdmin();
  if (!admin) return { ok: false, error: "Your session has ended. Sign in again." };
  if (!hasRole(admin, "ADMINISTRATOR")) return { ok: false, error: "Only administrators can change roles." };
  const parsed = roleSchema.safeParse(input);
  if (!parsed.success) return { ok: false, error: "Choose Administrator, Operator or Viewer." };
  if (parsed.data.adminId === admin.id) return { ok: false, error: "You cannot change your own role." };
  const { count } = await db.adminUser.updateMany({ where: { id: parsed.data.adminId, entraObjectId: null }, data: { role: parsed.data.role } });
  if (count === 0) return { ok: false, error: "Only local admins have a role set here; Entra admins get theirs from group mappings." };
  await recordAudit({ action: "admin.updated", actor: actorOf(admin), target: { type: "admin", id: parsed.data.adminId }, requestId: await currentRequestId(), details: { role: parsed.data.role } });
  revalidatePath("/settings/admins");
  return { ok: true, data: undefined };
}
