import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningEmulator } from "@/emulator/index";
import { testDataDir } from "@/emulator/testing/paths";
import { buildScenario, customerFixture, prepareDatabase, seedProvider, seedTenant, type CustomerFixture } from "@/lib/verification/testing";

type ReloadAll = typeof import("./reload-all");
type Jobs = typeof import("@/lib/jobs");
type Db = (typeof import("@/lib/db"))["db"];

let emu: RunningEmulator;
let reload: ReloadAll;
let jobs: Jobs;
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
  jobs = await import("@/lib/jobs");
  db = (await import("@/lib/db")).db;
  ids = [];
  for (const c of customers) ids.push(await seedTenant({ customer: c, method: "APP_REGISTRATION" }));
  ids.sort();
});

afterAll(async () => {
  await jobs?.stopJobEngine();
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
    expect(names.map((n) => n.displayName)).toEqual(
      ["stale name", "Customer", "Customer", "Customer", "Customer"].map((n, i) => (i === 0 ? n : expect.stringMatching(/^Customer \d$/))),
    );
    expect(await db.jobRun.count({ where: { activeSlot: "reload-directory" } })).toBe(0);
    expect(await db.jobRunItem.count({ where: { runId: first.job.id } })).toBe(0);
    expect(await db.auditEvent.count({ where: { targetId: first.job.id, action: { in: ["directory_reload.started", "directory_reload.completed"] } } })).toBe(
      2,
    );
  });

  it("continues a job whose instance died: the tenants it did are not reloaded again", async () => {
    await markStale();
    const now = Date.now();
    const engine = jobs.jobEngine();
    // Another instance (of another host) did the first two tenants, then died.
    const { STALE_AFTER_MS } = await import("@/lib/jobs/store-embedded");
    const dead = await db.jobRun.create({
      data: {
        id: "dead-instance-job",
        kind: "reload-directory",
        status: "RUNNING",
        activeSlot: "reload-directory",
        trigger: "manual",
        requestedBy: "admin@msp.example",
        total: 5,
        ok: 2,
        concurrency: 2,
        startedAt: new Date(now - 60_000),
        heartbeatAt: new Date(),
        ownerId: "other-host:4242:dead",
      },
    });
    await db.jobRunItem.createMany({ data: ids.slice(0, 2).map((itemId) => ({ runId: dead.id, itemId })) });
    if (engine.store.name === "embedded") {
      // While its heartbeat is fresh, the run stays with it.
      expect(await engine.watch()).toEqual([]);
      expect((await db.jobRun.findUniqueOrThrow({ where: { id: dead.id } })).ownerId).toBe("other-host:4242:dead");
      await db.jobRun.update({ where: { id: dead.id }, data: { heartbeatAt: new Date(now - STALE_AFTER_MS - 1_000) } });
    }
    expect(await engine.watch()).toEqual([dead.id]);
    expect((await reload.activeReloadJob())?.id).toBe(dead.id);
    await reload.waitForReload(dead.id);
    expect(await reload.getReloadJob(dead.id)).toMatchObject({ status: "COMPLETED", total: 5, done: 5, reloaded: 5, failed: 0 });
    const rows = await db.tenant.findMany({ orderBy: { id: "asc" }, select: { displayName: true } });
    // The dead instance's two tenants are not reloaded again; the other three are.
    expect(rows.map((r) => r.displayName)).toEqual([
      "stale name",
      "stale name",
      expect.stringMatching(/^Customer/),
      expect.stringMatching(/^Customer/),
      expect.stringMatching(/^Customer/),
    ]);
  });

  it("gives an Entra tenant to one tenant only: of two known by the domain of one directory, the other fails", async () => {
    // customers[2]'s directory, known twice by its domain (added while the domain could not be resolved).
    const c = customers[2]!;
    await db.tenant.deleteMany({ where: { entraTenantId: c.tenantId } });
    const pair = [await seedTenant({ customer: c, method: "APP_REGISTRATION", entraTenantId: null })];
    pair.push(await seedTenant({ customer: c, method: "APP_REGISTRATION", entraTenantId: null }));
    await markStale();
    const total = await db.tenant.count();
    const { job } = await reload.startReloadAll(actor);
    await reload.waitForReload(job.id);
    // Whether the second read its directory before or after the first stored the id (the unique index
    // then decides), it fails, counted once; the run completes.
    expect(await reload.getReloadJob(job.id)).toMatchObject({ status: "COMPLETED", total, done: total, reloaded: total - 1, failed: 1 });
    const rows = await db.tenant.findMany({ where: { id: { in: pair } }, select: { entraTenantId: true, displayName: true } });
    expect(rows.map((r) => r.entraTenantId).sort()).toEqual([c.tenantId, null]);
    expect(rows.find((r) => r.entraTenantId === null)).toMatchObject({ displayName: "stale name" });
    expect(await db.tenant.count({ where: { entraTenantId: c.tenantId } })).toBe(1);
  });
});
