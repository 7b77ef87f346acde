import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generatedUserId } from "@/emulator/directory";
import type { RunningEmulator } from "@/emulator/index";
import { testDataDir } from "@/emulator/testing/paths";
import { buildScenario, customerFixture, prepareDatabase, seedProvider, seedTenant, type CustomerFixture } from "@/lib/verification/testing";

/** User sync against the emulator, on the job engine, on whichever database the test run selects. */

type Users = typeof import("./index");
type Jobs = typeof import("@/lib/jobs");
type Data = typeof import("@/lib/data/users");
type Db = (typeof import("@/lib/db"))["db"];

let emu: RunningEmulator;
let users: Users;
let jobs: Jobs;
let data: Data;
let db: Db;
const actor = { type: "system", label: "test" } as const;
const GENERATED = 2_500;
const SEED = "sync-test";
const customers: CustomerFixture[] = Array.from({ length: 4 }, (_, i) => customerFixture(i + 1));
const [big, small, unconsented, slow] = customers as [CustomerFixture, CustomerFixture, CustomerFixture, CustomerFixture];
const ids: Record<number, string> = {};

beforeAll(async () => {
  await prepareDatabase("tac-users-");
  const scenario = buildScenario(customers);
  for (const t of scenario.tenants) {
    if (t.id === big.tenantId) t.generatedUsers = { count: GENERATED, seed: SEED };
    if (t.id === slow.tenantId) t.generatedUsers = { count: 5_000, seed: SEED };
    // Consented without User.Read.All: the verification and the sync fail with the same reason.
    if (t.id === unconsented.tenantId)
      t.consents = [{ clientId: t.consents![0]!.clientId, applicationPermissions: ["Organization.Read.All"], delegatedPermissions: [] }];
  }
  const { startEmulator } = await import("@/emulator/index");
  emu = await startEmulator({ port: 0, graphPort: 0, dataDir: testDataDir(), scenario });
  await seedProvider({ authorityHost: emu.authorityHost, graphHost: emu.graphHost });
  users = await import("./index");
  jobs = await import("@/lib/jobs");
  data = await import("@/lib/data/users");
  db = (await import("@/lib/db")).db;
  for (const c of customers) ids[c.index] = await seedTenant({ customer: c, method: "APP_REGISTRATION" });
});

afterAll(async () => {
  await jobs?.stopJobEngine();
  const { closeDirectDatabase } = await import("@/lib/db-direct");
  await closeDirectDatabase();
  await emu?.close();
});

async function sync(c: CustomerFixture) {
  const started = await users.startUserSync(ids[c.index]!, { actor, trigger: "manual" });
  await jobs.jobEngine().waitForRun(started.runId);
  return { started, state: await data.getUserSyncState(ids[c.index]!), run: await db.jobRun.findUniqueOrThrow({ where: { id: started.runId } }) };
}

const gid = (i: number) => generatedUserId(SEED, big.tenantId, i);

describe("user sync", () => {
  it("a full sync pages through every user (999 a page) and stores the lookup list, count and time", async () => {
    await emu.control.resetCounters();
    const before = Date.now();
    const { state, run } = await sync(big);
    const total = GENERATED + 2; // the scenario's admin and user, then the generated ones
    expect(run).toMatchObject({ status: "COMPLETED", ok: 1, failed: 0, activeSlot: null, total: 1 });
    expect(state).toMatchObject({
      status: "SUCCEEDED",
      userCount: total,
      lastSyncMode: "full",
      runId: null,
      reasonCode: null,
      progressUsers: total,
      progressPages: 3,
    });
    expect(state.lastSyncAt!.getTime()).toBeGreaterThanOrEqual(before - 1000);
    const counters = (await emu.control.counters()).endpoints;
    // The pages, plus the user count of the sign-in check's Graph probe ($batch).
    expect(counters["graph:/v1.0/users"]).toBe(Math.ceil(total / 999) + 1);
    expect(counters["graph:/v1.0/users/delta"]).toBe(1);

    const stored = await db.tenantUser.findUniqueOrThrow({ where: { tenantId_id: { tenantId: ids[big.index]!, id: gid(40) } } });
    expect(stored).toMatchObject({
      userPrincipalName: `user000040@${big.domain}`,
      displayName: "Ines Costa 40",
      mail: `user000040@${big.domain}`,
      accountEnabled: true,
      userType: "Member",
    });
    expect(await db.tenantUser.findUniqueOrThrow({ where: { tenantId_id: { tenantId: ids[big.index]!, id: gid(24) } } })).toMatchObject({ userType: "Guest" });
    expect(await db.tenantUser.findUniqueOrThrow({ where: { tenantId_id: { tenantId: ids[big.index]!, id: gid(16) } } })).toMatchObject({
      accountEnabled: false,
    });

    const page = await data.listTenantUsers(ids[big.index]!, { q: "USER00004", page: 1, pageSize: 5 });
    expect(page.total).toBe(10);
    expect(page.items.map((u) => u.userPrincipalName)).toEqual([0, 1, 2, 3, 4].map((i) => `user00004${i}@${big.domain}`));
    expect((await data.listTenantUsers(ids[big.index]!, { q: "ines costa 40", page: 1, pageSize: 5 })).items).toHaveLength(1);
    expect(await db.auditEvent.count({ where: { targetId: run.id, action: { in: ["user_sync.started", "user_sync.completed"] } } })).toBe(2);
  });

  it("the next sync follows the delta link: an added, a changed and a removed user", async () => {
    await emu.control.addUser(big.tenantId, {
      id: "cccccccc-0000-4000-8000-0000000000aa",
      userPrincipalName: `new.person@${big.domain}`,
      displayName: "New Person",
    });
    await emu.control.updateUser(big.tenantId, gid(7), { displayName: "Renamed Seven", mail: null });
    await emu.control.removeUser(big.tenantId, gid(8));
    await emu.control.resetCounters();
    const { state } = await sync(big);
    expect(state).toMatchObject({ status: "SUCCEEDED", lastSyncMode: "delta", userCount: GENERATED + 2, progressUsers: 3, progressPages: 1 });
    const counters = (await emu.control.counters()).endpoints;
    expect(counters["graph:/v1.0/users"]).toBe(1);
    const tenantId = ids[big.index]!;
    expect(await db.tenantUser.findUnique({ where: { tenantId_id: { tenantId, id: "cccccccc-0000-4000-8000-0000000000aa" } } })).toMatchObject({
      displayName: "New Person",
      userType: "Member",
    });
    expect(await db.tenantUser.findUnique({ where: { tenantId_id: { tenantId, id: gid(7) } } })).toMatchObject({ displayName: "Renamed Seven", mail: null });
    expect(await db.tenantUser.findUnique({ where: { tenantId_id: { tenantId, id: gid(8) } } })).toBeNull();

    // Nothing changed: one page, no users.
    expect((await sync(big)).state).toMatchObject({ status: "SUCCEEDED", lastSyncMode: "delta", progressUsers: 0, userCount: GENERATED + 2 });
  });

  it.each([400, 410] as const)("a refused delta link (%i) falls back to a full sync, which also drops users it no longer sees", async (status) => {
    const tenantId = ids[big.index]!;
    // A user the console still lists but Graph no longer reports through delta (its deletion predates the new token).
    await db.tenantUser.create({ data: { tenantId, id: "dddddddd-0000-4000-8000-000000000001", userPrincipalName: "ghost@example.com", generation: 0 } });
    await emu.control.invalidateDeltaTokens(big.tenantId, status);
    await emu.control.resetCounters();
    const { state } = await sync(big);
    expect(state).toMatchObject({ status: "SUCCEEDED", lastSyncMode: "full", userCount: GENERATED + 2 });
    expect(await db.tenantUser.findUnique({ where: { tenantId_id: { tenantId, id: "dddddddd-0000-4000-8000-000000000001" } } })).toBeNull();
    const counters = (await emu.control.counters()).endpoints;
    // The refused delta link, then "sync from now" for the new one.
    expect(counters["graph:/v1.0/users/delta"]).toBe(2);
    expect(counters["graph:/v1.0/users"]).toBe(3 + 1);
    expect((await sync(big)).state).toMatchObject({ lastSyncMode: "delta" });
  });

  it("honours Retry-After on a throttled page (429) and completes", async () => {
    // The first Graph read of the sync itself: "sync from now" on /users/delta.
    await emu.control.throttle({ scope: "graph", count: 1, tenantIds: [small.tenantId], endpoint: "graph:/v1.0/users/delta", retryAfterSeconds: 1.5 });
    const t0 = Date.now();
    const { state } = await sync(small);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(1_500);
    expect(state).toMatchObject({ status: "SUCCEEDED", userCount: 2, lastSyncMode: "full" });
    const log = await emu.control.requestLog();
    expect(log.filter((e) => e.endpoint === "graph:/v1.0/users/delta" && e.tenant === small.tenantId).map((e) => e.status)).toEqual([429, 200]);
    expect(log.filter((e) => e.endpoint === "graph:/v1.0/users" && e.tenant === small.tenantId).map((e) => e.status)).toEqual([200]);
    await emu.control.clearFaults();
  });

  it("a Graph refusal is the sync's failure, diagnosed like a verification; the list stays as it was", async () => {
    const { state, run } = await sync(unconsented);
    expect(run).toMatchObject({ status: "COMPLETED", failed: 1, ok: 0 });
    expect(state).toMatchObject({ status: "FAILED", reasonCode: "INSUFFICIENT_PERMISSIONS", userCount: 0, lastSyncAt: null });
    expect(state.message).toBeTruthy();
  });

  it("cancel stops the sync between pages: the run is cancelled, pages written so far stay, the next sync starts over", async () => {
    await emu.control.setLatency({ graph: { fixedMs: 300, jitterMs: 0 } });
    const tenantId = ids[slow.index]!;
    const started = await users.startUserSync(tenantId, { actor, trigger: "manual" });
    await expect.poll(async () => (await data.getUserSyncState(tenantId)).progressPages, { timeout: 15_000 }).toBeGreaterThanOrEqual(1);
    // A second start joins the running sync.
    expect(await users.startUserSync(tenantId, { actor, trigger: "manual" })).toMatchObject({ runId: started.runId, joined: true });
    expect(await users.cancelUserSync(tenantId, { actor })).toBe(true);
    await jobs.jobEngine().waitForRun(started.runId);
    await expect.poll(async () => (await data.getUserSyncState(tenantId)).status).toBe("CANCELLED");
    const state = await data.getUserSyncState(tenantId);
    expect(state).toMatchObject({ runId: null, lastSyncAt: null, userCount: 0 });
    expect(await db.jobRun.findUniqueOrThrow({ where: { id: started.runId } })).toMatchObject({ status: "CANCELLED", activeSlot: null });
    const written = await db.tenantUser.count({ where: { tenantId } });
    expect(written).toBeGreaterThan(0);
    expect(written).toBeLessThan(5_002);
    await emu.control.clearFaults();
    expect((await sync(slow)).state).toMatchObject({ status: "SUCCEEDED", userCount: 5_002, lastSyncMode: "full" });
  });

  it("the schedule syncs every reachable tenant in one run, off by default", async () => {
    expect(await users.userSyncScheduleTick(0)).toBe("idle");
    await db.tenant.updateMany({ data: { lastStatus: "VERIFIED" } });
    await db.tenant.update({ where: { id: ids[unconsented.index]! }, data: { lastStatus: "FAILED" } });
    expect(await users.userSyncScheduleTick(24)).toBe("scheduled");
    const run = await db.jobRun.findFirstOrThrow({ where: { kind: "user-sync", scope: null } });
    expect(run).toMatchObject({ activeSlot: "user-sync", total: 3 });
    await jobs.jobEngine().waitForRun(run.id);
    expect(await db.jobRun.findUniqueOrThrow({ where: { id: run.id } })).toMatchObject({ status: "COMPLETED", ok: 3 });
    expect(await users.userSyncScheduleTick(24)).toBe("idle");
  });
});
