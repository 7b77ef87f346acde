import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningEmulator } from "@/emulator/index";
import { testDataDir } from "@/emulator/testing/paths";
import { buildScenario, customerFixture, prepareDatabase, seedProvider, seedTenant, type CustomerFixture } from "@/lib/verification/testing";

type ReloadAll = typeof import("./reload-all");
type Db = typeof import("@/lib/db")["db"];

let emu: RunningEmulator;
let reload: ReloadAll;
let db: Db;
const customers: CustomerFixture[] = Array.from({ length: 5 }, (_, i) => customerFixture(i + 1));
const actor = { type: "system", label: "test" } as const;
let ids: string[];

beforeAll(async () => {
  await prepareDatabase("tac-reload-");
  const { startEmulator } = await import("@/emulator/index");
  emu = await startEmulator({ port: 0, graphPort: 0, dataDir: testDataDir(), scenario: buildScenario(customers) });
  await seedProvider({ authorityHost: emu.authorityHost, graphHost: emu.graphHost });
  reload = await import("./reload-all");
  db = (await import("@/lib/db")).db;
  ids = [];
  for (const c of customers) ids.push(await seedTenant({ customer: c, method: "APP_REGISTRATION" }));
  ids.sort();
});

afterAll(async () => {
  await emu?.close();
});

async function markStale() {
  await db.tenant.updateMany({ data: { displayName: "stale name", lastStatus: "VERIFIED" } });
}

describe("Reload All", () => {
  it("reloads every reachable tenant, keeps progress in the database and lets a second start join", async () => {
    await markStale();
    // Unreachable tenants are left alone.
    await db.tenant.update({ where: { id: ids[0] }, data: { lastStatus: "FAILED" } });
    const first = await reload.startReloadAll(actor);
    const second = await reload.startReloadAll(actor);
    expect(first.joined).toBe(false);
    expect(second).toMatchObject({ joined: true, job: { id: first.job.id } });
    expect(first.job.total).toBe(4);
    await reload.waitForReload(first.job.id);
    const job = await reload.getReloadJob(first.job.id);
    expect(job).toMatchObject({ status: "COMPLETED", total: 4, done: 4, reloaded: 4, failed: 0 });
    const names = await db.tenant.findMany({ orderBy: { id: "asc" }, select: { displayName: true } });
    expect(names.map((n) => n.displayName)).toEqual(["stale name", "Customer", "Customer", "Customer", "Customer"].map((n, i) => (i === 0 ? n : expect.stringMatching(/^Customer \d$/))));
    expect(await db.directoryReload.count({ where: { activeSlot: "active" } })).toBe(0);
  });

  it("continues a job whose driving instance died, from its cursor, when any instance reads it", async () => {
    await markStale();
    const now = Date.now();
    // Another instance did the first two tenants, then died: its heartbeat is older than the stale limit.
    const dead = await db.directoryReload.create({
      data: {
        id: "dead-instance-job", status: "RUNNING", activeSlot: "active", requestedBy: "admin@msp.example", total: 5, done: 2, reloaded: 2,
        cursor: ids[1], startedAt: new Date(now - 60_000), heartbeatAt: new Date(now - reload.RELOAD_STALE_AFTER_MS - 1_000), ownerId: "dead-instance",
      },
    });
    // A fresh heartbeat is not taken over.
    await db.directoryReload.update({ where: { id: dead.id }, data: { heartbeatAt: new Date() } });
    expect((await reload.getReloadJob(dead.id))?.status).toBe("RUNNING");
    expect((await db.directoryReload.findUniqueOrThrow({ where: { id: dead.id } })).ownerId).toBe("dead-instance");

    await db.directoryReload.update({ where: { id: dead.id }, data: { heartbeatAt: new Date(now - reload.RELOAD_STALE_AFTER_MS - 1_000) } });
    expect((await reload.activeReloadJob())?.id).toBe(dead.id);
    await reload.waitForReload(dead.id);
    expect(await reload.getReloadJob(dead.id)).toMatchObject({ status: "COMPLETED", total: 5, done: 5, reloaded: 5, failed: 0 });
    const rows = await db.tenant.findMany({ orderBy: { id: "asc" }, select: { displayName: true } });
    // The dead instance's two tenants are not reloaded again; the other three are.
    expect(rows.map((r) => r.displayName)).toEqual(["stale name", "stale name", expect.stringMatching(/^Customer/), expect.stringMatching(/^Customer/), expect.stringMatching(/^Customer/)]);
  });
});
