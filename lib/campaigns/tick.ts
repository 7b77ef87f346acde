import "server-only";
import { db } from "@/lib/db";
import { newId } from "@/lib/ids";
import { parseReminderDays, reminderDue } from "./invitations";
import type { InvitationState } from "./states";

/**
 * The campaigns' part of the alerts tick (lib/notify/index.ts), before delivery: invitations whose tenant
 * verified close as verified, those whose link expired close as expired, and due reminders go into the
 * outbox. Each change is a compare-and-set, so overlapping ticks do no harm. `now` is the tick's clock.
 */

export type CampaignTickSummary = { verified: number; expired: number; reminders: number };

const BATCH = 500;
/** Waiting on the customer: a reminder may help. A declined invitation gets one only when it was cancelled. */
const REMINDABLE: InvitationState[] = ["sent", "opened", "sent_to_microsoft", "declined"];
const EXPIRABLE: InvitationState[] = ["pending", "sent", "delivery_failed", "opened", "sent_to_microsoft", "declined"];

export async function campaignTick(now: Date): Promise<CampaignTickSummary> {
  return { verified: await closeVerified(now), expired: await expireInvitations(now), reminders: await sendReminders(now) };
}

async function closeVerified(now: Date): Promise<number> {
  let closed = 0;
  let cursor: string | undefined;
  // In batches by id: invitations of tenants verified before the invitation went out are skipped, and must
  // not hide the ones after them.
  for (;;) {
    const open = await db.invitation.findMany({
      where: { closedAt: null, tenant: { lastStatus: "VERIFIED", lastVerifiedAt: { not: null } }, ...(cursor ? { id: { gt: cursor } } : {}) },
      select: { id: true, state: true, sentAt: true, createdAt: true, tenant: { select: { lastVerifiedAt: true } } },
      orderBy: { id: "asc" },
      take: BATCH,
    });
    for (const inv of open) {
      // A verification before the invitation went out says nothing about its consent.
      if (inv.tenant.lastVerifiedAt! <= (inv.sentAt ?? inv.createdAt)) continue;
      const { count } = await db.invitation.updateMany({
        where: { id: inv.id, closedAt: null, state: inv.state },
        data: { state: "verified", verifiedAt: inv.tenant.lastVerifiedAt, closedAt: now, nextReminderAt: null },
      });
      closed += count;
    }
    if (open.length < BATCH) return closed;
    cursor = open[open.length - 1]!.id;
  }
}

async function expireInvitations(now: Date): Promise<number> {
  const { count } = await db.invitation.updateMany({
    where: { closedAt: null, state: { in: EXPIRABLE }, consentLink: { expiresAt: { lte: now }, revokedAt: null } },
    data: { state: "expired", expiredAt: now, closedAt: now, nextReminderAt: null },
  });
  // A link revoked elsewhere (the tenant page's "Revoke links"): the invitation cannot be used any more either.
  await db.invitation.updateMany({
    where: { closedAt: null, state: { in: EXPIRABLE }, consentLink: { revokedAt: { not: null } } },
    data: { state: "revoked", revokedAt: now, closedAt: now, nextReminderAt: null },
  });
  return count;
}

async function sendReminders(now: Date): Promise<number> {
  const due = await db.invitation.findMany({
    where: {
      closedAt: null,
      nextReminderAt: { lte: now },
      state: { in: REMINDABLE },
      consentLink: { expiresAt: { gt: now }, revokedAt: null, completedAt: null },
      campaign: { delivery: "email", channelId: { not: null } },
    },
    select: { id: true, state: true, declineReason: true, sentAt: true, remindersSent: true, campaign: { select: { channelId: true, reminderDays: true } } },
    take: BATCH,
  });
  let sent = 0;
  for (const inv of due) {
    const n = inv.remindersSent + 1;
    const next = inv.sentAt ? reminderDue(inv.sentAt, parseReminderDays(inv.campaign.reminderDays), n + 1) : null;
    // Wrong directory, not an administrator or a failure: a reminder of the same link would not help.
    const skip = inv.state === "declined" && inv.declineReason !== "cancelled";
    await db.$transaction(async (tx) => {
      const { count } = await tx.invitation.updateMany({
        where: { id: inv.id, remindersSent: inv.remindersSent, closedAt: null },
        data: skip ? { nextReminderAt: null } : { remindersSent: n, nextReminderAt: next },
      });
      if (count !== 1 || skip) return;
      await tx.notification.create({ data: { id: newId(), channelId: inv.campaign.channelId!, invitationId: inv.id, reminder: n, nextAttemptAt: now } });
      sent++;
    });
  }
  return sent;
}
