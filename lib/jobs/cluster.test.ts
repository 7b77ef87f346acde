import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningEmulator } from "@/emulator/index";
import { testDataDir } from "@/emulator/testing/paths";
import { dropSchema, testOnPostgres } from "@/lib/testing/postgres";
import { buildScenario, customerFixture, prepareDatabase, seedAppRegistrationTenants, seedProvider, type CustomerFixture } from "@/lib/verification/testing";
import { jobSchemaFor } from "./store-postgres";

/**
 * Two console instances on one PostgreSQL database, each a process of its own running the job engine
 * behind lib/verification/runs (fixtures/instance-child.ts; what server.ts runs, minus the web server,
 * which plays no part in a run). One starts Verify All over a few thousand emulator tenants, both work
 * on it, the starter is killed with SIGKILL mid-run (its whole process group), and the survivor takes over
 * the dead one's chunks (at once: a process of its own host that is gone) and completes the run.
 */

type Db = (typeof import("@/lib/db"))["db"];

const N = 3000;
const LEASE_TTL_MS = 3000;
const customers: CustomerFixture[] = Array.from({ length: N }, (_, i) => customerFixture(i + 1));
const tenantIdOf = (rowId: string) => customers[Number(rowId.slice(2)) - 1]!.tenantId;
let emu: RunningEmulator;
let db: Db;
let databaseUrl: string;
let dataDir: string;
const batchesByTenant = new Map<string, number>();
const children: ChildProcess[] = [];

function startInstance(env: Record<string, string>) {
  const child = spawn(
    "npx",
    ["--no-install", "tsx", "--conditions=react-server", "--tsconfig", "tsconfig.json", path.join("lib", "jobs", "fixtures", "instance-child.ts")],
    {
      cwd: process.cwd(),
      env: { ...process.env, DATABASE_URL: databaseUrl, DATA_DIR: dataDir, NODE_ENV: "test", LEASE_TTL_MS: String(LEASE_TTL_MS), ...env },
      stdio: ["ignore", "pipe", "pipe"],
      // Its own process group: npx, tsx and the node process running the engine die together.
      detached: true,
    },
  );
  children.push(child);
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  const started = new Promise<{ instanceId: string; runId: string }>((resolve, reject) => {
    child.stdout.on("data", () => {
      const m = /instance (\S+) run ([0-9a-f-]{36})/.exec(stdout);
      if (m) resolve({ instanceId: m[1]!, runId: m[2]! });
    });
    child.once("exit", (code) => reject(new Error(`instance exited early (${code}): ${stderr}`)));
  });
  const exited = new Promise<{ code: number | null; stats: { verified: number; released: number } | null }>((resolve) =>
    child.once("exit", (code) => {
      const m = /finished (\{.*\})/.exec(stdout);
      resolve({ code, stats: m ? (JSON.parse(m[1]!) as { verified: number; released: number }) : null });
    }),
  );
  return { child, started, exited, stderr: () => stderr };
}

describe.skipIf(!testOnPostgres)("two console instances, one killed mid-run (PostgreSQL + pg-boss; skipped unless TEST_DATABASE=postgres)", () => {
  beforeAll(async () => {
    const prepared = await prepareDatabase();
    databaseUrl = prepared.url;
    dataDir = prepared.dir;
    const { startEmulator } = await import("@/emulator/index");
    emu = await startEmulator({ port: 0, graphPort: 0, dataDir: testDataDir(), scenario: buildScenario(customers) });
    const record = emu.state.logRequest.bind(emu.state);
    // The emulator keeps the last 2,000 requests; this test needs every completed check.
    emu.state.logRequest = (entry) => {
      if (entry.kind === "graph" && entry.status === 200 && entry.tenant) batchesByTenant.set(entry.tenant, (batchesByTenant.get(entry.tenant) ?? 0) + 1);
      record(entry);
    };
    await seedProvider({ authorityHost: emu.authorityHost, graphHost: emu.graphHost });
    db = (await import("@/lib/db")).db;
    await seedAppRegistrationTenants(customers, 5, 1000);
  }, 120_000);

  afterAll(async () => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) process.kill(-c.pid!, "SIGKILL");
    await emu?.close();
    if (databaseUrl) await dropSchema(jobSchemaFor(databaseUrl));
  });

  it("completes the run with every tenant verified exactly once after the instance that started it is killed", async () => {
    const survivor = startInstance({});
    const starter = startInstance({ START: "1", CONCURRENCY: "16" });
    const [a, b] = await Promise.all([starter.started, survivor.started]);
    expect(b.runId).toBe(a.runId);
    const runId = a.runId;

    await expect.poll(() => db.verificationResult.count({ where: { runId } }), { timeout: 60_000, interval: 50 }).toBeGreaterThanOrEqual(N / 4);
    const schema = jobSchemaFor(databaseUrl);
    const { withPostgres } = await import("@/lib/testing/postgres");
    // What the dead instance held: the tenants of its chunks, in flight, waiting or being written when it
    // died. Read just before the kill and again after it: the survivor hands the dead one's chunks back
    // within a heartbeat (750 ms here) of its death, often before the test sees the process exit.
    const heldNow = () =>
      withPostgres((c) =>
        c.query<{ tenant_id: string }>(
          `SELECT jsonb_array_elements_text(j.data->'ids') AS tenant_id FROM "${schema}".job_claim c JOIN "${schema}".job j ON j.id = c.job_id WHERE c.instance_id = $1`,
          [a.instanceId],
        ),
      );
    const heldBefore = await heldNow();
    process.kill(-starter.child.pid!, "SIGKILL");
    const heldAfter = await heldNow();
    await starter.exited;
    const killedAt = Date.now();
    const heldByDead = new Set([...heldBefore.rows, ...heldAfter.rows].map((r) => tenantIdOf(r.tenant_id)));
    const atKill = await db.verificationResult.count({ where: { runId } });
    expect(atKill).toBeLessThan(N);
    expect((await db.jobRun.findUniqueOrThrow({ where: { id: runId } })).status).toBe("RUNNING");

    const end = await survivor.exited;
    expect(end.code, survivor.stderr()).toBe(0);
    // The dead instance is of this host and its process is gone: the survivor did not wait for its lease.
    const completedAfterMs = Date.now() - killedAt;
    expect(end.stats!.verified).toBeGreaterThan(0);
    expect(end.stats!.verified).toBeLessThan(N);

    const run = await db.jobRun.findUniqueOrThrow({ where: { id: runId } });
    expect(run).toMatchObject({ status: "COMPLETED", activeSlot: null, total: N });
    expect(run.ok + run.warnings + run.failed).toBe(N);
    // One result per tenant, none missing.
    const perTenant = await db.verificationResult.groupBy({ by: ["tenantId"], where: { runId }, _count: { _all: true } });
    expect(perTenant.length).toBe(N);
    expect(perTenant.every((g) => g._count._all === 1)).toBe(true);
    expect(await db.auditEvent.count({ where: { targetId: runId, action: "verification_run.completed" } })).toBe(1);
    // Every tenant's check completed at the emulator; a second completed check is possible only for a
    // tenant the killed instance held, whose check ended in its last moment but was never recorded.
    expect(batchesByTenant.size).toBe(N);
    const twice = [...batchesByTenant].filter(([, n]) => n > 1).map(([t]) => t);
    expect(
      twice.filter((t) => !heldByDead.has(t)),
      `checked twice but not held by the dead instance (it held ${heldByDead.size}: ${heldBefore.rows.length} just before the kill, ${heldAfter.rows.length} just after)`,
    ).toEqual([]);
    console.log(
      `cluster test: ${atKill} results at the kill, the killed instance held ${heldByDead.size} tenants; completed ${completedAfterMs} ms after the kill; survivor verified ${end.stats!.verified}, handed back ${end.stats!.released}; checks completed twice: ${twice.length}`,
    );
  }, 180_000);
});
