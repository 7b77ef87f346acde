import { spawn } from "node:child_process";
import path from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { RunningEmulator } from "@/emulator/index";
import { testDataDir } from "@/emulator/testing/paths";
import { authorizeWithMsal, buildScenario, customerFixture, prepareDatabase, seedProvider, seedTenant, type CustomerFixture } from "./testing";

type Runs = typeof import("./runs");
type Db = (typeof import("@/lib/db"))["db"];

let emu: RunningEmulator;
let runs: Runs;
let db: Db;
let databaseUrl: string;
let dataDir: string;
const customers: CustomerFixture[] = Array.from({ length: 40 }, (_, i) => customerFixture(i + 1));
const tenantIds: string[] = [];

beforeAll(async () => {
  process.env.VERIFY_MAX_RETRIES = "3";
  process.env.VERIFY_TIMEOUT_SECONDS = "5";
  const prepared = await prepareDatabase();
  databaseUrl = prepared.url;
  dataDir = prepared.dir;
  const { startEmulator } = await import("@/emulator/index");
  emu = await startEmulator({ port: 0, graphPort: 0, dataDir: testDataDir(), scenario: buildScenario(customers) });
  await seedProvider({ authorityHost: emu.authorityHost, graphHost: emu.graphHost });
  runs = await import("./runs");
  db = (await import("@/lib/db")).db;
  for (const c of customers) tenantIds.push(await seedTenant({ customer: c, method: c.index % 10 === 0 ? "PASSWORD" : "APP_REGISTRATION" }));
});

afterAll(async () => {
  await runs?.releaseRuns();
  await emu?.close();
});

beforeEach(async () => {
  emu.state.clearFaults();
  emu.state.resetCounters();
  const active = await runs.getActiveRun();
  if (active) await runs.cancelVerificationRun(active.id);
});

async function resultsPerTenant(runId: string) {
  const groups = await db.verificationResult.groupBy({ by: ["tenantId"], where: { runId }, _count: { _all: true } });
  return groups.map((g) => g._count._all);
}

describe("Verify All", () => {
  it("verifies every tenant once, with bounded concurrency, and completes the run", async () => {
    emu.state.setLatency({ token: { fixedMs: 30, jitterMs: 0 } });
    const { run, joined } = await runs.startVerificationRun({ trigger: "manual", requestedBy: "admin@msp.example.com", concurrency: 8 });
    expect(joined).toBe(false);
    let peakInFlight = 0;
    const unsubscribe = runs.subscribeRunProgress(run.id, (p) => (peakInFlight = Math.max(peakInFlight, p.inFlight)));
    await runs.waitForRun(run.id);
    unsubscribe();
    const progress = (await runs.getRunProgress(run.id))!;
    expect(progress).toMatchObject({ status: "COMPLETED", total: 40, done: 40, remaining: 0, etaSeconds: 0 });
    expect(progress.verified + progress.warnings).toBe(40);
    expect(peakInFlight).toBeLessThanOrEqual(8);
    expect(await resultsPerTenant(run.id)).toEqual(Array(40).fill(1));
    const stored = await db.jobRun.findUniqueOrThrow({ where: { id: run.id } });
    expect(stored).toMatchObject({ activeSlot: null, status: "COMPLETED", ok: progress.verified, warnings: progress.warnings, failed: 0 });
    expect(await db.auditEvent.count({ where: { targetId: run.id, action: { in: ["verification_run.started", "verification_run.completed"] } } })).toBe(2);
    expect(emu.state.getCounters().totals.token).toBe(40);
  });

  it("gives two admins starting at the same moment the same run", async () => {
    const [a, b] = await Promise.all([
      runs.startVerificationRun({ trigger: "manual", requestedBy: "a" }),
      runs.startVerificationRun({ trigger: "manual", requestedBy: "b" }),
    ]);
    expect(a.run.id).toBe(b.run.id);
    expect([a.joined, b.joined].sort()).toEqual([false, true]);
    await runs.waitForRun(a.run.id);
    expect(await db.jobRun.count({ where: { id: a.run.id } })).toBe(1);
  });

  it("waits out Retry-After for a throttled tenant while the others continue", async () => {
    const throttled = customers[0]!.tenantId;
    emu.state.throttle({ scope: "token", tenantIds: [throttled], count: 2, retryAfterSeconds: 0.75 });
    const t0 = Date.now();
    const { run } = await runs.startVerificationRun({ trigger: "manual", requestedBy: "admin", concurrency: 8 });
    await runs.waitForRun(run.id);
    const elapsed = Date.now() - t0;
    const result = await db.verificationResult.findFirstOrThrow({ where: { runId: run.id, tenantId: tenantIds[0] } });
    expect(result.status).not.toBe("FAILED");
    const others = await db.verificationResult.findMany({ where: { runId: run.id, NOT: { tenantId: tenantIds[0] } }, select: { finishedAt: true } });
    // Everyone else finished before the throttled tenant's 1.5 s of waiting was over.
    expect(others.every((o) => o.finishedAt <= result.finishedAt)).toBe(true);
    expect(elapsed).toBeGreaterThanOrEqual(1500);
    expect(JSON.parse(result.details).timings.tokenAttempts).toBe(3);
  });

  it("streams progress as server-sent events until the run ends", async () => {
    const { runProgressEventStream } = await import("./progress-stream");
    emu.state.setLatency({ token: { fixedMs: 50, jitterMs: 0 } });
    const { run } = await runs.startVerificationRun({ trigger: "manual", requestedBy: "admin", concurrency: 4 });
    const reader = runProgressEventStream(run.id).getReader();
    let text = "";
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      text += new TextDecoder().decode(value);
    }
    const events = text
      .split("\n\n")
      .filter((e) => e.startsWith("event: progress"))
      .map((e) => JSON.parse(e.split("data: ")[1]!) as { status: string; done: number });
    expect(events.length).toBeGreaterThanOrEqual(2);
    expect(events.at(-1)).toMatchObject({ status: "COMPLETED", done: 40 });
  });

  it("verifies a selection", async () => {
    const selection = tenantIds.slice(5, 9);
    const { run } = await runs.startVerificationRun({ trigger: "api", requestedBy: "api", tenantIds: selection });
    await runs.waitForRun(run.id);
    const p = (await runs.getRunProgress(run.id))!;
    expect(p).toMatchObject({ total: 4, done: 4, status: "COMPLETED" });
  });

  it("cancels a run: no more results, the slot is free", async () => {
    emu.state.setLatency({ token: { fixedMs: 150, jitterMs: 0 } });
    const { run } = await runs.startVerificationRun({ trigger: "manual", requestedBy: "admin", concurrency: 2 });
    await expect.poll(async () => (await runs.getRunProgress(run.id))!.done, { timeout: 10_000 }).toBeGreaterThanOrEqual(2);
    expect(await runs.cancelVerificationRun(run.id)).toBe(true);
    await runs.waitForRun(run.id);
    const after = await db.verificationResult.count({ where: { runId: run.id } });
    expect(after).toBeLessThan(40);
    await new Promise((r) => setTimeout(r, 400));
    expect(await db.verificationResult.count({ where: { runId: run.id } })).toBe(after);
    expect(await db.jobRun.findUniqueOrThrow({ where: { id: run.id } })).toMatchObject({ status: "CANCELLED", activeSlot: null });
    expect(await runs.getActiveRun()).toBeNull();
  });

  it("reports failures with their reasons in the progress", async () => {
    emu.state.revokeConsent(customers[3]!.tenantId, (await db.appRegistration.findUniqueOrThrow({ where: { id: "provider" } })).clientId!);
    const { run } = await runs.startVerificationRun({ trigger: "manual", requestedBy: "admin", tenantIds: tenantIds.slice(0, 6) });
    const events: string[] = [];
    const unsubscribe = runs.subscribeRunProgress(run.id, (p) => events.push(p.status));
    await runs.waitForRun(run.id);
    await expect.poll(() => events.at(-1), { timeout: 3000 }).toBe("COMPLETED");
    unsubscribe();
    const p = (await runs.getRunProgress(run.id))!;
    expect(p.failed).toBe(1);
    expect(p.recentFailures[0]).toMatchObject({ tenantId: tenantIds[3], reasonCode: "APP_NOT_IN_TENANT" });
    emu.state.grantConsent(
      customers[3]!.tenantId,
      p.recentFailures[0] ? (await db.appRegistration.findUniqueOrThrow({ where: { id: "provider" } })).clientId! : "",
      {
        applicationPermissions: ["Organization.Read.All", "User.Read.All"],
        delegatedPermissions: ["User.Read", "Organization.Read.All", "User.Read.All"],
      },
    );
  });

  it("resumes at once a run whose process was killed: only the tenants in flight are checked again", async () => {
    emu.state.setLatency({ token: { fixedMs: 100, jitterMs: 0 } });
    const child = spawn(
      "npx",
      ["tsx", "--conditions=react-server", "--tsconfig", "tsconfig.json", path.join("lib", "verification", "fixtures", "run-child.ts")],
      {
        cwd: process.cwd(),
        env: { ...process.env, DATABASE_URL: databaseUrl, DATA_DIR: dataDir, CHILD_CONCURRENCY: "2", NODE_ENV: "test" },
        stdio: ["ignore", "pipe", "pipe"],
        // Its own process group: npx, tsx and the node process running the engine die together.
        detached: true,
      },
    );
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const runId = await new Promise<string>((resolve, reject) => {
      child.stdout.on("data", (d: Buffer) => {
        const m = /run ([0-9a-f-]{36})/.exec(d.toString());
        if (m) resolve(m[1]!);
      });
      child.on("exit", (code) => reject(new Error(`child exited early (${code}): ${stderr}`)));
    });
    await expect.poll(() => db.verificationResult.count({ where: { runId } }), { timeout: 20_000, interval: 50 }).toBeGreaterThanOrEqual(6);
    process.kill(-child.pid!, "SIGKILL");
    await new Promise((r) => child.once("exit", r));
    const before = await db.verificationResult.count({ where: { runId } });
    expect(before).toBeLessThan(40);
    expect((await db.jobRun.findUniqueOrThrow({ where: { id: runId } })).status).toBe("RUNNING");

    emu.state.setLatency({});
    // The driver's process is gone (same host, no such pid): no waiting for its heartbeat to go stale.
    expect(await runs.resumeInterruptedRuns()).toEqual([runId]);
    await runs.waitForRun(runId);
    const run = await db.jobRun.findUniqueOrThrow({ where: { id: runId } });
    expect(run).toMatchObject({ status: "COMPLETED", activeSlot: null });
    expect(await resultsPerTenant(runId)).toEqual(Array(40).fill(1));
    expect(await db.verificationResult.count({ where: { runId } })).toBe(40);
  }, 60_000);

  it("schedules Verify All after the interval, and redeems refresh tokens that are 30 days idle", async () => {
    const { schedulerTick, getVerificationHistory } = await import("./scheduler");
    expect(await schedulerTick({ intervalHours: 24, keepAlive: false })).toBe("idle");
    expect(await schedulerTick({ intervalHours: 24, keepAlive: false }, Date.now() + 25 * 3_600_000)).toBe("scheduled");
    const active = await runs.getActiveRun();
    expect(active?.trigger).toBe("schedule");
    await runs.waitForRun(active!.id);

    const cache = await authorizeWithMsal(emu.loginUrl, emu.authorityHost, customers[0]!, emu.graphUrl);
    const id = await seedTenant({ customer: customers[0]!, method: "AUTH_TOKEN", msalCache: cache });
    await db.tenantCredential.updateMany({ where: { tenantId: id }, data: { expiresAt: new Date(Date.now() + 20 * 86_400_000) } });
    expect(await schedulerTick({ intervalHours: 0 })).toBe("keepalive");
    const keepalive = (await runs.getActiveRun())!;
    expect(JSON.parse(keepalive.scope!)).toEqual([id]);
    await runs.waitForRun(keepalive.id);
    const credential = await db.tenantCredential.findFirstOrThrow({ where: { tenantId: id } });
    expect(credential.expiresAt!.getTime()).toBeGreaterThan(Date.now() + 89 * 86_400_000);
    expect(await schedulerTick({ intervalHours: 0 })).toBe("idle");
    const history = await getVerificationHistory(id);
    expect(history[0]).toMatchObject({ runId: keepalive.id, status: "VERIFIED", reasonCode: "VERIFIED" });
  });
});
