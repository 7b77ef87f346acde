import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startWebhookReceiver, type WebhookReceiver } from "@/lib/notify/testing/receivers";
import type { ResolvedChannel } from "./config";
import { deliverTo } from "./index";
import type { OutgoingMessage } from "./types";

/** The Teams driver against a local HTTPS receiver standing in for a Workflows trigger (which answers 202). */

let receiver: WebhookReceiver;
beforeAll(async () => {
  receiver = await startWebhookReceiver([]);
});
afterAll(() => receiver.close());
beforeEach(() => {
  receiver.received.length = 0;
  receiver.script([202]);
});

const message: OutgoingMessage = {
  id: "ntf_1",
  type: "incident.resolved",
  severity: "info",
  title: "Access restored: Contoso Ltd",
  text: "Contoso Ltd verified again.\nOpen for 2 h 5 min.",
  occurredAt: new Date("2026-12-06T12:05:00Z"),
  data: {},
  link: "https://console.example/tenants/t1",
};

const channel = (): ResolvedChannel => ({
  id: "ch2",
  name: "Teams",
  kind: "TEAMS",
  config: {},
  secrets: { url: `${receiver.url}/workflows/abc/invoke?sig=s3cr3t` },
});

describe("Teams driver", () => {
  it("posts one Adaptive Card in the message envelope Teams expects; 202 is delivered", async () => {
    const result = await deliverTo(channel(), message, { timeoutMs: 5000 });
    expect(result).toEqual({ ok: true, responseCode: 202 });
    const [req] = receiver.received;
    expect(req!.path).toBe("/hooks/tac/workflows/abc/invoke?sig=s3cr3t");
    expect(req!.headers["content-type"]).toBe("application/json");
    const body = JSON.parse(req!.raw) as Record<string, unknown>;
    expect(body).toMatchObject({
      type: "message",
      attachments: [
        {
          contentType: "application/vnd.microsoft.card.adaptive",
          contentUrl: null,
          content: {
            $schema: "http://adaptivecards.io/schemas/adaptive-card.json",
            type: "AdaptiveCard",
            version: "1.4",
            actions: [{ type: "Action.OpenUrl", title: "Open in the console", url: "https://console.example/tenants/t1" }],
          },
        },
      ],
    });
    const card = (body.attachments as { content: { body: { type: string; text: string }[] } }[])[0]!.content;
    expect(card.body[0]).toMatchObject({ type: "TextBlock", text: "Access restored: Contoso Ltd" });
    expect(card.body.map((b) => b.text).join("\n")).toContain("Open for 2 h 5 min.");
  });

  it("no link, no action", async () => {
    await deliverTo(channel(), { ...message, link: null }, { timeoutMs: 5000 });
    const body = JSON.parse(receiver.received[0]!.raw) as { attachments: { content: { actions: unknown[] } }[] };
    expect(body.attachments[0]!.content.actions).toEqual([]);
  });

  it("429 and 503 are retried with Retry-After; 400 and 404 are permanent; the URL's signature is never in the error", async () => {
    receiver.script([{ status: 429, headers: { "retry-after": "5" } }, 503, 400, 404]);
    expect(await deliverTo(channel(), message, { timeoutMs: 5000 })).toMatchObject({ ok: false, responseCode: 429, retryAfterMs: 5000 });
    const unavailable = await deliverTo(channel(), message, { timeoutMs: 5000 });
    expect(unavailable).toMatchObject({ ok: false, responseCode: 503 });
    expect(unavailable.ok === false && unavailable.permanent).toBeFalsy();
    for (const status of [400, 404]) {
      const result = await deliverTo(channel(), message, { timeoutMs: 5000 });
      expect(result).toMatchObject({ ok: false, responseCode: status, permanent: true });
      expect(JSON.stringify(result)).not.toContain("s3cr3t");
    }
  });
});
