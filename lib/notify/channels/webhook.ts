import "server-only";
import { randomBytes } from "node:crypto";
import { Webhook } from "standardwebhooks";
import type { ResolvedChannel } from "./config";
import { postJson } from "./http";
import type { DeliverOptions } from "./index";
import type { DeliveryResult, OutgoingMessage } from "./types";

/**
 * The generic webhook, signed per Standard Webhooks: `webhook-id` (the notification's id, the same on every
 * retry, so a receiver can drop duplicates), `webhook-timestamp` (seconds, at this attempt) and
 * `webhook-signature` (`v1,<base64 HMAC-SHA256 of "id.timestamp.body">`). During a secret rotation the
 * message is signed with each secret, space-separated, as the specification allows, so the receiver
 * verifies with whichever one it has.
 * @see https://github.com/standard-webhooks/standard-webhooks/blob/main/spec/standard-webhooks.md
 */

/** A new signing secret: `whsec_` + base64 of 32 random bytes (the specification asks for 24 to 64). */
export function newSigningSecret(): string {
  return `whsec_${randomBytes(32).toString("base64")}`;
}

/** The JSON body a receiver gets (described in the OpenAPI document as WebhookEvent). */
export function webhookBody(message: OutgoingMessage): string {
  return JSON.stringify({
    type: message.type,
    timestamp: message.occurredAt.toISOString(),
    data: { ...message.data, title: message.title, severity: message.severity, text: message.text, link: message.link ?? null },
  });
}

/** The three Standard Webhooks headers for `body`, signed with every secret (newest first). */
export function signatureHeaders(secrets: readonly string[], id: string, body: string, at: Date): Record<string, string> {
  const signatures = secrets.map((s) => new Webhook(s).sign(id, at, body));
  return { "webhook-id": id, "webhook-timestamp": String(Math.floor(at.getTime() / 1000)), "webhook-signature": signatures.join(" ") };
}

export async function deliverWebhook(
  channel: Extract<ResolvedChannel, { kind: "WEBHOOK" }>,
  message: OutgoingMessage,
  options: DeliverOptions,
): Promise<DeliveryResult> {
  const secrets = channel.secrets.secrets ?? [];
  if (secrets.length === 0)
    return { ok: false, responseCode: null, error: "The channel has no signing secret; rotate the signing secret to create one", permanent: true };
  const body = webhookBody(message);
  let headers: Record<string, string>;
  try {
    headers = signatureHeaders(secrets, message.id, body, new Date());
  } catch {
    return { ok: false, responseCode: null, error: "A stored signing secret is not a valid whsec_ secret; rotate the signing secret", permanent: true };
  }
  return postJson(channel.config.url, body, headers, options);
}
