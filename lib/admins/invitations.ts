import "server-only";
import { randomBytes } from "node:crypto";
import { hashPassword } from "@/lib/auth/passwords";
import { db } from "@/lib/db";
import { isUniqueViolation } from "@/lib/db-client";
import { env } from "@/lib/env";
import type { AdminRole } from "@/lib/generated/prisma/enums";
import { escapeHtml } from "@/lib/html";
import { newId } from "@/lib/ids";
import { hashToken, TOKEN_PATTERN } from "@/lib/consent/links";
import { deliverTo } from "@/lib/notify/channels";
import { loadResolvedChannel, TEST_TIMEOUT_MS } from "@/lib/notify/channels/store";
import type { OutgoingMessage } from "@/lib/notify/channels/types";

/**
 * Admins invited by email (Settings → Admins, /api/v1/admins/invitations). Trust model, as for consent
 * links (lib/consent/links.ts): the link's token is 256 random bits, only its SHA-256 is stored, and
 * whoever holds an unexpired, unrevoked, unused link may choose the password of the account it names,
 * once. Accepting is one compare-and-set on `acceptedAt` in the transaction that creates the admin, so two
 * tabs submitting the same link create one admin. The email goes out through an email channel of
 * Settings → Channels (SMTP or Graph sendMail) at once, while the administrator waits: an invitation whose
 * email could not be sent is not kept.
 */

export const INVITATION_HOURS = 72;
const HOUR_MS = 3_600_000;
const EMAIL_CHANNEL_KINDS = ["SMTP", "GRAPH_MAIL"] as const;

export function invitationUrl(token: string): string {
  return new URL(`/join/${token}`, env.APP_URL).toString();
}

/** The channels an invitation can go out through: the enabled email channels. */
export async function emailChannels(): Promise<{ id: string; name: string; kind: string }[]> {
  return db.notificationChannel.findMany({
    where: { enabled: true, kind: { in: [...EMAIL_CHANNEL_KINDS] } },
    orderBy: { name: "asc" },
    select: { id: true, name: true, kind: true },
  });
}

export type InvitationView = {
  id: string;
  email: string;
  name: string | null;
  role: AdminRole;
  state: "pending" | "accepted" | "expired" | "revoked";
  expiresAt: Date;
  acceptedAt: Date | null;
  createdAt: Date;
};

const invitationSelect = { id: true, email: true, name: true, role: true, expiresAt: true, acceptedAt: true, revokedAt: true, createdAt: true } as const;

function viewOf(
  r: { id: string; email: string; name: string | null; role: AdminRole; expiresAt: Date; acceptedAt: Date | null; revokedAt: Date | null; createdAt: Date },
  now: Date,
): InvitationView {
  const state = r.acceptedAt ? "accepted" : r.revokedAt ? "revoked" : r.expiresAt <= now ? "expired" : "pending";
  return { id: r.id, email: r.email, name: r.name, role: r.role, state, expiresAt: r.expiresAt, acceptedAt: r.acceptedAt, createdAt: r.createdAt };
}

/** Invitations of the last 30 days and every pending one, newest first. */
export async function listInvitations(now = new Date()): Promise<InvitationView[]> {
  const rows = await db.adminInvitation.findMany({
    where: { OR: [{ createdAt: { gt: new Date(now.getTime() - 30 * 24 * HOUR_MS) } }, { acceptedAt: null, revokedAt: null, expiresAt: { gt: now } }] },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    select: invitationSelect,
  });
  return rows.map((r) => viewOf(r, now));
}

export type InvitationRefusal = { ok: false; code: "conflict" | "not-found"; message: string; field?: "email" | "channelId" };

/** The invitation email: the link, who invited, the role and the expiry; the same text in plain and HTML. */
export function invitationMessage(input: { id: string; email: string; role: AdminRole; invitedBy: string; url: string; expiresAt: Date }): OutgoingMessage {
  const roleName = { ADMINISTRATOR: "Administrator", OPERATOR: "Operator", VIEWER: "Viewer" }[input.role];
  const expires = `${input.expiresAt.toISOString().slice(0, 16).replace("T", " ")} UTC`;
  const subject = "You are invited to the Tenant Access Console";
  const text = [
    `${input.invitedBy} invited you to the Tenant Access Console as ${roleName}.`,
    "",
    `Choose your password here (the link works once, until ${expires}):`,
    input.url,
    "",
    "If you did not expect this invitation, ignore this email; nothing happens until the link is used.",
  ].join("\n");
  const html = `<p>${escapeHtml(input.invitedBy)} invited you to the Tenant Access Console as <strong>${roleName}</strong>.</p>
<p><a href="${escapeHtml(input.url)}">Choose your password</a> (the link works once, until ${escapeHtml(expires)}).</p>
<p>If you did not expect this invitation, ignore this email; nothing happens until the link is used.</p>`;
  return {
    id: input.id,
    type: "admin.invitation",
    severity: "info",
    title: subject,
    text,
    occurredAt: new Date(),
    data: { invitationId: input.id, role: input.role },
    link: null,
    email: { to: [input.email], subject, text, html },
  };
}

/**
 * Creates the invitation and sends its email through `channelId`. Refused when the address already
 * belongs to an admin or the channel is not an enabled email channel; when the email cannot be sent the
 * invitation is deleted and the channel's answer returned. Earlier pending invitations of the address are
 * revoked: one usable link per person.
 */
export async function inviteAdmin(
  input: { email: string; name?: string; role: AdminRole; channelId: string; invitedBy: { id?: string; label: string } },
  now = new Date(),
): Promise<{ ok: true; invitation: InvitationView; channel: string; revokedEarlier: number } | InvitationRefusal> {
  if (await db.adminUser.findUnique({ where: { email: input.email }, select: { id: true } }))
    return { ok: false, code: "conflict", message: `An admin with email ${input.email} already exists.`, field: "email" };
  const row = await db.notificationChannel.findUnique({ where: { id: input.channelId }, select: { id: true, kind: true, enabled: true } });
  if (!row || !row.enabled || !(EMAIL_CHANNEL_KINDS as readonly string[]).includes(row.kind))
    return { ok: false, code: "conflict", message: "Choose an enabled email channel (SMTP or Graph mail) of Settings → Channels.", field: "channelId" };
  const channel = await loadResolvedChannel(row.id).catch(() => null);
  if (!channel) return { ok: false, code: "conflict", message: "The channel's stored settings are incomplete. Edit and save it first.", field: "channelId" };

  const token = randomBytes(32).toString("base64url");
  const id = newId();
  const expiresAt = new Date(now.getTime() + INVITATION_HOURS * HOUR_MS);
  const created = await db.adminInvitation.create({
    data: {
      id,
      email: input.email,
      name: input.name || null,
      role: input.role,
      tokenHash: hashToken(token),
      channelId: row.id,
      invitedById: input.invitedBy.id ?? null,
      expiresAt,
      createdAt: now,
    },
    select: invitationSelect,
  });
  const message = invitationMessage({ id, email: input.email, role: input.role, invitedBy: input.invitedBy.label, url: invitationUrl(token), expiresAt });
  const sent = await deliverTo(channel, message, { timeoutMs: TEST_TIMEOUT_MS });
  if (!sent.ok) {
    await db.adminInvitation.delete({ where: { id } });
    return { ok: false, code: "conflict", message: `The invitation email could not be sent through ${channel.name}: ${sent.error.slice(0, 300)}` };
  }
  const { count: revokedEarlier } = await db.adminInvitation.updateMany({
    where: { email: input.email, id: { not: id }, acceptedAt: null, revokedAt: null, expiresAt: { gt: now } },
    data: { revokedAt: now },
  });
  return { ok: true, invitation: viewOf(created, now), channel: channel.name, revokedEarlier };
}

export async function revokeInvitation(id: string, now = new Date()): Promise<{ ok: true; invitation: InvitationView } | InvitationRefusal> {
  const { count } = await db.adminInvitation.updateMany({ where: { id, acceptedAt: null, revokedAt: null }, data: { revokedAt: now } });
  const row = await db.adminInvitation.findUnique({ where: { id }, select: invitationSelect });
  if (!row) return { ok: false, code: "not-found", message: "Unknown invitation." };
  if (count === 0)
    return { ok: false, code: "conflict", message: row.acceptedAt ? "This invitation was already accepted." : "This invitation was already revoked." };
  return { ok: true, invitation: viewOf(row, now) };
}

/** The usable invitation a link names, for its page: null when unknown, used, revoked or expired. */
export async function findUsableInvitation(
  token: string,
  now = new Date(),
): Promise<{ id: string; email: string; name: string | null; role: AdminRole } | null> {
  if (!TOKEN_PATTERN.test(token)) return null;
  return db.adminInvitation.findFirst({
    where: { tokenHash: hashToken(token), acceptedAt: null, revokedAt: null, expiresAt: { gt: now } },
    select: { id: true, email: true, name: true, role: true },
  });
}

/**
 * Uses the link: the admin is created with the chosen password (no forced change: they chose it), and the
 * invitation is marked used in the same transaction, by a compare-and-set, so it works once.
 */
export async function acceptInvitation(
  input: { token: string; password: string; name?: string },
  now = new Date(),
): Promise<{ ok: true; admin: { id: string; email: string; role: AdminRole }; invitationId: string } | InvitationRefusal> {
  const gone = {
    ok: false as const,
    code: "not-found" as const,
    message: "This invitation link is no longer valid: it was used, revoked or has expired. Ask an administrator for a new one.",
  };
  if (!TOKEN_PATTERN.test(input.token)) return gone;
  const passwordHash = await hashPassword(input.password);
  try {
    return await db.$transaction(async (tx) => {
      const invitation = await tx.adminInvitation.findUnique({
        where: { tokenHash: hashToken(input.token) },
        select: { id: true, email: true, name: true, role: true },
      });
      if (!invitation) return gone;
      const adminId = newId();
      const { count } = await tx.adminInvitation.updateMany({
        where: { id: invitation.id, acceptedAt: null, revokedAt: null, expiresAt: { gt: now } },
        data: { acceptedAt: now, adminId },
      });
      if (count === 0) return gone;
      const admin = await tx.adminUser.create({
        data: { id: adminId, email: invitation.email, name: input.name || invitation.name, role: invitation.role, passwordHash },
        select: { id: true, email: true, role: true },
      });
      return { ok: true as const, admin, invitationId: invitation.id };
    });
  } catch (e) {
    if (isUniqueViolation(e))
      return { ok: false, code: "conflict", message: "An admin with this email already exists. Sign in instead, or ask an administrator." };
    throw e;
  }
}
