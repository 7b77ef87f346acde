import "server-only";
import type { z } from "zod";
import { recordAudit, type AuditActor } from "@/lib/audit";
import { db } from "@/lib/db";
import { CommandError } from "@/lib/errors";
import { newId } from "@/lib/ids";
import { createConsentLink, revokeConsentLinks } from "@/lib/consent/links";
import { failureGroupTenantIds } from "@/lib/data/failure-groups";
import { campaignInputSchema, CAMPAIGN_TENANT_LIMIT, type CampaignInput } from "@/lib/validations/campaign";
import { closedStates, type InvitationState } from "./states";
import { sealLinkToken } from "./invitations";

/**
 * A consent campaign: one consent link per tenant (the tenant's authentication method decides the flow,
 * as for a single link) and one invitation per tenant, either emailed to the tenant's M365 admin through
 * an email channel (the outbox delivers it, lib/notify/deliver.ts) or exported once to the MSP, since a
 * link's token is known only when it is created. The token is also kept encrypted on the invitation, so
 * reminders can send the same link again.
 */

const EMAIL_KINDS = ["SMTP", "GRAPH_MAIL"];

export type ExportedLink = { customerId: string; adminEmail: string; url: string; expiresAt: string };
export type CreatedCampaign = {
  id: string;
  name: string;
  delivery: "email" | "export";
  invitations: number;
  links: ExportedLink[] | null;
  /** Tenants whose consent link could not be created (e.g. their app registration is missing), and why. */
  refused: { customerId: string; error: string }[];
};

async function tenantIdsOf(input: z.output<typeof campaignInputSchema>): Promise<string[]> {
  if (input.tenantIds) return [...new Set(input.tenantIds)];
  if (input.tagId) {
    const tag = await db.tag.findUnique({ where: { id: input.tagId }, select: { id: true } });
    if (!tag) throw new CommandError("not-found", "Tag not found.");
    const rows = await db.tenantTag.findMany({ where: { tagId: tag.id }, select: { tenantId: true }, take: CAMPAIGN_TENANT_LIMIT + 1 });
    return rows.map((r) => r.tenantId);
  }
  return failureGroupTenantIds(input.failureGroup!, CAMPAIGN_TENANT_LIMIT + 1);
}

function listed(names: string[]) {
  return names.length > 5 ? `${names.slice(0, 5).join(", ")} and ${names.length - 5} more` : names.join(", ");
}

export async function createCampaign(raw: CampaignInput, actor: AuditActor, options: { now?: Date; requestId?: string } = {}): Promise<CreatedCampaign> {
  const now = options.now ?? new Date();
  const input = campaignInputSchema.parse(raw);
  const ids = await tenantIdsOf(input);
  if (ids.length === 0)
    throw new CommandError("validation", "No tenants to invite: choose at least one.", { fieldErrors: { tenantIds: ["Choose at least one tenant."] } });
  if (ids.length > CAMPAIGN_TENANT_LIMIT) throw new CommandError("validation", `A campaign takes up to ${CAMPAIGN_TENANT_LIMIT} tenants; split them.`);

  if (input.delivery === "email") {
    const channel = await db.notificationChannel.findUnique({ where: { id: input.channelId! }, select: { kind: true, enabled: true, name: true } });
    if (!channel) throw new CommandError("validation", "Channel not found.", { fieldErrors: { channelId: ["Channel not found."] } });
    if (!EMAIL_KINDS.includes(channel.kind) || !channel.enabled) {
      const why = `The channel "${channel.name}" ${!EMAIL_KINDS.includes(channel.kind) ? "is not an email channel (SMTP or Graph mail)" : "is disabled"}: invitations go by email.`;
      throw new CommandError("validation", why, { fieldErrors: { channelId: [why] } });
    }
  }

  const tenants = await db.tenant.findMany({
    where: { id: { in: ids } },
    select: { id: true, customerId: true, adminEmail: true, entraTenantId: true, primaryDomain: true },
    orderBy: { customerId: "asc" },
  });
  if (tenants.length !== ids.length) throw new CommandError("not-found", "Some tenants no longer exist. Update the table.");
  const noEmail = tenants.filter((t) => !t.adminEmail.trim()).map((t) => t.customerId);
  if (noEmail.length) throw new CommandError("validation", `These tenants have no admin email: ${listed(noEmail)}. Set it first or leave them out.`);
  const unknown = tenants.filter((t) => !t.entraTenantId && !t.primaryDomain).map((t) => t.customerId);
  if (unknown.length) {
    throw new CommandError(
      "validation",
      `The console does not know which Entra tenant these are: ${listed(unknown)}. Set their tenant ID or primary domain first.`,
    );
  }

  const campaignId = newId();
  await db.consentCampaign.create({
    data: {
      id: campaignId,
      name: input.name,
      delivery: input.delivery,
      channelId: input.delivery === "email" ? input.channelId! : null,
      reminderDays: JSON.stringify(input.delivery === "email" ? input.reminderDays : []),
      linkDays: input.linkDays,
      createdBy: actor.label,
      createdAt: now,
    },
  });
  const links: ExportedLink[] = [];
  const refused: { customerId: string; error: string }[] = [];
  for (const t of tenants) {
    const link = await createConsentLink({ tenantId: t.id, actor, requestId: options.requestId, expiresInDays: input.linkDays });
    if (!link.ok) {
      refused.push({ customerId: t.customerId, error: link.error });
      continue;
    }
    const invitationId = newId();
    const email = input.delivery === "email";
    await db.$transaction([
      db.invitation.create({
        data: {
          id: invitationId,
          campaignId,
          tenantId: t.id,
          consentLinkId: link.data.linkId,
          email: t.adminEmail,
          state: email ? "pending" : "sent",
          sentAt: email ? null : now,
          linkToken: sealLinkToken(invitationId, link.data.token),
        },
      }),
      ...(email ? [db.notification.create({ data: { id: newId(), channelId: input.channelId!, invitationId, reminder: 0, nextAttemptAt: now } })] : []),
    ]);
    if (!email) links.push({ customerId: t.customerId, adminEmail: t.adminEmail, url: link.data.url, expiresAt: link.data.expiresAt.toISOString() });
  }
  if (refused.length === tenants.length) {
    await db.consentCampaign.delete({ where: { id: campaignId } });
    throw new CommandError("conflict", `No consent link could be created: ${refused[0]!.customerId}: ${refused[0]!.error}`);
  }
  await recordAudit({
    action: "campaign.created",
    actor,
    target: { type: "campaign", id: campaignId },
    requestId: options.requestId,
    details: { name: input.name, delivery: input.delivery, invitations: tenants.length - refused.length, refused: refused.length, linkDays: input.linkDays },
  });
  return {
    id: campaignId,
    name: input.name,
    delivery: input.delivery,
    invitations: tenants.length - refused.length,
    links: input.delivery === "export" ? links : null,
    refused,
  };
}

const invitationForAction = {
  id: true,
  state: true,
  tenantId: true,
  consentLinkId: true,
  closedAt: true,
  campaign: { select: { id: true, delivery: true, channelId: true, linkDays: true } },
  tenant: { select: { customerId: true, adminEmail: true } },
} as const;

/**
 * A new link for the invitation (the old one is revoked) and, for an email campaign, a new email: the
 * invitation starts again at pending (email) or sent (export, whose new link is returned once).
 */
export async function resendInvitation(
  invitationId: string,
  actor: AuditActor,
  options: { now?: Date; requestId?: string } = {},
): Promise<{ state: InvitationState; link: ExportedLink | null }> {
  const now = options.now ?? new Date();
  const inv = await db.invitation.findUnique({ where: { id: invitationId }, select: invitationForAction });
  if (!inv) throw new CommandError("not-found", "Invitation not found.");
  if (inv.state === "verified") throw new CommandError("conflict", "This tenant has verified: nothing to resend.");
  const email = inv.campaign.delivery === "email";
  if (email && !inv.campaign.channelId) throw new CommandError("conflict", "The campaign's email channel was deleted: create a new campaign instead.");
  const link = await createConsentLink({ tenantId: inv.tenantId, actor, requestId: options.requestId, expiresInDays: inv.campaign.linkDays });
  if (!link.ok) throw new CommandError(link.code, link.error);
  await revokeConsentLinks({ tenantId: inv.tenantId, actor, requestId: options.requestId, linkId: inv.consentLinkId });
  const state: InvitationState = email ? "pending" : "sent";
  await db.$transaction([
    db.invitation.update({
      where: { id: inv.id },
      data: {
        consentLinkId: link.data.linkId,
        linkToken: sealLinkToken(inv.id, link.data.token),
        email: inv.tenant.adminEmail,
        state,
        sentAt: email ? null : now,
        deliveryFailedAt: null,
        openedAt: null,
        sentToMicrosoftAt: null,
        consentedAt: null,
        confirmingAt: null,
        declinedAt: null,
        declineReason: null,
        declineDetail: null,
        expiredAt: null,
        revokedAt: null,
        closedAt: null,
        remindersSent: 0,
        nextReminderAt: null,
        lastError: null,
      },
    }),
    // An earlier email still in the outbox (retrying) would now carry the new link too: one email is enough.
    db.notification.updateMany({
      where: { invitationId: inv.id, status: { in: ["PENDING", "HELD"] } },
      data: { status: "FAILED", lastError: "Superseded by a resend." },
    }),
    ...(email
      ? [db.notification.create({ data: { id: newId(), channelId: inv.campaign.channelId!, invitationId: inv.id, reminder: 0, nextAttemptAt: now } })]
      : []),
  ]);
  await recordAudit({
    action: "invitation.resent",
    actor,
    target: { type: "invitation", id: inv.id },
    requestId: options.requestId,
    details: { campaignId: inv.campaign.id, customerId: inv.tenant.customerId, previousState: inv.state },
  });
  return {
    state,
    link: email
      ? null
      : { customerId: inv.tenant.customerId, adminEmail: inv.tenant.adminEmail, url: link.data.url, expiresAt: link.data.expiresAt.toISOString() },
  };
}

/** Revokes the invitation's link (its URL is refused from then on) and closes the invitation. */
export async function revokeInvitation(
  invitationId: string,
  actor: AuditActor,
  options: { now?: Date; requestId?: string } = {},
): Promise<{ state: InvitationState }> {
  const now = options.now ?? new Date();
  const inv = await db.invitation.findUnique({ where: { id: invitationId }, select: invitationForAction });
  if (!inv) throw new CommandError("not-found", "Invitation not found.");
  if (closedStates.includes(inv.state as InvitationState)) throw new CommandError("conflict", `This invitation is already closed (${inv.state}).`);
  await revokeConsentLinks({ tenantId: inv.tenantId, actor, requestId: options.requestId, linkId: inv.consentLinkId });
  await db.$transaction([
    db.invitation.update({ where: { id: inv.id }, data: { state: "revoked", revokedAt: now, closedAt: now, nextReminderAt: null } }),
    // An email still in the outbox must not go out with a revoked link.
    db.notification.updateMany({
      where: { invitationId: inv.id, status: { in: ["PENDING", "HELD"] } },
      data: { status: "FAILED", lastError: "The invitation was revoked." },
    }),
  ]);
  await recordAudit({
    action: "invitation.revoked",
    actor,
    target: { type: "invitation", id: inv.id },
    requestId: options.requestId,
    details: { campaignId: inv.campaign.id, customerId: inv.tenant.customerId, previousState: inv.state },
  });
  return { state: "revoked" };
}
