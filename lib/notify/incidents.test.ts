import { describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { newId } from "@/lib/ids";
import { recordFailure, recordVerification } from "@/lib/tenants/status";
import { verificationOutcomeSchema } from "@/lib/verification/outcome";
import { acknowledgeIncident, reconcileIncidents } from "./incidents";
import { routeEvents } from "./route";

/** Incidents follow the status the failure policy writes (lib/tenants/status.ts), on both databases. */

async function tenant(label: string) {
  const id = newId();
  await db.tenant.create({
    data: { id, customerId: `${label}-${id.slice(-8)}`, displayName: label, adminEmail: "it@contoso.example", authMethod: "APP_REGISTRATION" },
  });
  return id;
}

function verified(tenantId: string, at = new Date()) {
  return verificationOutcomeSchema.parse({
    tenantId,
    status: "VERIFIED",
    reasonCode: "VERIFIED",
    message: "Verified",
    accessBreaksAt: null,
    startedAt: at,
    finishedAt: at,
    durationMs: 10,
    details: {
      method: "APP_REGISTRATION",
      explanation: "ok",
      remediation: { action: "none", text: "Nothing to do." },
      warnings: [],
      notes: [],
      permissions: { granted: [], required: [], missing: [] },
      timings: { tokenMs: 1, graphMs: 1, totalMs: 2 },
    },
  });
}

const incidentsOf = (tenantId: string) => db.incident.findMany({ where: { tenantId }, orderBy: { openedAt: "asc" } });
const eventsOf = (tenantId: string) =>
  db.alertEvent.findMany({ where: { tenantId }, orderBy: { createdAt: "asc" }, select: { type: true, incidentId: true, title: true } });

describe("incidents", () => {
  it("open once when a tenant fails and resolve once when it verifies again, each with one event", async () => {
    const id = await tenant("lost");
    await recordVerification(verified(id));
    await reconcileIncidents();
    expect(await incidentsOf(id)).toEqual([]);

    await recordFailure(id, { reasonCode: "CONSENT_REQUIRED", message: "AADSTS65001: consent required" });
    await reconcileIncidents();
    await reconcileIncidents();
    const [opened] = await incidentsOf(id);
    expect(await incidentsOf(id)).toHaveLength(1);
    expect(opened).toMatchObject({ reasonCode: "CONSENT_REQUIRED", openKey: id, resolvedAt: null });
    expect(await eventsOf(id)).toEqual([{ type: "incident.opened", incidentId: opened!.id, title: expect.stringContaining("Access lost: lost") }]);

    // Still failing on the next check: the same incident.
    await recordFailure(id, { reasonCode: "CONSENT_REQUIRED", message: "again" });
    await reconcileIncidents();
    expect(await incidentsOf(id)).toHaveLength(1);

    const back = new Date(Date.now() + 1000);
    await recordVerification(verified(id, back));
    await reconcileIncidents();
    await reconcileIncidents();
    const [resolved] = await incidentsOf(id);
    expect(resolved).toMatchObject({ id: opened!.id, openKey: null, resolvedAt: back });
    expect((await eventsOf(id)).map((e) => e.type)).toEqual(["incident.opened", "incident.resolved"]);

    // Failing again later is a new incident.
    await recordFailure(id, { reasonCode: "APP_NOT_IN_TENANT", message: "AADSTS700016" });
    await reconcileIncidents();
    expect((await incidentsOf(id)).map((i) => [i.reasonCode, i.resolvedAt === null])).toEqual([
      ["CONSENT_REQUIRED", false],
      ["APP_NOT_IN_TENANT", true],
    ]);
  });

  it("are not opened by a transient failure the policy does not count as lost access", async () => {
    const id = await tenant("throttled");
    await recordVerification(verified(id));
    await recordFailure(id, { reasonCode: "THROTTLED", message: "429" });
    expect((await db.tenant.findUniqueOrThrow({ where: { id } })).lastStatus).toBe("VERIFIED");
    await reconcileIncidents();
    expect(await incidentsOf(id)).toEqual([]);
  });

  it("are acknowledged once, by name, and not after they are resolved", async () => {
    const id = await tenant("ack");
    await recordFailure(id, { reasonCode: "TENANT_DISABLED", message: "disabled" });
    await reconcileIncidents();
    const [inc] = await incidentsOf(id);
    expect(await acknowledgeIncident(inc!.id, "ops@msp.example")).toBe("acknowledged");
    expect(await acknowledgeIncident(inc!.id, "other@msp.example")).toBe("already");
    expect(await db.incident.findUniqueOrThrow({ where: { id: inc!.id } })).toMatchObject({ acknowledgedBy: "ops@msp.example" });
    await recordVerification(verified(id, new Date(Date.now() + 1000)));
    await reconcileIncidents();
    expect(await acknowledgeIncident(inc!.id, "x")).toBe("resolved");
    expect(await acknowledgeIncident("nope", "x")).toBe("not-found");
  });
});

describe("routing", () => {
  async function channel(name: string) {
    const id = newId();
    await db.notificationChannel.create({
      data: { id, name: `${name}-${id.slice(-6)}`, kind: "WEBHOOK", config: JSON.stringify({ url: "https://hooks.example/x" }) },
    });
    return id;
  }

  it("sends each event once per channel, to the rules' channels that take it (tags, severity, quiet hours)", async () => {
    await db.alertEvent.updateMany({ where: { routedAt: null }, data: { routedAt: new Date() } });
    const gold = newId();
    await db.tag.create({ data: { id: gold, name: `gold-${gold.slice(-6)}` } });
    const [all, goldOnly, night] = [await channel("all"), await channel("gold"), await channel("night")];
    const mk = (name: string, over: Record<string, unknown>, channels: string[], tags: string[] = []) =>
      db.alertRule.create({
        data: {
          id: newId(),
          name: `${name}-${newId().slice(-6)}`,
          minSeverity: "info",
          ...over,
          channels: { create: channels.map((channelId) => ({ channelId })) },
          tags: { create: tags.map((tagId) => ({ tagId })) },
        },
      });
    await mk("everything", {}, [all]);
    // The same channel through two rules: still one notification.
    await mk("everything again", { minSeverity: "critical" }, [all]);
    await mk("gold customers", { events: JSON.stringify(["incident.opened"]) }, [goldOnly], [gold]);
    // Quiet all day long in UTC except 23:59: held.
    await mk("night shift", { quietStart: "00:00", quietEnd: "23:59" }, [night]);

    const plain = await tenant("plain");
    const vip = await tenant("vip");
    await db.tenantTag.create({ data: { tenantId: vip, tagId: gold } });
    for (const t of [plain, vip]) await recordFailure(t, { reasonCode: "CONSENT_REQUIRED", message: "x" });
    await reconcileIncidents();
    const now = new Date("2026-12-06T12:00:00Z");
    await routeEvents(now);
    await routeEvents(now);

    const sent = await db.notification.findMany({
      where: { event: { tenantId: { in: [plain, vip] } } },
      select: { channelId: true, status: true, nextAttemptAt: true, event: { select: { tenantId: true } } },
    });
    const of = (t: string) => sent.filter((n) => n.event!.tenantId === t);
    expect(
      of(plain)
        .map((n) => n.channelId)
        .sort(),
    ).toEqual([all, night].sort());
    expect(
      of(vip)
        .map((n) => n.channelId)
        .sort(),
    ).toEqual([all, goldOnly, night].sort());
    const held = sent.filter((n) => n.channelId === night);
    expect(held.every((n) => n.status === "HELD" && n.nextAttemptAt.getTime() === new Date("2026-12-06T23:59:00Z").getTime())).toBe(true);
    expect(sent.filter((n) => n.channelId !== night).every((n) => n.status === "PENDING")).toBe(true);
  });
});
