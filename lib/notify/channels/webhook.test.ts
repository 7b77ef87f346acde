import { Webhook } from "standardwebhooks";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startWebhookReceiver, type WebhookReceiver } from "@/lib/notify/testing/receivers";
import type { ResolvedChannel } from "./config";
import { retryAfterMs } from "./http";
import { deliverTo } from "./index";
import type { OutgoingMessage } from "./types";
import { newSigningSecret } from "./webhook";

/**
 * The webhook driver against a local HTTPS receiver (127.0.0.1 is in the tests' OUTBOUND_ALLOW_HOSTS) that
 * verifies each request with the standardwebhooks package, the way a PSA or RMM receiver would.
 */

const [current, previous] = [newSigningSecret(), newSigningSecret()];
let receiver: WebhookReceiver;
beforeAll(async () => {
  receiver = await startWebhookReceiver([current]);
});
afterAll(() => receiver.close());
beforeEach(() => {
  receiver.received.length = 0;
  receiver.requests = 0;
  receiver.script([]);
});

const message: OutgoingMessage = {
  id: "ntf_01J0ABC",
  type: "incident.opened",
  severity: "critical",
  title: "Access lost: Contoso Ltd",
  text: "Contoso Ltd failed verification.",
  occurredAt: new Date("2026-12-06T10:00:00Z"),
  data: { tenantId: "t1", customerId: "C-1001", reasonCode: "CONSENT_REVOKED" },
  link: "https://console.example/tenants/t1",
};

const channel = (secrets: string[], url = receiver.url): ResolvedChannel => ({
  id: "ch1",
  name: "PSA",
  kind: "WEBHOOK",
  config: { url },
  secrets: { secrets },
});

describe("webhook driver", () => {
  it("posts the event signed per Standard Webhooks; the receiver verifies it", async () => {
    const result = await deliverTo(channel([current]), message, { timeoutMs: 5000 });
    expect(result).toEqual({ ok: true, responseCode: 200 });
    const [got] = receiver.received;
    expect(got).toMatchObject({ id: "ntf_01J0ABC", verified: true });
    expect(got!.headers["content-type"]).toBe("application/json");
    expect(Math.abs(Number(got!.timestamp) - Date.now() / 1000)).toBeLessThan(60);
    expect(got!.body).toEqual({
      type: "incident.opened",
      timestamp: "2026-12-06T10:00:00.000Z",
      data: {
        tenantId: "t1",
        customerId: "C-1001",
        reasonCode: "CONSENT_REVOKED",
        title: "Access lost: Contoso Ltd",
        severity: "critical",
        text: "Contoso Ltd failed verification.",
        link: "https://console.example/tenants/t1",
      },
    });
  });

  it("during a rotation every secret signs: a receiver with either one verifies, one with neither refuses", async () => {
    await deliverTo(channel([current, previous]), message, { timeoutMs: 5000 });
    const [got] = receiver.received;
    expect(got!.headers["webhook-signature"]!.split(" ")).toHaveLength(2);
    for (const secret of [current, previous]) expect(new Webhook(secret).verify(got!.raw, got!.headers)).toMatchObject({ type: "incident.opened" });
    expect(() => new Webhook(newSigningSecret()).verify(got!.raw, got!.headers)).toThrow(/signature/i);
  });

  it("the webhook-id stays the same on a retry", async () => {
    await deliverTo(channel([current]), message, { timeoutMs: 5000 });
    await deliverTo(channel([current]), message, { timeoutMs: 5000 });
    expect(receiver.received.map((r) => r.id)).toEqual(["ntf_01J0ABC", "ntf_01J0ABC"]);
  });

  it("500 is retried", async () => {
    receiver.script([500]);
    const result = await deliverTo(channel([current]), message, { timeoutMs: 5000 });
    expect(result).toMatchObject({ ok: false, responseCode: 500 });
    expect(result.ok === false && result.permanent).toBeFalsy();
  });

  it("429 with Retry-After gives the receiver's delay", async () => {
    receiver.script([{ status: 429, headers: { "retry-after": "30" } }]);
    const result = await deliverTo(channel([current]), message, { timeoutMs: 5000 });
    expect(result).toMatchObject({ ok: false, responseCode: 429, retryAfterMs: 30_000 });
    expect(result.ok === false && result.permanent).toBeFalsy();
  });

  it("410 Gone is permanent", async () => {
    receiver.script([410]);
    const result = await deliverTo(channel([current]), message, { timeoutMs: 5000 });
    expect(result).toMatchObject({ ok: false, responseCode: 410, permanent: true });
  });

  it("a private address not in OUTBOUND_ALLOW_HOSTS is refused before connecting, permanently", async () => {
    const result = await deliverTo(channel([current], "https://10.0.0.5/hook"), message, { timeoutMs: 2000 });
    expect(result).toMatchObject({ ok: false, responseCode: null, permanent: true });
    expect(receiver.requests).toBe(0);
  });

  it("Retry-After as an HTTP date", () => {
    const now = Date.parse("2026-12-06T10:00:00Z");
    expect(retryAfterMs("Sun, 06 Dec 2026 10:01:00 GMT", now)).toBe(60_000);
    expect(retryAfterMs("120", now)).toBe(120_000);
    expect(retryAfterMs("soon", now)).toBeUndefined();
  });
});
