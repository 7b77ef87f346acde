import "server-only";
import { decryptSecret, encryptSecret } from "@/lib/crypto";
import { db } from "@/lib/db";
import { env } from "@/lib/env";
import type { CallbackOutcome } from "@/lib/consent/callback";
import { consentUrl, hashToken, TOKEN_PATTERN } from "@/lib/consent/links";
import type { OutgoingMessage } from "@/lib/notify/channels/types";
import { getBranding } from "./branding";
import type { DeclineReason, InvitationState } from "./states";
import { renderInvitation } from "./template";

/**
 * An invitation's state machine, driven by what happens to its consent link: the outbox's delivery, the
 * customer's landing page, Continue to Microsoft, and Microsoft's answer at the callback. Every move is a
 * compare-and-set on the states it may come from, so an invitation only moves forward (a declined one may
 * be opened again and go on), and a closed one (verified, expired, revoked) never moves. Each function is a
 * no-op for a link without an invitation (a single consent link sent by hand).
 */

const DAY_MS = 86_400_000;

/** The roles that can grant application permissions tenant-wide. @see https://learn.microsoft.com/en-us/entra/identity/enterprise-apps/grant-admin-consent */
export const ADMIN_ROLES_NEEDED = "Global Administrator or Privileged Role Administrator";

const BEFORE_MICROSOFT: InvitationState[] = ["pending", "sent", "delivery_failed", "opened", "declined"];

export function linkTokenBinding(invitationId: string) {
  return { table: "Invitation", rowId: invitationId, field: "linkToken" };
}

export function sealLinkToken(invitationId: string, token: string) {
  return encryptSecret(token, linkTokenBinding(invitationId));
}

export function parseReminderDays(json: string): number[] {
  try {
    const v = JSON.parse(json) as unknown;
    return Array.isArray(v) ? v.filter((d): d is number => typeof d === "number") : [];
  } catch {
    return [];
  }
}

/** When the n-th reminder (1-based) is due, or null when there is none. */
export function reminderDue(sentAt: Date, reminderDays: number[], n: number): Date | null {
  const days = reminderDays[n - 1];
  return days === undefined ? null : new Date(sentAt.getTime() + days * DAY_MS);
}

async function advance(consentLinkId: string, from: InvitationState[], data: Record<string, unknown>): Promise<boolean> {
  const { count } = await db.invitation.updateMany({ where: { consentLinkId, closedAt: null, state: { in: from } }, data });
  return count > 0;
}

async function linkIdOfToken(token: string): Promise<string | null> {
  if (!TOKEN_PATTERN.test(token)) return null;
  const link = await db.consentLink.findUnique({ where: { tokenHash: hashToken(token) }, select: { id: true } });
  return link?.id ?? null;
}

/** The customer opened the consent page (a declined invitation may be opened again). */
export async function recordInvitationOpened(token: string, now = new Date()): Promise<void> {
  const linkId = await linkIdOfToken(token);
  if (linkId) await advance(linkId, ["pending", "sent", "delivery_failed", "declined"], { state: "opened", openedAt: now });
}

/** The customer pressed Continue: on Microsoft's pages now. */
export async function recordInvitationAtMicrosoft(consentLinkId: string, now = new Date()): Promise<void> {
  await advance(consentLinkId, BEFORE_MICROSOFT, { state: "sent_to_microsoft", sentToMicrosoftAt: now });
}

/** Which account or directory a wrong-directory answer came from: what the callback read from Microsoft's answer. */
function directoryUsed(outcome: Extract<CallbackOutcome, { kind: "mismatch" }>): string {
  if (outcome.account) return `Signed in as ${outcome.account.slice(0, 200)}`;
  if (outcome.otherTenant) return `Directory ${outcome.otherTenant.toLowerCase()}`;
  return "An account of another directory";
}

/** Microsoft's answer at the callback, for the invitation of the state's link. */
export async function recordInvitationOutcome(consentLinkId: string | null, outcome: CallbackOutcome, now = new Date()): Promise<void> {
  if (!consentLinkId || outcome.kind === "bad_request") return;
  const open: InvitationState[] = [...BEFORE_MICROSOFT, "sent_to_microsoft"];
  const decline = (reason: DeclineReason, detail: string | null) =>
    advance(consentLinkId, open, { state: "declined", declinedAt: now, declineReason: reason, declineDetail: detail?.slice(0, 500) ?? null });
  switch (outcome.kind) {
    case "mismatch":
      return void (await decline("wrong_directory", directoryUsed(outcome)));
    case "declined":
      // The callback tells a cancel (AADSTS65004) and an account without an admin role (AADSTS90094) apart.
      if (outcome.reason === "not_admin") return void (await decline("not_admin", ADMIN_ROLES_NEEDED));
      return void (await decline(outcome.reason === "cancelled" ? "cancelled" : "failed", outcome.reason === "cancelled" ? null : outcome.message));
    case "failed":
      if (outcome.codes.some((c) => [90094, 90099, 90008].includes(c))) return void (await decline("not_admin", ADMIN_ROLES_NEEDED));
      return void (await decline("failed", outcome.title));
    case "confirming":
      return void (await advance(consentLinkId, open, { state: "confirming", consentedAt: now, confirmingAt: now }));
    case "success": {
      const verified = outcome.verification.status === "VERIFIED";
      await advance(consentLinkId, open, {
        state: verified ? "verified" : "consented",
        consentedAt: now,
        ...(verified ? { verifiedAt: now, closedAt: now, nextReminderAt: null } : {}),
      });
      return;
    }
  }
}

/** The email a notification of an invitation sends (the invitation itself or reminder n). */
export async function invitationMessage(notificationId: string, invitationId: string, reminder: number, now: Date): Promise<OutgoingMessage | null> {
  const inv = await db.invitation.findUnique({
    where: { id: invitationId },
    select: {
      id: true,
      email: true,
      linkToken: true,
      campaignId: true,
      consentLink: { select: { expiresAt: true } },
      tenant: { select: { displayName: true } },
    },
  });
  if (!inv?.linkToken) return null;
  let token: string;
  try {
    token = decryptSecret(inv.linkToken, linkTokenBinding(inv.id));
  } catch {
    return null;
  }
  const branding = await getBranding();
  const email = renderInvitation({
    branding,
    customerName: inv.tenant.displayName,
    adminEmail: inv.email,
    link: consentUrl(token),
    expiresAt: inv.consentLink.expiresAt,
    reminder,
    logoUrl: branding.logoPath ? new URL(branding.logoPath, env.APP_URL).toString() : null,
  });
  return {
    id: notificationId,
    type: "invitation",
    severity: "info",
    title: email.subject,
    text: email.text,
    occurredAt: now,
    data: { campaignId: inv.campaignId, invitationId: inv.id, reminder },
    link: null,
    email: { to: [inv.email], ...email },
  };
}

/** After an attempt of the outbox: delivered (sent, or a reminder out) or given up (delivery failed). */
export async function recordInvitationDelivery(
  invitationId: string,
  reminder: number,
  outcome: "delivered" | "failed" | "retrying",
  error: string | null,
  at: Date,
): Promise<void> {
  if (outcome === "retrying") return;
  const inv = await db.invitation.findUnique({ where: { id: invitationId }, select: { state: true, campaign: { select: { reminderDays: true } } } });
  if (!inv) return;
  const where = { id: invitationId, closedAt: null };
  if (outcome === "failed" && reminder > 0) {
    await db.invitation.updateMany({ where, data: { lastError: error?.slice(0, 1000) ?? null } });
    return;
  }
  if (outcome === "failed") {
    await db.invitation.updateMany({
      where: { ...where, state: { in: ["pending", "sent"] } },
      data: { state: "delivery_failed", deliveryFailedAt: at, lastError: error?.slice(0, 1000) ?? null, nextReminderAt: null },
    });
    return;
  }
  if (reminder > 0) return;
  await db.invitation.updateMany({
    where: { ...where, state: { in: ["pending", "delivery_failed"] } },
    data: { state: "sent", sentAt: at, lastError: null, nextReminderAt: reminderDue(at, parseReminderDays(inv.campaign.reminderDays), 1) },
  });
}
