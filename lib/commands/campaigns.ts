import "server-only";
import { z } from "zod";
import { createCampaign, resendInvitation, revokeInvitation } from "@/lib/campaigns/campaigns";
import { campaignInputSchema } from "@/lib/validations/campaign";
import { invitationStates } from "@/lib/campaigns/states";
import { emailChannels, getCampaign, listCampaigns, listInvitations } from "@/lib/data/campaigns";
import { env } from "@/lib/env";
import { CommandError } from "@/lib/errors";
import { createConsentLinkCommand } from "./tenants";
import { defineCommand, defineQuery } from "./command";

/**
 * Consent campaigns. Creating one, resending and revoking an invitation create or revoke consent links,
 * so they take the role that creates consent links (Operator); everyone reads campaigns.
 */

const NOT_FOUND = "Campaign not found.";
const INVITATION_GONE = "Invitation not found.";
const byId = z.object({ id: z.string().min(1, INVITATION_GONE).max(64, INVITATION_GONE) });
const ctxOf = (ctx: { requestId: string }) => ({ requestId: ctx.requestId });

export const createCampaignCommand = defineCommand({
  name: "campaign.create",
  role: createConsentLinkCommand.role,
  audit: "campaign.created",
  input: campaignInputSchema,
  run: (ctx, input) => createCampaign(input, ctx.actor, ctxOf(ctx)),
});

export const resendInvitationCommand = defineCommand({
  name: "invitation.resend",
  role: createConsentLinkCommand.role,
  audit: "invitation.resent",
  input: byId,
  run: (ctx, input) => resendInvitation(input.id, ctx.actor, ctxOf(ctx)),
});

export const revokeInvitationCommand = defineCommand({
  name: "invitation.revoke",
  role: createConsentLinkCommand.role,
  audit: "invitation.revoked",
  input: byId,
  run: (ctx, input) => revokeInvitation(input.id, ctx.actor, ctxOf(ctx)),
});

const pageInput = { page: z.number().int().min(1).default(1), pageSize: z.number().int().min(1).max(200).default(50) };

export const campaignsQuery = defineQuery({
  name: "campaign.list",
  role: "VIEWER",
  input: z.object(pageInput),
  run: (_ctx, q) => listCampaigns(q),
});

export const campaignQuery = defineQuery({
  name: "campaign.get",
  role: "VIEWER",
  input: z.object({ id: z.string().min(1, NOT_FOUND).max(64, NOT_FOUND) }),
  run: async (_ctx, q) => {
    const campaign = await getCampaign(q.id);
    if (!campaign) throw new CommandError("not-found", NOT_FOUND);
    return campaign;
  },
});

export const invitationsQuery = defineQuery({
  name: "campaign.invitations",
  role: "VIEWER",
  input: z.object({ id: z.string().min(1, NOT_FOUND).max(64, NOT_FOUND), states: z.array(z.enum(invitationStates)).optional(), ...pageInput }),
  run: async (_ctx, q) => {
    if (!(await getCampaign(q.id))) throw new CommandError("not-found", NOT_FOUND);
    return listInvitations(q.id, { states: q.states, page: q.page, pageSize: q.pageSize });
  },
});

/** What the Request consent dialog offers: the email channels and the longest link validity. */
export const campaignOptionsQuery = defineQuery({
  name: "campaign.options",
  role: createConsentLinkCommand.role,
  input: z.object({}).optional(),
  run: async () => ({ channels: await emailChannels(), maxLinkDays: env.CONSENT_LINK_DAYS }),
});
