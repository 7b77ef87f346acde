import "server-only";
import type { ResolvedChannel } from "./config";
import type { DeliveryResult, OutgoingMessage } from "./types";
import { deliverGraphMail } from "./graph-mail";
import { deliverSmtp } from "./smtp";
import { deliverTeams } from "./teams";
import { deliverWebhook } from "./webhook";

export type DeliverOptions = { signal?: AbortSignal; timeoutMs: number };

/**
 * The one entry to every channel driver: the outbox (lib/notify/deliver.ts) and a channel's Test call this.
 * A driver never throws for the receiver's answer or a network failure: it returns a DeliveryResult.
 */
export async function deliverTo(channel: ResolvedChannel, message: OutgoingMessage, options: DeliverOptions): Promise<DeliveryResult> {
  if (message.email && channel.kind !== "SMTP" && channel.kind !== "GRAPH_MAIL") {
    return { ok: false, responseCode: null, error: "Only an email channel (SMTP or Graph mail) can send an invitation email.", permanent: true };
  }
  switch (channel.kind) {
    case "SMTP":
      return deliverSmtp(channel, message, options);
    case "GRAPH_MAIL":
      return deliverGraphMail(channel, message, options);
    case "TEAMS":
      return deliverTeams(channel, message, options);
    case "WEBHOOK":
      return deliverWebhook(channel, message, options);
  }
}
