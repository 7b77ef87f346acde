import { spawn } from "node:child_process";
import path from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { RunningEmulator } from "@/emulator/index";
import { testDataDir } from "@/emulator/testing/paths";
import { authorizeWithMsal, buildScenario, FIXTURE, customerFixture, prepareDatabase, seedProvider, seedTenant, type CustomerFixture } from "./testing";

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
    // The driver's process is gone (same host, no such pid): no waiting for its heartbeat to go stale. SIGKILL
    // is delivered at once, but the engine's process (npx's grandchild) may take a moment to die on a busy
    // machine, as a restarted console would find it: look again for a few seconds, far less than the lease.
    await expect.poll(() => runs.resumeInterruptedRuns(), { timeout: 10_000, interval: 100 }).toEqual([runId]);
    await runs.waitForRun(runId);
    const run = await db.jobRun.findUniqueOrThrow({ where: { id: runId } });
    expect(run).toMatchObject({ status: "COMPLETED", activeSlot: null });
    expect(await resultsPerTenant(runId)).toEqual(Array(40).fill(1));
    expect(await db.verificationResult.count({ where: { runId } })).toBe(40);
  }, 60_000);

  it("schedules Verify All after the interval, and redeems refresh tokens that are 30 days idle", async () => {
    const { schedulerTick, getVerificationHistory } = await import("./scheduler");
    expect(await schedulerTick({ intervalHours: 24, keepAlive: false })).toBe("idle");
    await db.appRegistration.updateMany({ data: { clientSecretExpiresAt: null, expiryCheck: null, expiryCheckedAt: null } });
    expect(await schedulerTick({ intervalHours: 24, keepAlive: false }, Date.now() + 25 * 3_600_000)).toBe("scheduled");
    // The scheduled run reads the registrations' credential expiry from Graph first (this scenario's app
    // holds no permission in its home tenant: Graph's 403 leaves the expiry unknown, not an error).
    const registration = await db.appRegistration.findUniqueOrThrow({ where: { id: "provider" } });
    expect(registration).toMatchObject({ expiryCheck: "forbidden", expiryCheckedAt: expect.any(Date), clientSecretExpiresAt: null });
    const active = await runs.getActiveRun();
    expect(active?.trigger).toBe("schedule");
    await runs.waitForRun(active!.id);

    const cache = await authorizeWithMsal(emu.loginUrl, emu.authorityHost, customers[0]!, emu.graphUrl);
    // It replaces the customer's tenant seeded above (one Entra tenant, one customer).
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

  it("rechecks a dead refresh token on the failure policy's backoff, not on every keep-alive tick, and audits only the change", async () => {
    const { schedulerTick } = await import("./scheduler");
    const customer = customers[1]!;
    const cache = await authorizeWithMsal(emu.loginUrl, emu.authorityHost, customer, emu.graphUrl);
    const id = await seedTenant({ customer, method: "AUTH_TOKEN", msalCache: cache });
    await db.tenantCredential.updateMany({ where: { tenantId: id }, data: { expiresAt: new Date(Date.now() + 20 * 86_400_000) } });
    emu.state.revokeUserRefreshTokens(customer.adminUpn);
    const auditBefore = await db.auditEvent.count();
    expect(await schedulerTick({ intervalHours: 0 })).toBe("keepalive");
    await runs.waitForRun((await runs.getActiveRun())!.id);
    const failed = await db.tenant.findUniqueOrThrow({ where: { id } });
    expect(failed).toMatchObject({ lastStatus: "FAILED", failureStreak: 1 });
    expect(failed.nextCheckAt!.getTime() - failed.lastCheckAt!.getTime()).toBe(3_600_000);
    // The next ticks (a minute apart in production) find nothing due: no call, no result, no audit row.
    const tokensBefore = emu.state.getCounters().totals.token;
    for (let tick = 1; tick <= 5; tick++) expect(await schedulerTick({ intervalHours: 0 }, Date.now() + tick * 60_000)).toBe("idle");
    expect(emu.state.getCounters().totals.token).toBe(tokensBefore);
    expect(await db.verificationResult.count({ where: { tenantId: id } })).toBe(1);
    // An automatic run writes no run audit rows; the status change is the one row.
    const audit = await db.auditEvent.findMany({ where: {}, orderBy: { at: "asc" }, skip: auditBefore });
    expect(audit.map((a) => a.action)).toEqual(["tenant.status_changed"]);
    // Once due (an hour later: moved back here, the engine's clock being the real one), the keep-alive checks it again.
    await db.tenant.update({ where: { id }, data: { nextCheckAt: new Date(Date.now() - 1_000) } });
    expect(await schedulerTick({ intervalHours: 0 })).toBe("keepalive");
    await runs.waitForRun((await runs.getActiveRun())!.id);
    expect((await db.tenant.findUniqueOrThrow({ where: { id } })).failureStreak).toBe(2);
  });

  it("leaves tenants on a backoff out of the scheduled Verify All, but not out of one a person starts", async () => {
    const { schedulerTick } = await import("./scheduler");
    const later = new Date(Date.now() + 3_600_000);
    // Tenants of the first seed still there (earlier tests replaced the first two with auth-token tenants).
    const backedOff = tenantIds.slice(2, 7);
    await db.tenant.updateMany({ where: { id: { in: backedOff } }, data: { nextCheckAt: later } });
    try {
      expect(await schedulerTick({ intervalHours: 1, keepAlive: false }, Date.now() + 2 * 3_600_000)).toBe("scheduled");
      const scheduled = (await runs.getActiveRun())!;
      await runs.waitForRun(scheduled.id);
      const due = await db.tenant.count({ where: { OR: [{ nextCheckAt: null }, { nextCheckAt: { lte: new Date() } }] } });
      expect(await db.tenant.count()).toBeGreaterThanOrEqual(due + 5);
      expect((await db.jobRun.findUniqueOrThrow({ where: { id: scheduled.id } })).total).toBe(due);
      expect(await db.verificationResult.count({ where: { runId: scheduled.id, tenantId: { in: backedOff } } })).toBe(0);
      const { run: manual } = await runs.startVerificationRun({ trigger: "manual", requestedBy: "admin@msp.example" });
      await runs.waitForRun(manual.id);
      expect(await db.verificationResult.count({ where: { runId: manual.id, tenantId: { in: backedOff } } })).toBe(5);
      expect((await db.jobRun.findUniqueOrThrow({ where: { id: manual.id } })).total).toBe(await db.tenant.count());
    } finally {
      await db.tenant.updateMany({ where: { id: { in: backedOff } }, data: { nextCheckAt: null } });
    }
  }, 60_000);

  it("stops calling Microsoft once the provider's secret is rejected: one token request, the others blocked by that one cause", async () => {
    const secret = emu.state.findApp(FIXTURE.providerClientId)!.secrets[0]!;
    emu.state.expireSecret(FIXTURE.providerClientId, secret.keyId);
    try {
      emu.state.resetCounters();
      const { run } = await runs.startVerificationRun({ trigger: "manual", requestedBy: "admin@msp.example", concurrency: 16 });
      await runs.waitForRun(run.id);
      const results = await db.verificationResult.groupBy({ by: ["reasonCode"], where: { runId: run.id }, _count: { _all: true } });
      const byReason = Object.fromEntries(results.map((r) => [r.reasonCode, r._count._all]));
      const total = await db.tenant.count();
      // Every tenant of the provider app fails: the canary with the real reason, the rest blocked without a call.
      expect(byReason.SECRET_EXPIRED).toBe(1);
      expect(byReason.APP_CREDENTIAL_BLOCKED).toBeGreaterThanOrEqual(total - 10);
      expect(emu.state.getCounters().totals.token).toBeLessThanOrEqual(10);
      // The credential fixed (here: Microsoft accepts it again), exactly the tenants it failed are verified again.
      emu.state.reset();
      const failedIds = (await db.verificationResult.findMany({ where: { runId: run.id, status: "FAILED" }, select: { tenantId: true } })).map(
        (r) => r.tenantId,
      );
      const again = await runs.reverifyAfterProviderCredential({ registrationId: "provider", requestedBy: "admin@msp.example" });
      expect(again).toMatchObject({ tenants: failedIds.length, joined: false });
      await runs.waitForRun(again!.runId);
      const rerun = await db.jobRun.findUniqueOrThrow({ where: { id: again!.runId } });
      expect((JSON.parse(rerun.scope!) as string[]).sort()).toEqual(failedIds.sort());
      // (The auth-token tenants of earlier tests keep their own problems: their refresh tokens were revoked or rotated.)
      expect(await db.tenant.count({ where: { id: { in: tenantIds }, lastStatus: "FAILED" } })).toBe(0);
    } finally {
      emu.state.reset();
    }
  }, 60_000);
});
