import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningEmulator } from "@/emulator/index";
import { testDataDir } from "@/emulator/testing/paths";
import { buildScenario, customerFixture, FIXTURE, prepareDatabase, seedProvider, seedTenant, type CustomerFixture } from "@/lib/verification/testing";
import { startSmtpReceiver, startWebhookReceiver, type SmtpReceiver, type WebhookReceiver } from "./testing/receivers";

/**
 * Alerts end to end, against the emulator and real receivers (an HTTPS receiver verifying Standard
 * Webhooks signatures, an in-process SMTP server): what the "done when" asks.
 */

type Db = (typeof import("@/lib/db"))["db"];
type Runs = typeof import("@/lib/verification/runs");
type Notify = typeof import("./index");

const customers: CustomerFixture[] = Array.from({ length: 10 }, (_, i) => customerFixture(i + 1));
const tenantIdOf = new Map<number, string>();
const SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

let emu: RunningEmulator;
let db: Db;
let runs: Runs;
let notify: Notify;
let webhook: WebhookReceiver;
let smtp: SmtpReceiver;
let webhookChannel = "";
let smtpChannel = "";

beforeAll(async () => {
  process.env.VERIFY_MAX_RETRIES = "0";
  process.env.VERIFY_TIMEOUT_SECONDS = "5";
  process.env.NOTIFY_RETRY_BASE_SECONDS = "30";
  process.env.NOTIFY_TIMEOUT_SECONDS = "3";
  await prepareDatabase("tac-alerts-");
  const { startEmulator } = await import("@/emulator/index");
  emu = await startEmulator({ port: 0, graphPort: 0, dataDir: testDataDir(), scenario: buildScenario(customers) });
  await seedProvider({ authorityHost: emu.authorityHost, graphHost: emu.graphHost });
  db = (await import("@/lib/db")).db;
  runs = await import("@/lib/verification/runs");
  notify = await import("./index");
  for (const c of customers) tenantIdOf.set(c.index, await seedTenant({ customer: c, method: "APP_REGISTRATION" }));
  webhook = await startWebhookReceiver([SECRET]);
  smtp = await startSmtpReceiver();
  const { createChannel } = await import("./channels/store");
  webhookChannel = (await createChannel({ name: "PSA", kind: "WEBHOOK", config: { url: webhook.url }, secrets: { secrets: [SECRET] } })).id;
  smtpChannel = (
    await createChannel({
      name: "NOC mail",
      kind: "SMTP",
      config: { host: smtp.host, port: smtp.port, security: "none", from: "console@msp.example", to: ["noc@msp.example"] },
      secrets: {},
    })
  ).id;
  await db.alertRule.create({
    data: {
      id: "all",
      name: "Incidents",
      minSeverity: "info",
      events: JSON.stringify(["incident.opened", "incident.resolved"]),
      channels: { create: [{ channelId: webhookChannel }, { channelId: smtpChannel }] },
    },
  });
});

afterAll(async () => {
  await runs?.releaseRuns();
  await emu?.close();
  await webhook?.close();
  await smtp?.close();
});

async function verifyAll() {
  const { run } = await runs.startVerificationRun({ trigger: "manual", requestedBy: "admin@msp.example.com", concurrency: 4 });
  await runs.waitForRun(run.id);
  return (await runs.getRunProgress(run.id))!;
}

/** Ticks until the outbox is empty (each tick: incidents, events, routing, delivery). */
async function drain(now = new Date()) {
  for (let i = 0; i < 5; i++) {
    await notify.notifyTick(now);
    if ((await db.notification.count({ where: { status: "PENDING", nextAttemptAt: { lte: now } } })) === 0) return;
  }
}

const webhookTypes = () => webhook.received.map((r) => `${r.body.type}:${String(r.body.data.customerId ?? "")}`);
const mailSubjects = () => smtp.messages.map((m) => m.subject);

describe("alerts", () => {
  it("revoking a tenant's consent and restoring it sends exactly one opened and one resolved notification per channel", async () => {
    const first = await verifyAll();
    expect(first.failed).toBe(0);
    await drain();
    expect(webhook.received).toEqual([]);

    const victim = customers[2]!;
    emu.state.revokeConsent(victim.tenantId, FIXTURE.providerClientId);
    await verifyAll();
    await drain();
    await drain();
    const customerId = (await db.tenant.findUniqueOrThrow({ where: { id: tenantIdOf.get(victim.index)! } })).customerId;
    expect(webhookTypes()).toEqual([`incident.opened:${customerId}`]);
    expect(webhook.received[0]!.verified).toBe(true);
    expect(mailSubjects()).toEqual([expect.stringContaining("Access lost: Customer 3")]);
    expect(smtp.messages[0]!.to).toEqual(["noc@msp.example"]);
    expect(smtp.messages[0]!.text).toContain("Fix:");

    // Still failing on the next run: nothing new.
    await verifyAll();
    await drain();
    expect(webhook.received).toHaveLength(1);

    emu.state.grantConsent(victim.tenantId, FIXTURE.providerClientId, { applicationPermissions: ["Organization.Read.All", "User.Read.All"] });
    await verifyAll();
    await drain();
    await verifyAll();
    await drain();
    expect(webhookTypes()).toEqual([`incident.opened:${customerId}`, `incident.resolved:${customerId}`]);
    expect(mailSubjects()).toEqual([expect.stringContaining("Access lost"), expect.stringContaining("Access restored: Customer 3")]);
    // The same ids the receivers saw are the notifications' ids, each delivered once with one attempt.
    const delivered = await db.notification.findMany({ where: { status: "DELIVERED" }, select: { id: true, attempts: true, channelId: true } });
    expect(delivered).toHaveLength(4);
    expect(delivered.every((n) => n.attempts === 1)).toBe(true);
    expect(new Set(webhook.received.map((r) => r.id))).toEqual(new Set(delivered.filter((n) => n.channelId === webhookChannel).map((n) => n.id)));
    const incident = await db.incident.findFirstOrThrow({ where: { tenantId: tenantIdOf.get(victim.index)! } });
    expect(incident.resolvedAt).not.toBeNull();
  });

  it("throttling 30 % of tenants during a run opens no incident and sends nothing", async () => {
    const before = { webhooks: webhook.received.length, mails: smtp.messages.length, incidents: await db.incident.count() };
    emu.state.throttle({ scope: "token", tenantFraction: 0.3, retryAfterSeconds: 0.05 });
    try {
      const progress = await verifyAll();
      expect(progress.summary?.retrying ?? 0).toBeGreaterThan(0);
    } finally {
      emu.state.clearFaults();
    }
    await drain();
    expect(await db.incident.count()).toBe(before.incidents);
    expect(webhook.received).toHaveLength(before.webhooks);
    expect(smtp.messages).toHaveLength(before.mails);
  });
});
