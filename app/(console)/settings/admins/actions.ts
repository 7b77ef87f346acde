"use server";

import {
  createAdminCommand,
  inviteAdminCommand,
  resetPasswordCommand,
  revokeAdminInvitationCommand,
  revokeSessionsCommand,
  updateAdminCommand,
} from "@/lib/commands/admins";
import { actionFor } from "@/lib/commands/server-action";

/** Adds an admin; the answer carries the one-time password, shown once in the page and never stored in clear. */
export const createAdminAction = actionFor(createAdminCommand, { revalidate: "/settings/admins" });

/** Role, name, enabled/disabled; the last enabled Administrator stays (lib/commands/admins.ts). */
export const updateAdminAction = actionFor(updateAdminCommand, { revalidate: "/settings/admins" });

/** A new one-time password, shown once; every session of the admin ends. */
export const resetPasswordAction = actionFor(resetPasswordCommand, { revalidate: "/settings/admins" });

/** Ends every session of an admin at once, on every instance: their session rows are revoked. */
export const revokeSessionsAction = actionFor(revokeSessionsCommand, { revalidate: "/settings/admins" });

/** Sends an invitation email with a one-time link through an email channel (lib/admins/invitations.ts). */
export const inviteAdminAction = actionFor(inviteAdminCommand, { revalidate: "/settings/admins" });

export const revokeAdminInvitationAction = actionFor(revokeAdminInvitationCommand, { revalidate: "/settings/admins" });
