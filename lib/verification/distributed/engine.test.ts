import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { RunningEmulator } from "@/emulator/index";
import type { RequestLogEntry } from "@/emulator/state";
import { testDataDir } from "@/emulator/testing/paths";
import { dropSchema, testOnPostgres } from "@/lib/testing/postgres";
import { buildScenario, customerFixture, prepareDatabase, seedAppRegistrationTenants, seedProvider, type CustomerFixture } from "../testing";

/**
 * Verify All shared by two instances on PostgreSQL. Each "instance" is an engine of its own (own
 * instance id, pg-boss and pool) in this process: A is the process's engine behind lib/verification/runs,
 * B is created here. The two-process test with a killed instance is cluster.test.ts.
 */

type Runs = typeof import("../runs");
type Distributed = typeof import("./index");
type Engine = import("./engine").DistributedEngine;
type Db = typeof import("@/lib/db")["db"];

const N = 120;
const LEASE_TTL_MS = 2_000;
const customers: CustomerFixture[] = Array.from({ length: N }, (_, i) => customerFixture(i + 1));
let emu: RunningEmulator;
let runs: Runs;
let distributed: Distributed;
let db: Db;
let databaseUrl: string;
let log: (RequestLogEntry & { endMs: number })[] = [];
const engines: Engine[] = [];

async function engineB(): Promise<Engine> {
  const e = new distributed.DistributedEngine({ databaseUrl, leaseTtlMs: LEASE_TTL_MS, heartbeatMs: 300, instanceId: `b-${engines.length}` });
  engines.push(e);
  await e.work();
  return e;
}

/** Tenants whose Graph $batch (the last call of a check) succeeded more than once. */
function checksCompletedTwice() {
  const byTenant = new Map<string, number>();
  for (const e of log) if (e.kind === "graph" && e.status === 200 && e.tenant) byTenant.set(e.tenant, (byTenant.get(e.tenant) ?? 0) + 1);
  return { completed: byTenant.size, twice: [...byTenant].filter(([, n]) => n > 1).map(([t]) => t) };
}

/** Most token requests the emulator was serving at one moment. */
function peakConcurrentTokenRequests() {
  const edges = log.filter((e) => e.kind === "token").flatMap((e) => [[e.endMs - e.durationMs, 1] as const, [e.endMs, -1] as const]);
  edges.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let now = 0;
  let peak = 0;
  for (const [, d] of edges) peak = Math.max(peak, (now += d));
  return peak;
}

describe.skipIf(!testOnPostgres)("Verify All across instances (PostgreSQL + pg-boss; skipped unless TEST_DATABASE=postgres)", () => {
  beforeAll(async () => {
    process.env.VERIFY_MAX_RETRIES = "2";
    process.env.VERIFY_TIMEOUT_SECONDS = "5";
    databaseUrl = (await prepareDatabase()).url;
    const { startEmulator } = await import("@/emulator/index");
    emu = await startEmulator({ port: 0, graphPort: 0, dataDir: testDataDir(), scenario: buildScenario(customers) });
    const record = emu.state.logRequest.bind(emu.state);
    emu.state.logRequest = (entry) => {
      log.push({ ...entry, endMs: Date.now() });
      record(entry);
    };
    await seedProvider({ authorityHost: emu.authorityHost, graphHost: emu.graphHost });
    distributed = await import("./index");
    distributed.configureProcessEngine({ leaseTtlMs: LEASE_TTL_MS, heartbeatMs: 300 });
    runs = await import("../runs");
    db = (await import("@/lib/db")).db;
    await seedAppRegistrationTenants(customers);
  });

  afterAll(async () => {
    for (const e of engines) await e.stop();
    const schema = distributed?.processEngine().schema;
    await runs?.releaseRuns();
    await emu?.close();
    if (schema) await dropSchema(schema);
  });

  beforeEach(async () => {
    const active = await runs.getActiveRun();
    if (active) await runs.cancelVerificationRun(active.id);
    for (const e of engines.splice(0)) await e.stop();
    emu.state.clearFaults();
    emu.state.setLatency({});
    log = [];
  });

  async function resultsPerTenant(runId: string) {
    const groups = await db.verificationResult.groupBy({ by: ["tenantId"], where: { runId }, _count: { _all: true } });
    return groups.map((g) => g._count._all);
  }

  it("shares one run between the instances within the run's concurrency, cluster-wide, with progress from the database", async () => {
    const b = await engineB();
    const a = distributed.processEngine();
    emu.state.setLatency({ token: { fixedMs: 40, jitterMs: 0 } });
    const { run } = await runs.startVerificationRun({ trigger: "manual", requestedBy: "admin", concurrency: 6 });
    let peakLocalSum = 0;
    let peakProgress = 0;
    let sawOthers = false;
    let sawRate = false;
    const sampler = setInterval(() => {
      peakLocalSum = Math.max(peakLocalSum, a.localInFlight() + b.localInFlight());
    }, 2);
    const progress = setInterval(() => {
      void runs.getRunProgress(run.id).then((p) => {
        if (p?.status !== "RUNNING") return;
        peakProgress = Math.max(peakProgress, p.inFlight);
        if (p.inFlight > a.localInFlight()) sawOthers = true;
        if (p.ratePerSecond > 0) sawRate = true;
      });
    }, 50);
    await runs.waitForRun(run.id);
    clearInterval(sampler);
    clearInterval(progress);

    expect(peakConcurrentTokenRequests()).toBeLessThanOrEqual(6);
    expect(peakLocalSum).toBeLessThanOrEqual(6);
    expect(peakLocalSum).toBeGreaterThanOrEqual(4);
    // Both instances worked, about evenly (a fair share each once both take part).
    expect(a.stats.verified + b.stats.verified).toBe(N);
    expect(Math.min(a.stats.verified, b.stats.verified)).toBeGreaterThanOrEqual(N / 4);
    // The progress read here counts the other instance's tenants in flight too.
    expect(sawOthers).toBe(true);
    expect(peakProgress).toBeLessThanOrEqual(6);
    expect(sawRate).toBe(true);

    expect(await resultsPerTenant(run.id)).toEqual(Array(N).fill(1));
    expect(checksCompletedTwice()).toEqual({ completed: N, twice: [] });
    const stored = await db.verificationRun.findUniqueOrThrow({ where: { id: run.id } });
    expect(stored).toMatchObject({ status: "COMPLETED", activeSlot: null });
    expect(stored.verified + stored.warnings + stored.failed).toBe(N);
    expect(await db.auditEvent.count({ where: { targetId: run.id, action: "verification_run.completed" } })).toBe(1);
    // getRunProgress shares one read per half second between callers: poll past the cached one.
    await expect.poll(() => runs.getRunProgress(run.id), { timeout: 2_000 }).toMatchObject({ status: "COMPLETED", done: N, inFlight: 0 });
  }, 60_000);

  it("hands the jobs of an instance that died to the others after its lease, and completes the run it started", async () => {
    const b = await engineB();
    const a = distributed.processEngine();
    emu.state.setLatency({ token: { fixedMs: 80, jitterMs: 0 } });
    const { run } = await runs.startVerificationRun({ trigger: "manual", requestedBy: "admin", concurrency: 8 });
    await expect.poll(() => db.verificationResult.count({ where: { runId: run.id } }), { timeout: 20_000, interval: 20 }).toBeGreaterThanOrEqual(16);
    await expect.poll(() => a.localInFlight(), { timeout: 5_000, interval: 5 }).toBeGreaterThan(0);
    await a.crashForTest();
    const crashedAt = Date.now();
    const { rows } = await b.pool.query<{ tenant_id: string }>(`SELECT tenant_id FROM "${b.schema}".verify_claim WHERE instance_id = $1`, [a.instanceId]);
    const heldByDead = new Set(rows.map((r) => customers[Number(r.tenant_id.slice(2)) - 1]!.tenantId));
    expect(heldByDead.size).toBeGreaterThan(0);

    await b.waitForRun(run.id);
    // The dead instance's jobs waited for its lease to run out.
    expect(Date.now() - crashedAt).toBeGreaterThanOrEqual(LEASE_TTL_MS - 500);
    expect(await db.verificationRun.findUniqueOrThrow({ where: { id: run.id } })).toMatchObject({ status: "COMPLETED", activeSlot: null });
    expect(await resultsPerTenant(run.id)).toEqual(Array(N).fill(1));
    expect(await db.auditEvent.count({ where: { targetId: run.id, action: "verification_run.completed" } })).toBe(1);
    const { completed, twice } = checksCompletedTwice();
    expect(completed).toBe(N);
    // Only a tenant whose check finished in the dead instance's last instant, unrecorded, can be checked again.
    for (const t of twice) expect(heldByDead.has(t)).toBe(true);
    await distributed.stopProcessEngine();
  }, 60_000);

  it("cancels on every instance promptly: nothing more is verified or written", async () => {
    const b = await engineB();
    const a = distributed.processEngine();
    emu.state.setLatency({ token: { fixedMs: 150, jitterMs: 0 } });
    const { run } = await runs.startVerificationRun({ trigger: "manual", requestedBy: "admin", concurrency: 8 });
    await expect.poll(() => a.localInFlight() > 0 && b.localInFlight() > 0, { timeout: 10_000, interval: 10 }).toBe(true);
    await expect.poll(() => db.verificationResult.count({ where: { runId: run.id } }), { timeout: 10_000, interval: 20 }).toBeGreaterThanOrEqual(8);
    const cancelledAt = Date.now();
    expect(await runs.cancelVerificationRun(run.id)).toBe(true);
    await expect.poll(() => a.localInFlight() + b.localInFlight(), { timeout: 2_000, interval: 10 }).toBe(0);
    expect(Date.now() - cancelledAt).toBeLessThan(1_500);
    const after = await db.verificationResult.count({ where: { runId: run.id } });
    const tokensAfter = log.filter((e) => e.kind === "token").length;
    await new Promise((r) => setTimeout(r, 600));
    expect(await db.verificationResult.count({ where: { runId: run.id } })).toBe(after);
    expect(log.filter((e) => e.kind === "token").length).toBe(tokensAfter);
    expect(after).toBeLessThan(N);
    expect(await db.verificationRun.findUniqueOrThrow({ where: { id: run.id } })).toMatchObject({ status: "CANCELLED", activeSlot: null });
    const { rows } = await b.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM "${b.schema}".verify_claim WHERE run_id = $1`, [run.id]);
    expect(rows[0]!.n).toBe(0);
  }, 60_000);

  it("ticks the scheduler once per interval cluster-wide, and a scheduled run starts once", async () => {
    const b = await engineB();
    const a = distributed.processEngine();
    let ticksA = 0;
    let ticksB = 0;
    const started = Date.now();
    const stopA = await a.startScheduler(async () => void ticksA++, 1000);
    const stopB = await b.startScheduler(async () => void ticksB++, 1000);
    await new Promise((r) => setTimeout(r, 3_300));
    await stopA();
    await stopB();
    const slots = Math.ceil((Date.now() - started) / 1000) + 1;
    // Each instance offered a tick every half second (over a dozen offers); one per one-second slot ran.
    expect(ticksA + ticksB).toBeGreaterThanOrEqual(2);
    expect(ticksA + ticksB).toBeLessThanOrEqual(slots);

    const { schedulerTick } = await import("../scheduler");
    const later = Date.now() + 48 * 3_600_000;
    const before = await db.verificationRun.count({ where: { trigger: "schedule" } });
    await Promise.all([schedulerTick({ intervalHours: 24, keepAlive: false }, later), schedulerTick({ intervalHours: 24, keepAlive: false }, later)]);
    expect(await db.verificationRun.count({ where: { trigger: "schedule" } })).toBe(before + 1);
    const active = (await runs.getActiveRun())!;
    await runs.waitForRun(active.id);
    expect(await resultsPerTenant(active.id)).toEqual(Array(N).fill(1));
  }, 60_000);
});
