import { z } from "zod";
import {
  channelConfigSchemas,
  graphMailConfigSchema,
  smtpConfigSchema,
  smtpSecretsSchema,
  teamsSecretsSchema,
  webhookConfigSchema,
  type ChannelKindName,
} from "@/lib/notify/channels/config";

/**
 * A channel's input as forms and the REST API send it: flat, one object per kind, with the kind's settings
 * (lib/notify/channels/config.ts, the one definition) and its write-only secrets beside them, so that each
 * field's message lands on its own field. Recipients may come as a list or as text separated by commas,
 * semicolons or line breaks. Client-safe: the form reads the labels from here.
 */

export const CHANNEL_NAME_MAX = 100;

export const channelNameSchema = z
  .string("Name the channel, e.g. NOC mailbox or PSA webhook.")
  .trim()
  .min(1, "Name the channel, e.g. NOC mailbox or PSA webhook.")
  .max(CHANNEL_NAME_MAX, `At most ${CHANNEL_NAME_MAX} characters.`);

const recipientList = (schema: z.ZodType) => z.preprocess((v) => (typeof v === "string" ? v.split(/[\s,;]+/).filter(Boolean) : v), schema);

const enabled = z.preprocess((v) => (v === "on" || v === "true" ? true : v === "false" ? false : v), z.boolean("Enabled is true or false.")).optional();

const smtpFields = smtpConfigSchema.extend({
  port: z.coerce
    .number("Enter the SMTP port, e.g. 587 (STARTTLS) or 465 (TLS).")
    .int("Enter the SMTP port, e.g. 587 (STARTTLS) or 465 (TLS).")
    .min(1, "Enter a port between 1 and 65535.")
    .max(65535, "Enter a port between 1 and 65535."),
  security: z.enum(["tls", "starttls", "none"], "Choose TLS, STARTTLS or none."),
  to: recipientList(smtpConfigSchema.shape.to),
  password: smtpSecretsSchema.shape.password,
});

const graphMailFields = graphMailConfigSchema.extend({ to: recipientList(graphMailConfigSchema.shape.to) });

const teamsFields = z.object({
  url: z
    .string()
    .trim()
    .max(2048, "At most 2048 characters.")
    .optional()
    .refine((v) => !v || teamsSecretsSchema.safeParse({ url: v }).success, "Paste the workflow's HTTP POST URL (https://…)."),
});

const webhookFields = webhookConfigSchema;

/** The fields of each kind (settings and write-only secrets), without name and kind. */
export const channelFieldSchemas = {
  SMTP: smtpFields,
  GRAPH_MAIL: graphMailFields,
  TEAMS: teamsFields,
  WEBHOOK: webhookFields,
} as const;

/** Which input fields are write-only secrets, per kind: never shown, an empty value keeps the stored one. */
export const secretFields: Record<ChannelKindName, readonly string[]> = { SMTP: ["password"], GRAPH_MAIL: [], TEAMS: ["url"], WEBHOOK: [] };

const base = { name: channelNameSchema, enabled };

/** Creating a channel: every field of its kind (a webhook's signing secret is generated, not sent). */
export const channelCreateSchema = z.discriminatedUnion(
  "kind",
  [
    z.object({ kind: z.literal("SMTP"), ...base, ...smtpFields.shape }),
    z.object({ kind: z.literal("GRAPH_MAIL"), ...base, ...graphMailFields.shape }),
    z.object({ kind: z.literal("TEAMS"), ...base, ...teamsFields.shape }),
    z.object({ kind: z.literal("WEBHOOK"), ...base, ...webhookFields.shape }),
  ],
  "Choose the kind of channel: SMTP, GRAPH_MAIL, TEAMS or WEBHOOK.",
);
export type ChannelCreateInput = z.infer<typeof channelCreateSchema>;

/**
 * Changing a channel: any field; the kind cannot change. What is sent is merged over the stored settings
 * and the result checked with the kind's schema, so the messages are the same as on creation.
 */
export const channelPatchSchema = z.looseObject({
  name: channelNameSchema.optional(),
  enabled,
});
export type ChannelPatchInput = z.infer<typeof channelPatchSchema>;

export const channelKindLabels: Record<ChannelKindName, string> = Object.fromEntries(
  Object.entries(channelConfigSchemas).map(([k, v]) => [k, v.label]),
) as Record<ChannelKindName, string>;
