import "server-only";
import type { ResolvedChannel } from "./config";
import { postJson } from "./http";
import type { DeliverOptions } from "./index";
import type { DeliveryResult, OutgoingMessage } from "./types";

/**
 * Microsoft Teams through a Workflows webhook ("When a Teams webhook request is received" → post card):
 * the message is one Adaptive Card in the envelope Teams documents for webhook posts. Workflows answers
 * 202 Accepted; 429 and 5xx are retried (Retry-After honoured), any other 4xx is permanent.
 * @see https://learn.microsoft.com/en-us/microsoftteams/platform/webhooks-and-connectors/how-to/connectors-using#send-adaptive-cards-using-an-incoming-webhook
 * @see https://adaptivecards.io/explorer/AdaptiveCard.html
 */

const severityColor = { info: "Good", warning: "Warning", critical: "Attention" } as const;

/** The request body: {"type":"message","attachments":[{ Adaptive Card 1.4 }]}. */
export function teamsCard(message: OutgoingMessage) {
  const body: Record<string, unknown>[] = [
    { type: "TextBlock", text: message.title, weight: "Bolder", size: "Medium", wrap: true, color: severityColor[message.severity] },
    {
      type: "TextBlock",
      text: `${message.severity.toUpperCase()} · ${message.occurredAt.toISOString().replace("T", " ").slice(0, 16)} UTC`,
      isSubtle: true,
      spacing: "None",
      wrap: true,
    },
    // Adaptive Card TextBlocks render a subset of Markdown: blank lines keep the text's line breaks.
    { type: "TextBlock", text: message.text.split("\n").join("\n\n"), wrap: true },
  ];
  const actions = message.link ? [{ type: "Action.OpenUrl", title: "Open in the console", url: message.link }] : [];
  return {
    type: "message",
    attachments: [
      {
        contentType: "application/vnd.microsoft.card.adaptive",
        contentUrl: null,
        content: { $schema: "http://adaptivecards.io/schemas/adaptive-card.json", type: "AdaptiveCard", version: "1.4", body, actions },
      },
    ],
  };
}

export async function deliverTeams(
  channel: Extract<ResolvedChannel, { kind: "TEAMS" }>,
  message: OutgoingMessage,
  options: DeliverOptions,
): Promise<DeliveryResult> {
  const url = channel.secrets.url;
  if (!url) return { ok: false, responseCode: null, error: "The channel has no workflow URL", permanent: true };
  return postJson(url, JSON.stringify(teamsCard(message)), {}, options);
}
