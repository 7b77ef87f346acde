import { describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { newId } from "@/lib/ids";
import { detectAccessExpiring, detectConsentExpiring, detectRejectedCredentials, detectRunsWithNewFailures } from "./detect";
import { detectDailyDigests } from "./index";
import { reconcileIncidents } from "./incidents";

/** The detectors record each fact once, whatever the number of ticks. */

const DAY = 86_400_000;
const now = new Date("2026-12-06T12:00:00Z");

async function tenant(over: Record<string, unknown> = {}) {
  const id = newId();
  await db.tenant.create({
    data: {
      id,
      customerId: `c-${id.slice(-8)}`,
      displayName: `Tenant ${id.slice(-4)}`,
      adminEmail: "it@contoso.example",
      authMethod: "APP_REGISTRATION",
      ...over,
    },
  });
  return id;
}

const eventsOf = (type: string) => db.alertEvent.findMany({ where: { type }, orderBy: { createdAt: "asc" } });

async function rule(over: Record<string, unknown>) {
  const id = newId();
  await db.alertRule.create({ data: { id, name: `r-${id.slice(-8)}`, minSeverity: "info", ...over } });
  return id;
}

describe("detectors", () => {
  it("access breaking within each rule's N days: once per tenant, deadline and N; none for a failed tenant or a far deadline", async () => {
    await rule({ events: JSON.stringify(["access.expiring"]), expiringWithinDays: 14 });
    await rule({ events: "[]", expiringWithinDays: 3 });
    const soon = await tenant({ lastStatus: "VERIFIED", accessBreaksAt: new Date(now.getTime() + 2 * DAY) });
    const later = await tenant({ lastStatus: "VERIFIED", accessBreaksAt: new Date(now.getTime() + 10 * DAY) });
    await tenant({ lastStatus: "VERIFIED", accessBreaksAt: new Date(now.getTime() + 40 * DAY) });
    await tenant({ lastStatus: "FAILED", accessBreaksAt: new Date(now.getTime() + 1 * DAY) });
    await detectAccessExpiring(now);
    await detectAccessExpiring(new Date(now.getTime() + 60_000));
    const events = await eventsOf("access.expiring");
    expect(events.map((e) => [e.tenantId, JSON.parse(e.data).withinDays]).sort()).toEqual(
      [
        [soon, 14],
        [soon, 3],
        [later, 14],
      ].sort(),
    );
    expect(events.find((e) => e.tenantId === soon)!.title).toContain("breaks in 2 days");
    // A renewed credential is a new deadline: a new fact.
    await db.tenant.update({ where: { id: later }, data: { accessBreaksAt: new Date(now.getTime() + 12 * DAY) } });
    await detectAccessExpiring(now);
    expect((await eventsOf("access.expiring")).filter((e) => e.tenantId === later)).toHaveLength(2);
  });

  it("consent links that expire within a day unused, once each", async () => {
    const t = await tenant();
    const link = (over: Record<string, unknown>) =>
      db.consentLink.create({
        data: {
          id: newId(),
          tenantId: t,
          flow: "ADMIN_CONSENT",
          tokenHash: newId(),
          expiresAt: new Date(now.getTime() + 6 * 3_600_000),
          createdBy: "x",
          ...over,
        },
      });
    const unused = await link({});
    await link({ lastUsedAt: now });
    await link({ completedAt: now });
    await link({ revokedAt: now });
    await link({ expiresAt: new Date(now.getTime() + 3 * DAY) });
    await detectConsentExpiring(now);
    await detectConsentExpiring(now);
    const events = await eventsOf("consent.expiring");
    expect(events.map((e) => JSON.parse(e.data).consentLinkId)).toEqual([unused.id]);
  });

  it("verify runs that ended with newly failed tenants, once each", async () => {
    const run = (newlyFailed: number, kind = "verify") =>
      db.jobRun.create({
        data: {
          id: newId(),
          kind,
          status: "COMPLETED",
          trigger: "schedule",
          requestedBy: "s",
          total: 10,
          failed: newlyFailed,
          concurrency: 1,
          startedAt: now,
          heartbeatAt: now,
          finishedAt: now,
          summaryNewlyFailed: newlyFailed,
        },
      });
    const bad = await run(3);
    await run(0);
    await run(2, "reload-directory");
    await detectRunsWithNewFailures(new Date(now.getTime() + 1000));
    await detectRunsWithNewFailures(new Date(now.getTime() + 2000));
    const events = await eventsOf("run.new_failures");
    expect(events.map((e) => [JSON.parse(e.data).runId, e.title])).toEqual([[bad.id, "Verification run finished: 3 tenants newly failed"]]);
  });

  it("an MSP app registration whose credential Microsoft refused: once per registration version", async () => {
    await db.appRegistration.create({
      data: { id: "msp", name: "MSP app", clientId: "11111111-1111-1111-1111-111111111111", cloud: "GLOBAL", defaultForCloud: "GLOBAL" },
    });
    await tenant({ lastStatus: "FAILED", lastStatusCode: "INVALID_SECRET" });
    await tenant({ lastStatus: "FAILED", lastStatusCode: "APP_CREDENTIAL_BLOCKED" });
    // A customer's own app is the customer's credential, not the MSP's.
    await tenant({ lastStatus: "FAILED", lastStatusCode: "SECRET_EXPIRED", appClientId: "22222222-2222-2222-2222-222222222222" });
    await detectRejectedCredentials(now);
    await detectRejectedCredentials(now);
    let events = await eventsOf("credential.rejected");
    expect(events).toHaveLength(1);
    expect(JSON.parse(events[0]!.data)).toMatchObject({ appRegistrationId: "msp", reasonCode: "INVALID_SECRET", affectedTenants: 2 });
    await db.appRegistration.update({ where: { id: "msp" }, data: { version: { increment: 1 } } });
    await detectRejectedCredentials(now);
    events = await eventsOf("credential.rejected");
    expect(events).toHaveLength(2);
  });

  it("a rule's daily digest once per local day, with its open incidents and the day's events", async () => {
    await db.alertRule.updateMany({ data: { enabled: false } });
    const id = await rule({ digestAt: "08:00", timeZone: "Europe/Berlin", events: JSON.stringify(["incident.opened"]) });
    const t = await tenant({ lastStatus: "FAILED", lastStatusCode: "CONSENT_REQUIRED", failingSince: now });
    await reconcileIncidents(now);
    // 06:59 UTC is 07:59 in Berlin: not yet; 07:00 UTC is 08:00.
    expect(await detectDailyDigests(new Date("2026-12-07T06:59:00Z"))).toBe(0);
    expect(await detectDailyDigests(new Date("2026-12-07T07:00:00Z"))).toBe(1);
    expect(await detectDailyDigests(new Date("2026-12-07T15:00:00Z"))).toBe(0);
    const [digest] = (await eventsOf("digest")).filter((e) => JSON.parse(e.data).ruleId === id);
    const data = JSON.parse(digest!.data);
    expect(data).toMatchObject({ kind: "daily", date: "2026-12-07", openIncidents: expect.any(Number) });
    // Only the types the rule takes; this tenant's incident among them (earlier tests' failed tenants too).
    const items = data.items as { type: string; title: string }[];
    expect(new Set(items.map((i) => i.type))).toEqual(new Set(["incident.opened"]));
    const name = (await db.tenant.findUniqueOrThrow({ where: { id: t } })).displayName;
    expect(items.some((i) => i.title.includes(name))).toBe(true);
    expect(data.openIncidents).toBe(await db.incident.count({ where: { openKey: { not: null } } }));
    expect(await detectDailyDigests(new Date("2026-12-08T07:30:00Z"))).toBe(1);
  });
});
