import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { newId } from "@/lib/ids";
import { recordFailure } from "@/lib/tenants/status";
import { testOnPostgres } from "@/lib/testing/postgres";
import { createChannel } from "./channels/store";
import { notifyTick } from "./index";
import { recordEvent } from "./incidents";
import { routeEvents } from "./route";
import { startWebhookReceiver, type WebhookReceiver } from "./testing/receivers";

/**
 * The outbox across processes: each "console" is a process of its own (fixtures/notifier-child.ts) on the
 * test's database. One is killed between enqueueing and delivering, and the next delivers once; on
 * PostgreSQL two deliver the same outbox side by side and each notification arrives once.
 */

const SECRET = "whsec_Y2x1c3Rlci10ZXN0LXNlY3JldC0xMjM0NTY3OA==";
let receiver: WebhookReceiver;
const children: ChildProcess[] = [];

function child(env: Record<string, string>) {
  const c = spawn(
    "npx",
    ["--no-install", "tsx", "--conditions=react-server", "--tsconfig", "tsconfig.json", path.join("lib", "notify", "fixtures", "notifier-child.ts")],
    {
      cwd: process.cwd(),
      env: { ...process.env, NODE_ENV: "test", ...env },
      stdio: ["pipe", "pipe", "pipe"],
      detached: true,
    },
  );
  children.push(c);
  let out = "";
  let err = "";
  c.stdout!.on("data", (d: Buffer) => (out += d.toString()));
  c.stderr!.on("data", (d: Buffer) => (err += d.toString()));
  const line = (re: RegExp) =>
    new Promise<RegExpExecArray>((resolve, reject) => {
      const look = () => {
        const m = re.exec(out);
        if (m) resolve(m);
      };
      c.stdout!.on("data", look);
      look();
      c.once("exit", (code) => reject(new Error(`child exited (${code}) before ${re}: ${err}`)));
    });
  return { c, line };
}

beforeAll(async () => {
  receiver = await startWebhookReceiver([SECRET]);
});

afterAll(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) process.kill(-c.pid!, "SIGKILL");
  await receiver?.close();
});

async function channelAndRule() {
  const channelId = (
    await createChannel({ name: `cluster-${newId().slice(-8)}`, kind: "WEBHOOK", config: { url: receiver.url }, secrets: { secrets: [SECRET] } })
  ).id;
  const ruleId = newId();
  await db.alertRule.updateMany({ data: { enabled: false } });
  await db.alertRule.create({ data: { id: ruleId, name: `cluster-${ruleId.slice(-8)}`, minSeverity: "info", channels: { create: [{ channelId }] } } });
  return channelId;
}

describe("the outbox across processes", () => {
  it("a console killed between enqueueing and delivering: the next one delivers each notification once", async () => {
    const channelId = await channelAndRule();
    const tenantId = newId();
    await db.tenant.create({
      data: {
        id: tenantId,
        customerId: `killed-${tenantId.slice(-6)}`,
        displayName: "Killed before delivery",
        adminEmail: "a@b.example",
        authMethod: "APP_REGISTRATION",
      },
    });
    await recordFailure(tenantId, { reasonCode: "CONSENT_REQUIRED", message: "x" });

    const first = child({ MODE: "enqueue" });
    expect((await first.line(/enqueued (\d+)/))[1]).toBe("1");
    process.kill(-first.c.pid!, "SIGKILL");
    expect(await db.notification.findMany({ where: { channelId }, select: { status: true } })).toEqual([{ status: "PENDING" }]);
    expect(receiver.received).toHaveLength(0);

    // The console after its restart.
    await notifyTick();
    await notifyTick();
    expect(receiver.received.map((r) => r.body.type)).toEqual(["incident.opened"]);
    expect(receiver.received[0]!.verified).toBe(true);
    expect(await db.notification.findMany({ where: { channelId }, select: { status: true, attempts: true } })).toEqual([{ status: "DELIVERED", attempts: 1 }]);
  }, 60_000);

  it.skipIf(!testOnPostgres)(
    "two instances on PostgreSQL deliver the same outbox: each notification once (skipped unless TEST_DATABASE=postgres)",
    async () => {
      const channels = [await channelAndRule()];
      const second = (
        await createChannel({ name: `cluster-b-${newId().slice(-8)}`, kind: "WEBHOOK", config: { url: receiver.url }, secrets: { secrets: [SECRET] } })
      ).id;
      await db.alertRuleChannel.create({ data: { ruleId: (await db.alertRule.findFirstOrThrow({ where: { enabled: true } })).id, channelId: second } });
      channels.push(second);
      for (let i = 0; i < 40; i++)
        await recordEvent({ type: "run.new_failures", dedupeKey: `cluster:${newId()}`, title: `event ${i}`, occurredAt: new Date(), data: { i } });
      expect(await routeEvents()).toBe(80);
      const before = receiver.received.length;

      const a = child({ MODE: "deliver", INSTANCE_ID: "instance-a" });
      const b = child({ MODE: "deliver", INSTANCE_ID: "instance-b" });
      await Promise.all([a.line(/ready/), b.line(/ready/)]);
      a.c.stdin!.write("go\n");
      b.c.stdin!.write("go\n");
      const [da, db2] = await Promise.all([a.line(/delivered (\{.*\})/), b.line(/delivered (\{.*\})/)]);
      const stats = [JSON.parse(da[1]!), JSON.parse(db2[1]!)] as { delivered: number }[];
      const got = receiver.received.slice(before);
      expect(got).toHaveLength(80);
      expect(new Set(got.map((r) => r.id)).size).toBe(80);
      expect(stats[0]!.delivered + stats[1]!.delivered).toBe(80);
      const rows = await db.notification.findMany({ where: { channelId: { in: channels } }, select: { status: true, attempts: true } });
      expect(rows.every((r) => r.status === "DELIVERED" && r.attempts === 1)).toBe(true);
      expect(await db.deliveryAttempt.count({ where: { channelId: { in: channels } } })).toBe(80);
      console.log(`outbox on two instances: ${stats[0]!.delivered} + ${stats[1]!.delivered} delivered`);
    },
    120_000,
  );
});
