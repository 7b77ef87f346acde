import { z } from "zod";

/**
 * Each channel kind's settings: `config` (stored as JSON in NotificationChannel.config, shown on pages and
 * REST) and `secrets` (encrypted in NotificationChannel.secret, write-only: never shown, never logged).
 * The one definition; forms, commands, REST and drivers parse with these.
 */

const email = z.string().trim().toLowerCase().email("Enter an email address such as alerts@contoso.com.");
const recipients = z.array(email).min(1, "Add at least one recipient.").max(50, "At most 50 recipients.");

export const smtpConfigSchema = z.object({
  host: z.string().trim().min(1, "Enter the SMTP server's host name.").max(253),
  port: z.coerce.number().int().min(1).max(65535),
  /** "tls": TLS from the start (port 465); "starttls": upgrade required; "none": plain (only for local relays). */
  security: z.enum(["tls", "starttls", "none"]),
  user: z.string().trim().max(320).optional().nullable(),
  from: email,
  to: recipients,
});
export const smtpSecretsSchema = z.object({ password: z.string().max(1024).optional() });

export const graphMailConfigSchema = z.object({
  /** One of the MSP's app registrations (AppRegistration.id) with the application permission Mail.Send, in its home tenant. */
  appRegistrationId: z.string().min(1, "Choose the app registration that may send mail."),
  /** The mailbox (user principal name or id) in the MSP's own tenant the mail is sent from. */
  mailbox: email,
  to: recipients,
});
export const graphMailSecretsSchema = z.object({});

export const teamsConfigSchema = z.object({});
/** The Workflows ("When a Teams webhook request is received") URL carries its own signature (`sig=`): a secret. */
export const teamsSecretsSchema = z.object({ url: z.string().url("Paste the workflow's HTTP POST URL.").max(2048).optional() });

export const webhookConfigSchema = z.object({
  url: z.string().trim().url("Enter the receiver's URL, such as https://psa.example.com/hooks/tac.").max(2048),
});
/**
 * Standard Webhooks signing secrets (`whsec_` + base64), newest first. During a rotation two are kept: each
 * message is signed with both, so the receiver can switch at its own pace.
 */
export const webhookSecretsSchema = z.object({ secrets: z.array(z.string().min(1)).max(2).optional() });

export const channelKinds = ["SMTP", "GRAPH_MAIL", "TEAMS", "WEBHOOK"] as const;
export type ChannelKindName = (typeof channelKinds)[number];

export const channelConfigSchemas = {
  SMTP: { config: smtpConfigSchema, secrets: smtpSecretsSchema, label: "Email (SMTP)" },
  GRAPH_MAIL: { config: graphMailConfigSchema, secrets: graphMailSecretsSchema, label: "Email (Microsoft Graph)" },
  TEAMS: { config: teamsConfigSchema, secrets: teamsSecretsSchema, label: "Microsoft Teams (Workflows)" },
  WEBHOOK: { config: webhookConfigSchema, secrets: webhookSecretsSchema, label: "Webhook (Standard Webhooks)" },
} as const;

export type SmtpConfig = z.infer<typeof smtpConfigSchema>;
export type GraphMailConfig = z.infer<typeof graphMailConfigSchema>;
export type WebhookConfig = z.infer<typeof webhookConfigSchema>;

/** A channel as a driver sees it: its settings parsed, its secrets decrypted (server only, never serialized). */
export type ResolvedChannel =
  | { id: string; name: string; kind: "SMTP"; config: SmtpConfig; secrets: z.infer<typeof smtpSecretsSchema> }
  | { id: string; name: string; kind: "GRAPH_MAIL"; config: GraphMailConfig; secrets: z.infer<typeof graphMailSecretsSchema> }
  | { id: string; name: string; kind: "TEAMS"; config: z.infer<typeof teamsConfigSchema>; secrets: z.infer<typeof teamsSecretsSchema> }
  | { id: string; name: string; kind: "WEBHOOK"; config: WebhookConfig; secrets: z.infer<typeof webhookSecretsSchema> };
