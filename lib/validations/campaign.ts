import { z } from "zod";
import { env } from "@/lib/env";
import { methodIds } from "@/lib/methods";
import { clouds } from "@/lib/validations/tenant";

/** A consent campaign's input, shared by the dialog's action and POST /consent-campaigns. */

export const CAMPAIGN_TENANT_LIMIT = 500;

export const campaignInputSchema = z
  .object({
    name: z.string().trim().min(1, "Name the campaign.").max(120, "Keep the name under 120 characters."),
    tenantIds: z.array(z.string().min(1).max(64)).max(CAMPAIGN_TENANT_LIMIT, `A campaign takes up to ${CAMPAIGN_TENANT_LIMIT} tenants.`).optional(),
    tagId: z.string().min(1).max(64).optional(),
    failureGroup: z
      .object({
        reasonCode: z.string().regex(/^[A-Z][A-Z0-9_]{0,63}$/, "Unknown cause."),
        method: z.enum(methodIds),
        cloud: z.enum(clouds),
        app: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, "Unknown app registration."),
      })
      .optional(),
    delivery: z.enum(["email", "export"], { message: "Choose email or export." }),
    channelId: z.string().min(1).max(64).optional(),
    reminderDays: z
      .array(
        z
          .number()
          .int("Reminder days are whole days.")
          .min(1, "A reminder is 1 to 30 days after sending.")
          .max(30, "A reminder is 1 to 30 days after sending."),
      )
      .max(5, "Up to 5 reminders.")
      .refine((d) => d.every((v, i) => i === 0 || v > d[i - 1]!), "List the reminder days in ascending order, each once.")
      .default([2, 5]),
    linkDays: z
      .number()
      .int("The link's validity is whole days.")
      .min(1, "A link is valid for at least 1 day.")
      .max(env.CONSENT_LINK_DAYS, `A link is valid for at most ${env.CONSENT_LINK_DAYS} days (CONSENT_LINK_DAYS).`)
      .default(env.CONSENT_LINK_DAYS),
  })
  .superRefine((v, ctx) => {
    const sources = [v.tenantIds !== undefined, v.tagId !== undefined, v.failureGroup !== undefined].filter(Boolean).length;
    if (sources !== 1) ctx.addIssue({ code: "custom", path: ["tenantIds"], message: "Choose the tenants: a selection, a tag or a root-cause group." });
    if (v.delivery === "email" && !v.channelId)
      ctx.addIssue({ code: "custom", path: ["channelId"], message: "Choose the email channel that sends the invitations." });
  });
export type CampaignInput = z.input<typeof campaignInputSchema>;
