import "server-only";
import { randomBytes } from "node:crypto";
import { z } from "zod";
import { hashPassword } from "@/lib/auth/passwords";
import { inviteAdmin, revokeInvitation, type InvitationView } from "@/lib/admins/invitations";
import { revokeAdminSessions } from "@/lib/auth/sessions";
import { db } from "@/lib/db";
import { isWriteConflict } from "@/lib/db-client";
import { CommandError } from "@/lib/errors";
import type { AdminRole } from "@/lib/generated/prisma/enums";
import { newId } from "@/lib/ids";
import { defineCommand } from "./command";

/**
 * Console admins (Settings → Admins, /api/v1/admins): administrators only. Passwords are never returned
 * or audited, except the one-time password in the answer to create and reset (shown once, never stored
 * in clear); an admin given one must choose their own at their next sign-in (`mustChangePassword`). The
 * console keeps at least one enabled Administrator: lastAdministratorGuard below. An admin may also be
 * invited by email instead (lib/admins/invitations.ts): they choose their password on the link's page.
 */

const UNKNOWN_ADMIN = "Unknown admin.";
const adminId = z.string().min(1, UNKNOWN_ADMIN).max(64, UNKNOWN_ADMIN);
const role = z.enum(["ADMINISTRATOR", "OPERATOR", "VIEWER"], "Choose Administrator, Operator or Viewer.");
const email = z
  .string("Enter the admin's email address.")
  .trim()
  .toLowerCase()
  .pipe(z.email("Enter a valid email address, like name@example.com.").max(254, "The email address is too long."));
const name = z.string().trim().max(200, "Keep the name under 200 characters.").optional();

export const LAST_ADMINISTRATOR = "The console needs at least one enabled Administrator: add or enable another Administrator first.";

/** 24 characters of base64url (144 random bits), as the create-admin script generates. */
export function oneTimePassword(): string {
  return randomBytes(18).toString("base64url");
}

function selfOf(ctx: { actor: { type: string; id?: string } }, id: string) {
  return ctx.actor.type === "admin" && "id" in ctx.actor && ctx.actor.id === id;
}

/**
 * Applies `change` to admin `id` and refuses, rolling back, when no enabled Administrator is left after it.
 * Two requests demoting or disabling the last two Administrators at once cannot both pass: each first
 * locks the enabled Administrators' rows (an update that changes nothing), so the second waits for the
 * first to commit and then counts what is left (PostgreSQL, read committed: the row the first demoted no
 * longer matches); SQLite serializes writers anyway. Not a serializable transaction: a serialization
 * failure at COMMIT leaves @prisma/adapter-pg 6.19's connection checked out of its pool for good.
 */
async function withAdministratorLeft<T>(change: (tx: Parameters<Parameters<typeof db.$transaction>[0]>[0]) => Promise<T>): Promise<T> {
  try {
    return await db.$transaction(async (tx) => {
      await tx.adminUser.updateMany({ where: { role: "ADMINISTRATOR", disabled: false }, data: { role: "ADMINISTRATOR" } });
      const result = await change(tx);
      const left = await tx.adminUser.count({ where: { role: "ADMINISTRATOR", disabled: false } });
      if (left === 0) throw new CommandError("conflict", LAST_ADMINISTRATOR);
      return result;
    });
  } catch (error) {
    // A write conflict or deadlock (a concurrent change won): the other request decides.
    if (isWriteConflict(error)) {
      throw new CommandError("conflict", "Another change to the admins happened at the same time; try again.");
    }
    throw error;
  }
}

const adminView = { id: true, email: true, name: true, role: true, disabled: true } as const;
export type AdminView = { id: string; email: string; name: string | null; role: AdminRole; disabled: boolean };

export const createAdminCommand = defineCommand({
  name: "admin.create",
  role: "ADMINISTRATOR",
  audit: "admin.created",
  denied: "Only administrators can add admins.",
  input: z.object({ email, name, role }),
  run: async (ctx, input): Promise<AdminView & { oneTimePassword: string }> => {
    const existing = await db.adminUser.findUnique({ where: { email: input.email }, select: { id: true } });
    if (existing)
      throw new CommandError("conflict", `An admin with email ${input.email} already exists.`, {
        fieldErrors: { email: ["This email already belongs to an admin."] },
      });
    const password = oneTimePassword();
    const created = await db.adminUser.create({
      data: {
        id: newId(),
        email: input.email,
        name: input.name || null,
        role: input.role,
        passwordHash: await hashPassword(password),
        mustChangePassword: true,
      },
      select: adminView,
    });
    await ctx.audit({ target: { type: "admin", id: created.id }, details: { email: created.email, name: created.name, role: created.role } });
    return { ...created, oneTimePassword: password };
  },
});

/** Role, name, enabled: only the fields given change; the audit names them. */
export const updateAdminCommand = defineCommand({
  name: "admin.update",
  role: "ADMINISTRATOR",
  audit: "admin.updated",
  denied: "Only administrators can change admins.",
  input: z.object({
    adminId,
    role: role.optional(),
    name: z.string().trim().max(200, "Keep the name under 200 characters.").optional(),
    disabled: z.boolean("Choose enabled or disabled.").optional(),
  }),
  run: async (ctx, input): Promise<AdminView> => {
    const target = await db.adminUser.findUnique({ where: { id: input.adminId }, select: { ...adminView, entraObjectId: true } });
    if (!target) throw new CommandError("not-found", UNKNOWN_ADMIN);
    if (input.disabled === true && selfOf(ctx, target.id)) throw new CommandError("forbidden", "You cannot disable yourself.");
    if (input.role && input.role !== target.role && target.entraObjectId) {
      throw new CommandError("conflict", "Only local admins have a role set here; Entra admins get theirs from group mappings.");
    }
    const data: { role?: AdminRole; name?: string | null; disabled?: boolean } = {};
    if (input.role !== undefined && input.role !== target.role) data.role = input.role;
    if (input.name !== undefined && (input.name || null) !== target.name) data.name = input.name || null;
    if (input.disabled !== undefined && input.disabled !== target.disabled) data.disabled = input.disabled;
    const changedFields = Object.keys(data);
    if (changedFields.length === 0) return target;
    const updated = await withAdministratorLeft((tx) => tx.adminUser.update({ where: { id: target.id }, data, select: adminView }));
    // A disabled admin's sessions end at once (the session check also refuses disabled admins).
    const sessionsEnded = data.disabled ? await revokeAdminSessions(target.id, "revoked") : 0;
    await ctx.audit({
      target: { type: "admin", id: target.id },
      details: {
        email: target.email,
        changedFields,
        ...(data.role ? { role: data.role } : {}),
        ...(data.disabled !== undefined ? { disabled: data.disabled, sessionsEnded } : {}),
      },
    });
    return updated;
  },
});

/** Kept for the role select of Settings → Admins: one field of admin.update. */
export const setLocalRoleCommand = updateAdminCommand;

/** A new one-time password, shown once; every session of the admin ends. Local admins only. */
export const resetPasswordCommand = defineCommand({
  name: "admin.reset_password",
  role: "ADMINISTRATOR",
  audit: "admin.password_reset",
  denied: "Only administrators can reset passwords.",
  input: z.object({ adminId }),
  run: async (ctx, input): Promise<{ id: string; email: string; oneTimePassword: string; sessionsEnded: number }> => {
    const target = await db.adminUser.findUnique({ where: { id: input.adminId }, select: { id: true, email: true, entraObjectId: true } });
    if (!target) throw new CommandError("not-found", UNKNOWN_ADMIN);
    if (target.entraObjectId) throw new CommandError("conflict", "This admin signs in with Microsoft; their password is managed in Entra ID.");
    const password = oneTimePassword();
    await db.adminUser.update({ where: { id: target.id }, data: { passwordHash: await hashPassword(password), mustChangePassword: true } });
    const sessionsEnded = await revokeAdminSessions(target.id, "password_reset");
    await ctx.audit({ target: { type: "admin", id: target.id }, details: { email: target.email, sessionsEnded } });
    return { id: target.id, email: target.email, oneTimePassword: password, sessionsEnded };
  },
});

/** Ends every session of an admin at once, on every instance: their session rows are revoked. */
export const revokeSessionsCommand = defineCommand({
  name: "admin.revoke_sessions",
  role: "ADMINISTRATOR",
  audit: "admin.sessions_revoked",
  denied: "Only administrators can revoke sessions.",
  input: z.object({ adminId }),
  run: async (ctx, input): Promise<{ sessions: number }> => {
    const target = await db.adminUser.findUnique({ where: { id: input.adminId }, select: { id: true } });
    if (!target) throw new CommandError("not-found", UNKNOWN_ADMIN);
    const sessions = await revokeAdminSessions(input.adminId, "revoked");
    await ctx.audit({ target: { type: "admin", id: input.adminId }, details: { sessions } });
    return { sessions };
  },
});

/**
 * Invites an admin by email: a one-time link (INVITATION_HOURS) sent through an email channel, on whose page
 * they choose their password. The audit names the address, role and channel, never the link.
 */
export const inviteAdminCommand = defineCommand({
  name: "admin.invite",
  role: "ADMINISTRATOR",
  audit: "admin.invited",
  denied: "Only administrators can invite admins.",
  input: z.object({
    email,
    name,
    role,
    channelId: z.string("Choose the email channel to send the invitation through.").min(1, "Choose the email channel to send the invitation through.").max(64),
  }),
  run: async (ctx, input): Promise<InvitationView & { channel: string }> => {
    const result = await inviteAdmin({ ...input, invitedBy: { id: ctx.actor.type === "admin" ? ctx.actor.id : undefined, label: ctx.actor.label } });
    if (!result.ok) throw new CommandError(result.code, result.message, result.field ? { fieldErrors: { [result.field]: [result.message] } } : undefined);
    await ctx.audit({
      target: { type: "admin_invitation", id: result.invitation.id },
      details: {
        email: result.invitation.email,
        role: result.invitation.role,
        channel: result.channel,
        expiresAt: result.invitation.expiresAt.toISOString(),
        revokedEarlier: result.revokedEarlier,
      },
    });
    return { ...result.invitation, channel: result.channel };
  },
});

export const revokeAdminInvitationCommand = defineCommand({
  name: "admin.revoke_invitation",
  role: "ADMINISTRATOR",
  audit: "admin.invitation_revoked",
  denied: "Only administrators can revoke invitations.",
  input: z.object({ invitationId: z.string().min(1, "Unknown invitation.").max(64, "Unknown invitation.") }),
  run: async (ctx, input): Promise<InvitationView> => {
    const result = await revokeInvitation(input.invitationId);
    if (!result.ok) throw new CommandError(result.code, result.message);
    await ctx.audit({ target: { type: "admin_invitation", id: result.invitation.id }, details: { email: result.invitation.email } });
    return result.invitation;
  },
});
