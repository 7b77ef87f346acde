import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";

// Before lib/env.ts is read: a hung receiver times out after 2 s.
vi.hoisted(() => {
  process.env.NOTIFY_TIMEOUT_SECONDS = "2";
  process.env.NOTIFY_RETRY_BASE_SECONDS = "30";
});
import { db } from "@/lib/db";
import { newId } from "@/lib/ids";
import { createChannel } from "./channels/store";
import { deliverDue } from "./deliver";
import { recordEvent } from "./incidents";
import { routeEvents } from "./route";
import { startSmtpReceiver, startWebhookReceiver, type SmtpReceiver, type WebhookReceiver } from "./testing/receivers";

/**
 * The outbox's delivery against real receivers: retries with backoff and Retry-After, the delivery log,
 * a dead channel that holds up no other, quiet hours' digest, and a claim whose holder died. The clock is
 * a parameter: "later" is a `now` further on, never a wait.
 */

const SECRET = "whsec_C2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0";
let webhook: WebhookReceiver;
let hanging: WebhookReceiver;
let smtp: SmtpReceiver;

beforeAll(async () => {
  webhook = await startWebhookReceiver([SECRET]);
  hanging = await startWebhookReceiver([SECRET]);
  smtp = await startSmtpReceiver();
});

afterAll(async () => {
  hanging?.hang(false);
  await Promise.all([webhook?.close(), hanging?.close(), smtp?.close()]);
});

async function webhookChannel(url: string) {
  return (await createChannel({ name: `hook-${newId().slice(-8)}`, kind: "WEBHOOK", config: { url }, secrets: { secrets: [SECRET] } })).id;
}

async function smtpChannel() {
  return (
    await createChannel({
      name: `mail-${newId().slice(-8)}`,
      kind: "SMTP",
      config: { host: smtp.host, port: smtp.port, security: "none", from: "console@msp.example", to: ["noc@msp.example"] },
      secrets: {},
    })
  ).id;
}

async function rule(channelIds: string[], over: Record<string, unknown> = {}) {
  const id = newId();
  await db.alertRule.create({
    data: { id, name: `rule-${id.slice(-8)}`, minSeverity: "info", ...over, channels: { create: channelIds.map((channelId) => ({ channelId })) } },
  });
  return id;
}

async function event(title: string, at = new Date()) {
  await recordEvent({ type: "run.new_failures", dedupeKey: `test:${newId()}`, title, occurredAt: at, data: { newlyFailed: 1, failed: 1, total: 3 } });
}

/** Disables every rule but these, so one test's events go to its own channels only. */
async function only(ruleIds: string[]) {
  await db.alertRule.updateMany({ where: { id: { notIn: ruleIds } }, data: { enabled: false } });
}

const attemptsOf = (channelId: string) =>
  db.deliveryAttempt.findMany({
    where: { channelId },
    orderBy: [{ at: "asc" }, { attempt: "asc" }],
    select: { attempt: true, outcome: true, responseCode: true, durationMs: true },
  });

describe("delivery", () => {
  it("a channel that answers 500 twice, then 200: one delivery, three attempts logged, backing off", async () => {
    const ch = await webhookChannel(webhook.url);
    await only([await rule([ch])]);
    const t0 = new Date("2026-12-06T10:00:00Z");
    await event("flaky receiver", t0);
    await routeEvents(t0);
    webhook.script([500, 500, 200]);
    const before = webhook.received.length;

    expect(await deliverDue({ now: t0 })).toMatchObject({ retrying: 1 });
    // Not due again before the backoff (30 s after the first failure).
    expect(await deliverDue({ now: new Date(t0.getTime() + 10_000) })).toEqual({ delivered: 0, retrying: 0, failed: 0 });
    expect(await deliverDue({ now: new Date(t0.getTime() + 30_000) })).toMatchObject({ retrying: 1 });
    // The second backoff doubles: 60 s.
    expect(await deliverDue({ now: new Date(t0.getTime() + 60_000) })).toEqual({ delivered: 0, retrying: 0, failed: 0 });
    expect(await deliverDue({ now: new Date(t0.getTime() + 90_000) })).toMatchObject({ delivered: 1 });
    expect(await deliverDue({ now: new Date(t0.getTime() + 200_000) })).toEqual({ delivered: 0, retrying: 0, failed: 0 });

    expect(webhook.received.length - before).toBe(1);
    expect((await attemptsOf(ch)).map((a) => [a.attempt, a.outcome, a.responseCode])).toEqual([
      [1, "retry", 500],
      [2, "retry", 500],
      [3, "delivered", 200],
    ]);
    expect(await db.notification.findFirstOrThrow({ where: { channelId: ch } })).toMatchObject({ status: "DELIVERED", attempts: 3 });
  });

  it("honours Retry-After when it asks for longer than the backoff, and gives up on a permanent refusal", async () => {
    const ch = await webhookChannel(webhook.url);
    await only([await rule([ch])]);
    const t0 = new Date("2026-12-06T11:00:00Z");
    await event("busy receiver", t0);
    await routeEvents(t0);
    webhook.script([{ status: 429, headers: { "retry-after": "120" } }, 410]);
    await deliverDue({ now: t0 });
    const n = await db.notification.findFirstOrThrow({ where: { channelId: ch } });
    expect(n.nextAttemptAt).toEqual(new Date(t0.getTime() + 120_000));
    await deliverDue({ now: new Date(t0.getTime() + 120_000) });
    expect(await db.notification.findFirstOrThrow({ where: { channelId: ch } })).toMatchObject({ status: "FAILED", attempts: 2 });
    expect((await attemptsOf(ch)).map((a) => [a.outcome, a.responseCode])).toEqual([
      ["retry", 429],
      ["failed", 410],
    ]);
  });

  it("a channel that hangs holds up no other channel", async () => {
    const dead = await webhookChannel(hanging.url);
    const mail = await smtpChannel();
    await only([await rule([dead, mail])]);
    hanging.hang(true);
    const t0 = new Date("2026-12-06T12:00:00Z");
    for (let i = 0; i < 3; i++) await event(`while one channel is down ${i}`, t0);
    await routeEvents(t0);
    const mailsBefore = smtp.messages.length;
    const summary = await deliverDue({ now: t0 });
    expect(summary).toMatchObject({ delivered: 3, retrying: 1 });
    expect(smtp.messages.length - mailsBefore).toBe(3);
    // The dead channel tried once this pass (timed out) and left its other two for later.
    expect(await attemptsOf(dead)).toEqual([expect.objectContaining({ attempt: 1, outcome: "retry", responseCode: null })]);
    expect(await db.notification.count({ where: { channelId: dead, status: "PENDING", claimedBy: null } })).toBe(3);
    hanging.hang(false);
    await db.notification.deleteMany({ where: { channelId: dead } });
  });

  it("quiet hours hold notifications and send them as one digest when they end", async () => {
    const ch = await webhookChannel(webhook.url);
    await only([await rule([ch], { quietStart: "22:00", quietEnd: "07:00", timeZone: "UTC" })]);
    const night = new Date("2026-12-06T23:00:00Z");
    for (const title of ["first at night", "second at night", "third at night"]) await event(title, night);
    await routeEvents(night);
    const before = webhook.received.length;
    expect(await deliverDue({ now: night })).toEqual({ delivered: 0, retrying: 0, failed: 0 });
    expect(await db.notification.count({ where: { channelId: ch, status: "HELD" } })).toBe(3);

    const morning = new Date("2026-12-07T07:00:00Z");
    expect(await deliverDue({ now: morning })).toMatchObject({ delivered: 1 });
    const got = webhook.received.slice(before);
    expect(got).toHaveLength(1);
    expect(got[0]!.body.type).toBe("digest");
    expect(JSON.stringify(got[0]!.body.data)).toContain("second at night");
    expect(await db.notification.count({ where: { channelId: ch, status: "DIGESTED" } })).toBe(3);
  });

  it("a claim whose holder died is taken over after its lease, and delivered once", async () => {
    const ch = await webhookChannel(webhook.url);
    await only([await rule([ch])]);
    const t0 = new Date("2026-12-06T13:00:00Z");
    await event("claimed by a process that died", t0);
    await routeEvents(t0);
    await db.notification.updateMany({ where: { channelId: ch }, data: { claimedBy: "dead-instance", claimedUntil: new Date(t0.getTime() + 60_000) } });
    const before = webhook.received.length;
    expect(await deliverDue({ now: new Date(t0.getTime() + 1_000) })).toEqual({ delivered: 0, retrying: 0, failed: 0 });
    expect(await deliverDue({ now: new Date(t0.getTime() + 61_000) })).toMatchObject({ delivered: 1 });
    expect(await deliverDue({ now: new Date(t0.getTime() + 200_000) })).toEqual({ delivered: 0, retrying: 0, failed: 0 });
    expect(webhook.received.length - before).toBe(1);
  });
});
