import "server-only";
import { randomBytes } from "node:crypto";
import { db } from "@/lib/db";
import { env } from "@/lib/env";
import type { AdminRole } from "@/lib/generated/prisma/enums";

/**
 * Console sessions as database rows (AdminSession). The session cookie is next-auth's encrypted JWT and
 * carries only the row's id (`sid`); the row decides whether the session still holds. Signing out,
 * revoking and expiry therefore end a session on every instance at once, and a copied cookie stops
 * working with it, although the JWT itself would still decrypt until its own expiry.
 * @see https://cheatsheetseries.owasp.org/cheatsheets/Session_Management_Cheat_Sheet.html#session-expiration
 */

export type SessionMethod = "credentials" | "entra";
export type SessionRevokedReason = "signed_out" | "revoked" | "password_reset";
export type SessionEnd = "unknown" | "revoked" | "idle" | "expired";

export type SessionLifetime = { idleMs: number; maxMs: number };

/** lastSeenAt is written at most this often per session: a busy page must not turn every read into a write. */
export const SESSION_TOUCH_INTERVAL_MS = 60_000;

export function configuredLifetime(): SessionLifetime {
  return { idleMs: env.SESSION_IDLE_MINUTES * 60_000, maxMs: Math.round(env.SESSION_MAX_HOURS * 3_600_000) };
}

/** 256 random bits, so the id cannot be guessed; it is never the only secret (the cookie is encrypted). */
function newSessionId() {
  return randomBytes(32).toString("base64url");
}

type SessionTimes = { adminId: string; createdAt: Date; lastSeenAt: Date; expiresAt: Date; revokedAt: Date | null };

/**
 * Why a session no longer holds, or null while it does. The lifetime is checked against the settings in
 * force now as well as the expiry stored at sign-in, so shortening SESSION_MAX_HOURS applies at once.
 */
export function sessionEnd(row: SessionTimes | null, adminId: string, now: Date, lifetime = configuredLifetime()): SessionEnd | null {
  if (!row || row.adminId !== adminId) return "unknown";
  if (row.revokedAt) return "revoked";
  const t = now.getTime();
  if (row.expiresAt.getTime() <= t || row.createdAt.getTime() + lifetime.maxMs <= t) return "expired";
  if (row.lastSeenAt.getTime() + lifetime.idleMs <= t) return "idle";
  return null;
}

/**
 * A new session row for a successful sign-in; returns its id for the JWT. Rows past their absolute
 * expiry (ended one way or another) are deleted on the way: one indexed delete, no scheduler needed.
 */
export async function createAdminSession(
  input: { adminId: string; method: SessionMethod; address?: string | null; userAgent?: string | null },
  now = new Date(),
  lifetime = configuredLifetime(),
): Promise<string> {
  await db.adminSession.deleteMany({ where: { expiresAt: { lt: now } } });
  const id = newSessionId();
  await db.adminSession.create({
    data: {
      id,
      adminId: input.adminId,
      method: input.method,
      createdAt: now,
      lastSeenAt: now,
      expiresAt: new Date(now.getTime() + lifetime.maxMs),
      address: input.address?.slice(0, 100) ?? null,
      userAgent: input.userAgent?.slice(0, 300) ?? null,
    },
  });
  return id;
}

/**
 * Records activity: one conditional write, and only when the last one is a minute old. The conditions
 * (not revoked, not idle, not expired) are in the `where`, so a session revoked or ended meanwhile is
 * never revived, on either database. Returns whether it wrote.
 */
export async function touchAdminSession(id: string, now = new Date(), lifetime = configuredLifetime()): Promise<boolean> {
  const t = now.getTime();
  const { count } = await db.adminSession.updateMany({
    where: {
      id,
      revokedAt: null,
      expiresAt: { gt: now },
      createdAt: { gt: new Date(t - lifetime.maxMs) },
      lastSeenAt: { lte: new Date(t - SESSION_TOUCH_INTERVAL_MS), gt: new Date(t - lifetime.idleMs) },
    },
    data: { lastSeenAt: now },
  });
  return count > 0;
}

export async function revokeAdminSession(id: string, adminId: string, reason: SessionRevokedReason, now = new Date()): Promise<boolean> {
  const { count } = await db.adminSession.updateMany({ where: { id, adminId, revokedAt: null }, data: { revokedAt: now, revokedReason: reason } });
  return count > 0;
}

/** Ends every session of an admin; returns how many were still open. */
export async function revokeAdminSessions(adminId: string, reason: SessionRevokedReason, now = new Date()): Promise<number> {
  const { count } = await db.adminSession.updateMany({
    where: { adminId, revokedAt: null, expiresAt: { gt: now } },
    data: { revokedAt: now, revokedReason: reason },
  });
  return count;
}

export type ActiveSession = {
  id: string;
  method: SessionMethod;
  admin: {
    id: string;
    email: string;
    name: string | null;
    role: AdminRole;
    disabled: boolean;
    entraObjectId: string | null;
    entraGroupsAt: Date | null;
    mustChangePassword: boolean;
  };
};

/**
 * The session `sid` of admin `adminId` with its admin, read in one query, or null when it has ended.
 * Records the activity (at most once a minute) when it holds.
 */
export async function activeAdminSession(sid: string, adminId: string, now = new Date(), lifetime = configuredLifetime()): Promise<ActiveSession | null> {
  const row = await db.adminSession.findUnique({
    where: { id: sid },
    select: {
      id: true,
      adminId: true,
      method: true,
      createdAt: true,
      lastSeenAt: true,
      expiresAt: true,
      revokedAt: true,
      admin: { select: { id: true, email: true, name: true, role: true, disabled: true, entraObjectId: true, entraGroupsAt: true, mustChangePassword: true } },
    },
  });
  if (!row || sessionEnd(row, adminId, now, lifetime)) return null;
  if (now.getTime() - row.lastSeenAt.getTime() >= SESSION_TOUCH_INTERVAL_MS) await touchAdminSession(row.id, now, lifetime);
  return { id: row.id, method: row.method === "entra" ? "entra" : "credentials", admin: row.admin };
}
