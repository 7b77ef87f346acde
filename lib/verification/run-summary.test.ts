import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningEmulator } from "@/emulator/index";
import { testDataDir } from "@/emulator/testing/paths";
import { buildScenario, customerFixture, FIXTURE, prepareDatabase, seedProvider, seedTenant, type CustomerFixture } from "./testing";

/**
 * A finished Verify All's summary (issue 16, item 7): two runs against the emulator, with the emulator
 * changed in between so that tenants recover, newly fail, keep failing, are blocked by a rejected app
 * registration credential, or fail transiently; the second run's summary counts each group, and the REST
 * resource's schema carries it.
 */

type Runs = typeof import("./runs");
type Db = (typeof import("@/lib/db"))["db"];

let emu: RunningEmulator;
let runs: Runs;
let db: Db;

const groups = { steady: 3, recovering: 2, newlyFailing: 2, stillFailing: 2, secondRegistration: 4, throttled: 1 } as const;
type Group = keyof typeof groups;
const customers: (CustomerFixture & { group: Group })[] = [];
for (const [group, n] of Object.entries(groups) as [Group, number][])
  for (let i = 0; i < n; i++) customers.push({ ...customerFixture(customers.length + 1), group });
const tenantIdOf = new Map<number, string>();
const inGroup = (g: Group) => customers.filter((c) => c.group === g);

beforeAll(async () => {
  process.env.VERIFY_MAX_RETRIES = "1";
  process.env.VERIFY_TIMEOUT_SECONDS = "5";
  await prepareDatabase("tac-run-summary-");
  const { startEmulator } = await import("@/emulator/index");
  emu = await startEmulator({ port: 0, graphPort: 0, dataDir: testDataDir(), scenario: buildScenario(customers) });
  await seedProvider({ authorityHost: emu.authorityHost, graphHost: emu.graphHost });
  runs = await import("./runs");
  db = (await import("@/lib/db")).db;
  const { encryptSecret } = await import("@/lib/crypto");
  // A second MSP app registration (the same app in Entra, its own stored secret) for one group of tenants.
  await db.appRegistration.create({
    data: {
      id: "second",
      name: "Second",
      clientId: FIXTURE.providerClientId,
      clientSecret: encryptSecret(FIXTURE.providerSecret, { table: "ProviderSettings", rowId: "second", field: "clientSecret" }),
      clientSecretExpiresAt: new Date(Date.now() + 365 * 86_400_000),
      cloud: "CUSTOM",
      customAuthorityHost: emu.authorityHost,
      customGraphHost: emu.graphHost,
      homeTenantId: FIXTURE.homeTenantId,
    },
  });
  for (const c of customers) {
    const id = await seedTenant({ customer: c, method: "APP_REGISTRATION" });
    if (c.group === "secondRegistration") await db.tenant.update({ where: { id }, data: { appRegistrationId: "second" } });
    tenantIdOf.set(c.index, id);
  }
});

afterAll(async () => {
  await runs?.releaseRuns();
  await emu?.close();
});

async function verifyAll() {
  const { run } = await runs.startVerificationRun({ trigger: "manual", requestedBy: "admin@msp.example.com", concurrency: 4 });
  await runs.waitForRun(run.id);
  return (await runs.getRunProgress(run.id))!;
}

const revoke = (c: CustomerFixture) => emu.state.revokeConsent(c.tenantId, FIXTURE.providerClientId);

describe("a finished Verify All's summary", () => {
  it("counts verified, recovered, newly failed, still failing, blocked and retrying from each tenant's status before and after", async () => {
    // Run 1: the recovering and still-failing tenants have no consent; everything else works.
    for (const c of [...inGroup("recovering"), ...inGroup("stillFailing")]) revoke(c);
    const first = await verifyAll();
    expect(first).toMatchObject({ status: "COMPLETED", total: customers.length, failed: 4 });
    expect(first.summary).toEqual({ verified: customers.length - 4, recovered: 0, newlyFailed: 4, stillFailing: 0, blocked: 0, retrying: 0 });

    // Between the runs: consent comes back for the recovering group, goes for the newly failing one, the
    // second registration's stored secret is replaced by a wrong one, Microsoft throttles one tenant.
    for (const c of inGroup("recovering"))
      emu.state.grantConsent(c.tenantId, FIXTURE.providerClientId, {
        applicationPermissions: FIXTURE.appPermissions,
        delegatedPermissions: FIXTURE.delegatedPermissions,
      });
    for (const c of inGroup("newlyFailing")) revoke(c);
    const { encryptSecret } = await import("@/lib/crypto");
    await db.appRegistration.update({
      where: { id: "second" },
      data: { clientSecret: encryptSecret("bad8Q~not-the-secret-0123456789abcdefghij", { table: "ProviderSettings", rowId: "second", field: "clientSecret" }) },
    });
    emu.state.throttle({ scope: "token", tenantIds: inGroup("throttled").map((c) => c.tenantId), retryAfterSeconds: 0.1 });

    const second = await verifyAll();
    emu.state.clearFaults();
    expect(second.status).toBe("COMPLETED");
    expect(second.done).toBe(customers.length);
    // The second registration's tenants: one canary rejected (a new failure), the rest blocked without a call.
    expect(second.summary).toEqual({ verified: 3, recovered: 2, newlyFailed: 2 + 1, stillFailing: 2, blocked: 3, retrying: 1 });
    const s = second.summary;
    expect(s.verified + s.recovered + s.newlyFailed + s.stillFailing + s.blocked + s.retrying).toBe(second.done);

    // What is stored agrees: the throttled tenant kept Verified, the blocked ones carry the one cause.
    const statusOf = async (c: CustomerFixture) =>
      db.tenant.findUniqueOrThrow({ where: { id: tenantIdOf.get(c.index)! }, select: { lastStatus: true, lastStatusCode: true, lastCheckCode: true } });
    expect(await statusOf(inGroup("throttled")[0]!)).toEqual({ lastStatus: "VERIFIED", lastStatusCode: "VERIFIED", lastCheckCode: "THROTTLED" });
    const onSecond = await Promise.all(inGroup("secondRegistration").map(statusOf));
    expect(onSecond.filter((t) => t.lastStatusCode === "APP_CREDENTIAL_BLOCKED")).toHaveLength(3);
    for (const c of inGroup("recovering")) expect((await statusOf(c)).lastStatus).toBe("VERIFIED");

    // The REST resource (GET /api/v1/verification-runs/{id}) is parsed with this schema on the way out.
    const { runProgressSchema } = await import("@/lib/api/schemas");
    expect(runProgressSchema.parse(JSON.parse(JSON.stringify(second))).summary).toEqual(second.summary);
  });
});
