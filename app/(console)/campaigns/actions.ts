"use server";

import { campaignOptionsQuery, createCampaignCommand, resendInvitationCommand, revokeInvitationCommand } from "@/lib/commands/campaigns";
import { actionFor } from "@/lib/commands/server-action";

export const campaignOptionsAction = actionFor(campaignOptionsQuery);
export const createCampaignAction = actionFor(createCampaignCommand, { revalidate: "/campaigns" });
export const resendInvitationAction = actionFor(resendInvitationCommand);
export const revokeInvitationAction = actionFor(revokeInvitationCommand);
