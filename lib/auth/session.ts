import "server-only";
import { redirect } from "next/navigation";
import { auth } from "@/lib/auth";
import { currentEntraRole } from "@/lib/auth/entra/sign-in";
import { atLeast } from "@/lib/auth/roles";
import { activeAdminSession } from "@/lib/auth/sessions";
import type { AuditActor } from "@/lib/audit";
import type { AdminRole } from "@/lib/generated/prisma/enums";

export type SessionAdmin = { id: string; email: string; name: string | null; role: AdminRole };

/**
 * For pages and navigation only. An operation's role lives in its command (lib/commands), checked when
 * it runs; a page shows its controls with `permits(admin.role, command)`.
 */
export function hasRole(admin: SessionAdmin, minimum: AdminRole) {
  return atLeast(admin.role, minimum);
}

/**
 * The signed-in account, re-read from the database on every call: the session row (lib/auth/sessions.ts)
 * must still hold (not signed out, revoked, idle or past its lifetime) and the account must not be
 * disabled. An admin who signed in with Microsoft gets the role of their Entra groups, re-read once the
 * Entra Group Cache Duration has passed; no mapped group (or Entra sign-in switched off) ends the
 * session. Null when there is no valid session.
 */
function withoutFlag({ mustChangePassword, ...admin }: SessionAdmin & { mustChangePassword: boolean }): SessionAdmin {
  void mustChangePassword;
  return admin;
}

async function sessionAccount(): Promise<(SessionAdmin & { mustChangePassword: boolean }) | null> {
  const session = await auth();
  const id = session?.user?.id;
  const sid = session?.sessionId;
  if (!id || !sid) return null;
  const active = await activeAdminSession(sid, id);
  if (!active || active.admin.disabled) return null;
  const { admin } = active;
  if (active.method === "entra" && admin.entraObjectId) {
    const role = await currentEntraRole({ id: admin.id, role: admin.role, entraObjectId: admin.entraObjectId, entraGroupsAt: admin.entraGroupsAt });
    if (!role) return null;
    return { id: admin.id, email: admin.email, name: admin.name, role, mustChangePassword: false };
  }
  return { id: admin.id, email: admin.email, name: admin.name, role: admin.role, mustChangePassword: admin.mustChangePassword };
}

/**
 * The signed-in admin, or null. An admin still holding a one-time password (added or reset on Settings →
 * Admins) is not one yet: every page, action and route handler treats them as signed out until they have
 * chosen their own password on /change-password (requireAdmin sends them there).
 */
export async function getSessionAdmin(): Promise<SessionAdmin | null> {
  const account = await sessionAccount();
  if (!account || account.mustChangePassword) return null;
  return withoutFlag(account);
}

/** For /change-password only: the signed-in admin who must choose their own password, else null. */
export async function getPasswordChangeAdmin(): Promise<SessionAdmin | null> {
  const account = await sessionAccount();
  if (!account?.mustChangePassword) return null;
  return withoutFlag(account);
}

/** For pages and layouts: sends anonymous visitors to the sign-in page, and a one-time password to its change. */
export async function requireAdmin(minimum: AdminRole = "VIEWER"): Promise<SessionAdmin> {
  const account = await sessionAccount();
  if (!account) redirect("/sign-in");
  if (account.mustChangePassword) redirect("/change-password");
  const admin = withoutFlag(account);
  if (!hasRole(admin, minimum)) redirect("/forbidden");
  return admin;
}

export function actorOf(admin: SessionAdmin): AuditActor {
  return { type: "admin", id: admin.id, label: admin.email };
}
