import { spawn } from "node:child_process";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningEmulator } from "@/emulator/index";
import { testDataDir } from "@/emulator/testing/paths";
import { dropSchema, testOnPostgres } from "@/lib/testing/postgres";
import { buildScenario, customerFixture, prepareDatabase, seedAppRegistrationTenants, seedProvider, type CustomerFixture } from "@/lib/verification/testing";

/**
 * A console killed in the middle of Verify All and started again with the scheduler off
 * (VERIFY_SCHEDULE_HOURS=0): the run continues as soon as the new process starts, not after the dead
 * one's lease (set to a minute here), and not only at the next scheduled tick. Both processes are real:
 * the first runs the engine, the second the console's own start-up (lib/startup.ts).
 */

type Db = (typeof import("@/lib/db"))["db"];

const N = 40;
const CONCURRENCY = 2;
const customers: CustomerFixture[] = Array.from({ length: N }, (_, i) => customerFixture(i + 1));
let emu: RunningEmulator;
let db: Db;
let databaseUrl: string;
let dataDir: string;
const checks = new Map<string, number>();

function child(fixture: string, env: Record<string, string>) {
  const proc = spawn("npx", ["--no-install", "tsx", "--conditions=react-server", "--tsconfig", "tsconfig.json", fixture], {
    cwd: process.cwd(),
    env: { ...process.env, DATABASE_URL: databaseUrl, DATA_DIR: dataDir, NODE_ENV: "test", VERIFY_SCHEDULE_HOURS: "0", VERIFY_LEASE_SECONDS: "60", ...env },
    stdio: ["ignore", "pipe", "pipe"],
    // Its own process group: npx, tsx and the node process running the engine die together.
    detached: true,
  });
  let stdout = "";
  let stderr = "";
  proc.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
  proc.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => proc.once("exit", resolve));
  return { proc, exited, stdout: () => stdout, stderr: () => stderr };
}

describe(`a console killed mid-run and started again with the scheduler off (${testOnPostgres ? "PostgreSQL" : "SQLite"})`, () => {
  beforeAll(async () => {
    process.env.VERIFY_MAX_RETRIES = "2";
    const prepared = await prepareDatabase("tac-restart-");
    databaseUrl = prepared.url;
    dataDir = prepared.dir;
    const { startEmulator } = await import("@/emulator/index");
    emu = await startEmulator({ port: 0, graphPort: 0, dataDir: testDataDir(), scenario: buildScenario(customers) });
    const record = emu.state.logRequest.bind(emu.state);
    emu.state.logRequest = (entry) => {
      if (entry.kind === "graph" && entry.status === 200 && entry.tenant) checks.set(entry.tenant, (checks.get(entry.tenant) ?? 0) + 1);
      record(entry);
    };
    await seedProvider({ authorityHost: emu.authorityHost, graphHost: emu.graphHost });
    db = (await import("@/lib/db")).db;
    await seedAppRegistrationTenants(customers);
  }, 60_000);

  afterAll(async () => {
    await emu?.close();
    if (testOnPostgres) await dropSchema((await import("./store-postgres")).jobSchemaFor(databaseUrl));
  });

  it("resumes at once and completes, checking again no more tenants than were in flight", async () => {
    emu.state.setLatency({ token: { fixedMs: 150, jitterMs: 0 } });
    const first = child(path.join("lib", "verification", "fixtures", "run-child.ts"), { CHILD_CONCURRENCY: String(CONCURRENCY) });
    await expect.poll(() => /run ([0-9a-f-]{36})/.exec(first.stdout())?.[1], { timeout: 30_000, interval: 50 }).toBeTruthy();
    const runId = /run ([0-9a-f-]{36})/.exec(first.stdout())![1]!;
    await expect.poll(() => db.verificationResult.count({ where: { runId } }), { timeout: 30_000, interval: 50 }).toBeGreaterThanOrEqual(6);
    process.kill(-first.proc.pid!, "SIGKILL");
    await first.exited;
    const atKill = await db.verificationResult.count({ where: { runId } });
    expect(atKill).toBeLessThan(N);
    expect(await db.jobRun.findUniqueOrThrow({ where: { id: runId } })).toMatchObject({ status: "RUNNING" });

    emu.state.setLatency({});
    const restartedAt = Date.now();
    const second = child(path.join("lib", "jobs", "fixtures", "restart-child.ts"), { RUN_ID: runId });
    expect(await second.exited, second.stderr()).toBe(0);
    // The start-up itself took the run over; well within the dead process's one-minute lease.
    expect(second.stdout()).toContain(`[startup] resumed run(s): ${runId}`);
    expect(Date.now() - restartedAt).toBeLessThan(45_000);

    const run = await db.jobRun.findUniqueOrThrow({ where: { id: runId } });
    expect(run).toMatchObject({ status: "COMPLETED", activeSlot: null, total: N });
    expect(run.ok + run.warnings + run.failed).toBe(N);
    const perTenant = await db.verificationResult.groupBy({ by: ["tenantId"], where: { runId }, _count: { _all: true } });
    expect(perTenant.length).toBe(N);
    expect(perTenant.every((g) => g._count._all === 1)).toBe(true);
    // Only the tenants in flight at the kill (at most the concurrency) were checked a second time.
    expect(checks.size).toBe(N);
    expect([...checks.values()].filter((n) => n > 1).length).toBeLessThanOrEqual(CONCURRENCY);
  }, 120_000);
});
