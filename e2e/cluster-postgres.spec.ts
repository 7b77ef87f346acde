import fs from "node:fs";
import path from "node:path";
import { expect, request, test, type APIRequestContext } from "./support/test";
import pg from "pg";
import type { RunningEmulator } from "../emulator/index";
import { generateApiToken } from "../lib/api-tokens/format";
import { createDatabaseClient, type DatabaseClient } from "../lib/db-client";
import { dropSchema, postgresUrlWithSchema, randomSchemaName, testPostgresBaseUrl } from "../lib/testing/postgres";
import { jobSchemaFor } from "../lib/jobs/store-postgres";
import { buildScenario, customerFixture, FIXTURE, seedAppRegistrationTenants, type CustomerFixture } from "../lib/verification/testing";
import { ConsoleInstance, freePort, postgresUnavailable } from "./support/cluster";

/**
 * Issue 9's "done when": two real console instances (`server.ts` on the e2e build) on one fresh
 * PostgreSQL schema, Verify All over a few thousand emulator tenants started through the REST API on
 * instance A, A killed with SIGKILL (its whole process group) while both are working, and the run
 * completed by instance B with every tenant verified exactly once.
 *
 * Everything runs through the real paths: the instances migrate the schema themselves (started
 * together, so the advisory-locked migration runner and pg-boss's installer race), provider settings
 * go through PUT /api/v1/settings/provider, the run through POST /api/v1/verification-runs and its
 * progress through GET on the survivor. Only the API token (its hash) and the tenants are written
 * straight into the database. The spec has an emulator of its own (the shared one on :9443 is left
 * alone), whose CA the instances trust through NODE_EXTRA_CA_CERTS.
 */

const N = 2000;
const CONCURRENCY = 32;
const SEED_BATCH = 500;
const AUTH_SECRET = "e2e-cluster-auth-secret-0123456789abcdefghijklmnop";
const ENCRYPTION_KEY = Buffer.alloc(32, 0x5a).toString("base64");
const EMULATOR_DATA_DIR = path.resolve(".data/e2e-cluster-emulator");

const customers: CustomerFixture[] = Array.from({ length: N }, (_, i) => customerFixture(i + 1));
const rowId = (c: CustomerFixture) => `t-${String(c.index).padStart(5, "0")}`;
const entraTenantOfRow = new Map(customers.map((c) => [rowId(c), c.tenantId]));

const schema = randomSchemaName("tac_e2e_cluster");
const databaseUrl = postgresUrlWithSchema(schema);
const jobSchema = jobSchemaFor(databaseUrl);

let emu: RunningEmulator | undefined;
let db: DatabaseClient | undefined;
let sql: pg.Client | undefined;
let schemaUsed = false;
let passed = false;
const instances: ConsoleInstance[] = [];
const apis: APIRequestContext[] = [];
/** Checks completed at the emulator (Graph answered 200), per Entra tenant id. */
const checksByTenant = new Map<string, number>();

test.describe.configure({ mode: "serial" });

test.afterAll(async () => {
  await Promise.all(instances.map((i) => i.stop()));
  for (const i of instances) {
    if (passed) i.removeDataDir();
    else console.log(`console ${i.name}: output kept in ${i.saveLog()}`);
  }
  for (const a of apis) await a.dispose().catch(() => {});
  await sql?.end().catch(() => {});
  await db?.$disconnect().catch(() => {});
  await emu?.close();
  if (schemaUsed) await dropSchema(schema); // and `<schema>_pgboss` beside it
});

test("two console instances on PostgreSQL: Verify All completes with every tenant verified once after one instance is killed mid-run", async ({}, testInfo) => {
  test.setTimeout(240_000);
  const unavailable = await postgresUnavailable();
  // The list reporter does not print a skip's reason (the HTML report does): say it here too.
  if (unavailable) console.log(`cluster-postgres skipped: ${unavailable}`);
  test.skip(unavailable !== null, unavailable ?? "");
  schemaUsed = true;
  const figures: Record<string, number | string> = { tenants: N, concurrency: CONCURRENCY, schema };

  // The emulator, in this process: a provider app consented in every customer tenant, no latency.
  const { startEmulator } = await import("../emulator/index");
  emu = await startEmulator({ port: 0, graphPort: 0, dataDir: EMULATOR_DATA_DIR, scenario: buildScenario(customers) });
  const record = emu.state.logRequest.bind(emu.state);
  // The request log keeps the last 2,000 entries; every completed check is needed here.
  emu.state.logRequest = (entry) => {
    if (entry.kind === "graph" && entry.status === 200 && entry.tenant) checksByTenant.set(entry.tenant, (checksByTenant.get(entry.tenant) ?? 0) + 1);
    record(entry);
  };

  // Two instances started together on the fresh schema: both run the migrations and install pg-boss at once.
  const [portA, portB] = [await freePort(), await freePort()];
  const env = {
    AUTH_SECRET,
    ENCRYPTION_KEY,
    ENCRYPTION_KEY_ID: "e2e-cluster",
    NODE_EXTRA_CA_CERTS: emu.caCertPath,
    OUTBOUND_ALLOW_HOSTS: `${emu.authorityHost},${emu.graphHost}`,
    VERIFY_SCHEDULE_HOURS: "0",
    VERIFY_CONCURRENCY: String(CONCURRENCY),
    API_RATE_LIMIT_PER_MINUTE: "100000",
    // A short lease: the survivor takes over the killed instance's jobs after 5 s instead of 15.
    VERIFY_LEASE_SECONDS: "5",
    LOG_LEVEL: "warn",
  };
  const startedAt = Date.now();
  const a = new ConsoleInstance({ name: "a", port: portA, databaseUrl, env });
  const b = new ConsoleInstance({ name: "b", port: portB, databaseUrl, env });
  instances.push(a, b);
  await Promise.all([a.waitForHealth(120_000), b.waitForHealth(120_000)]);
  figures.instancesHealthyMs = Date.now() - startedAt;

  sql = new pg.Client({ connectionString: testPostgresBaseUrl });
  sql.on("error", () => {});
  await sql.connect();
  // Each committed migration applied once, by one of the two (the other waited on the advisory lock).
  const committed = fs.readdirSync(path.resolve("prisma/migrations-postgresql"), { withFileTypes: true }).filter((d) => d.isDirectory()).length;
  const applied = await sql.query<{ n: number; names: number }>(
    `SELECT count(*)::int AS n, count(DISTINCT migration_name)::int AS names FROM "${schema}"."_prisma_migrations" WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL`,
  );
  expect(applied.rows[0]).toEqual({ n: committed, names: committed });
  figures.migrations = committed;
  figures.migratedBy =
    instances
      .filter((i) => i.log().includes("[startup] applied migrations"))
      .map((i) => i.name)
      .join(",") || "none logged";

  // An Administrator API token: only its hash is stored, as Settings → API tokens does.
  db = createDatabaseClient(databaseUrl);
  const token = generateApiToken();
  await db.apiToken.create({
    data: {
      id: `e2e-cluster-${token.prefix}`,
      name: "e2e cluster",
      role: "ADMINISTRATOR",
      tokenHash: token.hash,
      prefix: token.prefix,
      createdBy: "e2e",
      expiresAt: new Date(Date.now() + 3_600_000),
    },
  });
  const client = async (instance: ConsoleInstance) => {
    const api = await request.newContext({ baseURL: `${instance.url}/api/v1/`, extraHTTPHeaders: { Authorization: `Bearer ${token.token}` } });
    apis.push(api);
    return api;
  };
  const apiA = await client(a);
  const apiB = await client(b);

  // Provider settings through the REST API of instance A.
  const put = await apiA.put("settings/provider", {
    data: {
      clientId: FIXTURE.providerClientId,
      clientSecret: FIXTURE.providerSecret,
      redirectUrl: `${a.url}/authenticate/OAuth2Callback`,
      cloud: "CUSTOM",
      customAuthorityHost: emu.authorityHost,
      customGraphHost: emu.graphHost,
      tokenVersion: "v2",
      scopes: "User.Read Organization.Read.All",
      requiredAppPermissions: FIXTURE.appPermissions.join(" "),
      requestOfflineAccess: true,
      homeTenantId: FIXTURE.homeTenantId,
    },
  });
  expect(put.status(), await put.text()).toBe(200);
  // Instance B reads the same row.
  const settingsOnB = await apiB.get("settings/provider");
  expect(settingsOnB.status()).toBe(200);
  expect(await settingsOnB.json()).toMatchObject({ configured: true, cloud: "CUSTOM", customGraphHost: emu.graphHost, hasSecret: true });

  // The tenants (application registration), in batches.
  const seedStarted = Date.now();
  await seedAppRegistrationTenants(customers, 5, SEED_BATCH, db);
  figures.seedMs = Date.now() - seedStarted;

  // Verify All on instance A.
  const runStarted = Date.now();
  const started = await apiA.post("verification-runs");
  expect(started.status(), await started.text()).toBe(202);
  const run = (await started.json()) as { id: string; total: number; joined: boolean; status: string };
  expect(run).toMatchObject({ total: N, joined: false, status: "RUNNING" });
  const runId = run.id;

  // Who works on what: the chunks instances hold (job_claim, with each chunk's tenants) sampled until both
  // instances have results in the run and at least a quarter of the tenants are done.
  const seenByInstance = new Map<string, Set<string>>();
  const resultCount = async () =>
    (await sql!.query<{ n: number }>(`SELECT count(*)::int AS n FROM "${schema}"."VerificationResult" WHERE "runId" = $1`, [runId])).rows[0]!.n;
  const verifiedAmong = async (tenantIds: Set<string>) =>
    (
      await sql!.query<{ n: number }>(`SELECT count(*)::int AS n FROM "${schema}"."VerificationResult" WHERE "runId" = $1 AND "tenantId" = ANY($2::text[])`, [
        runId,
        [...tenantIds],
      ])
    ).rows[0]!.n;
  let resultsBeforeKill = 0;
  const deadline = Date.now() + 90_000;
  for (;;) {
    const claims = await sql
      .query<{ instance_id: string; tenant_id: string }>(
        `SELECT c.instance_id, jsonb_array_elements_text(j.data->'ids') AS tenant_id FROM "${jobSchema}".job_claim c JOIN "${jobSchema}".job j ON j.id = c.job_id WHERE c.run_id = $1`,
        [runId],
      )
      .catch(() => ({ rows: [] }));
    for (const c of claims.rows) {
      if (!seenByInstance.has(c.instance_id)) seenByInstance.set(c.instance_id, new Set());
      seenByInstance.get(c.instance_id)!.add(c.tenant_id);
    }
    resultsBeforeKill = await resultCount();
    if (resultsBeforeKill >= N / 4 && seenByInstance.size >= 2) {
      const producing = await Promise.all([...seenByInstance.values()].map(verifiedAmong));
      if (producing.filter((n) => n > 0).length >= 2) break;
    }
    expect(resultsBeforeKill, "the run finished before both instances were seen working on it").toBeLessThan(N);
    expect(Date.now(), `both instances working on the run (${resultsBeforeKill} results, instances seen: ${seenByInstance.size})`).toBeLessThan(deadline);
    await new Promise((r) => setTimeout(r, 50));
  }
  figures.resultsBeforeKill = resultsBeforeKill;
  figures.msToKill = Date.now() - runStarted;

  // Instance A is stopped (SIGSTOP) first, so what it holds at the kill can be read while nothing changes
  // it: the survivor takes a process of its host that is gone over at once, deleting its rows.
  const groupA = a.aliveMembers();
  expect(groupA.map((p) => p.name).join(", "), "the console server runs in instance A's process group").toMatch(/server\.ts/);
  figures.killedProcesses = groupA.map((p) => `${p.pid} ${p.name}`).join("; ");
  await a.freezeGroup();
  // Each instance's row (its pid says which is A), and the chunks each holds with their tenants.
  const instancesAtKill = (await sql.query<{ instance_id: string; pid: number }>(`SELECT instance_id, pid FROM "${jobSchema}".job_instance`)).rows;
  expect(instancesAtKill).toHaveLength(2);
  const pidsOfA = new Set(groupA.map((p) => p.pid));
  const deadInstance = instancesAtKill.find((r) => pidsOfA.has(r.pid))?.instance_id;
  const liveInstance = instancesAtKill.find((r) => !pidsOfA.has(r.pid))?.instance_id;
  expect(deadInstance, `instance A's row among ${JSON.stringify(instancesAtKill)}`).toBeDefined();
  expect(liveInstance, `instance B's row among ${JSON.stringify(instancesAtKill)}`).toBeDefined();
  const claimsAtKill = (
    await sql.query<{ instance_id: string; tenant_id: string }>(
      `SELECT c.instance_id, jsonb_array_elements_text(j.data->'ids') AS tenant_id FROM "${jobSchema}".job_claim c JOIN "${jobSchema}".job j ON j.id = c.job_id WHERE c.run_id = $1`,
      [runId],
    )
  ).rows;
  // SIGKILL to instance A's process group: npx and the console server below it.
  await a.killGroup("SIGKILL");
  const killedAt = Date.now();
  expect(a.aliveMembers()).toEqual([]);
  await expect(fetch(`${a.url}/api/health`, { signal: AbortSignal.timeout(2000) })).rejects.toThrow();
  figures.resultsAtKill = await resultCount();
  expect(figures.resultsAtKill).toBeLessThan(N);

  // The survivor sees A's process gone at its next heartbeat and removes A's row and claims (well before A's lease would expire).
  await expect
    .poll(async () => (await sql!.query<{ instance_id: string }>(`SELECT instance_id FROM "${jobSchema}".job_instance`)).rows.map((r) => r.instance_id), {
      timeout: 10_000,
      intervals: [250],
    })
    .toEqual([liveInstance]);
  const heldByDead = new Set(claimsAtKill.filter((c) => c.instance_id === deadInstance).map((c) => entraTenantOfRow.get(c.tenant_id)!));
  figures.heldByKilledInstance = heldByDead.size;

  // The survivor completes the run; followed through B's REST API.
  type Progress = { status: string; total: number; done: number; verified: number; warnings: number; failed: number; remaining: number };
  let progress: Progress | undefined;
  await expect
    .poll(
      async () => {
        const res = await apiB.get(`verification-runs/${runId}`);
        expect(res.status()).toBe(200);
        progress = (await res.json()) as Progress;
        return progress.status;
      },
      { timeout: 180_000, intervals: [500], message: "the run completes on instance B" },
    )
    .toBe("COMPLETED");
  figures.msFromKillToCompletion = Date.now() - killedAt;
  figures.wallMs = Date.now() - runStarted;
  expect(progress).toMatchObject({ status: "COMPLETED", total: N, done: N, remaining: 0 });
  figures.verified = progress!.verified;
  figures.warnings = progress!.warnings;
  figures.failed = progress!.failed;
  expect(progress!.failed, "no tenant failed").toBe(0);
  const results = await apiB.get(`verification-runs/${runId}/results?pageSize=1`);
  expect(((await results.json()) as { total: number }).total).toBe(N);

  // Exactly one result per tenant, every tenant's last verification recorded, one completion event.
  const counts = await sql.query<{ n: number; tenants: number }>(
    `SELECT count(*)::int AS n, count(DISTINCT "tenantId")::int AS tenants FROM "${schema}"."VerificationResult" WHERE "runId" = $1`,
    [runId],
  );
  expect(counts.rows[0]).toEqual({ n: N, tenants: N });
  const unverified = await sql.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM "${schema}"."Tenant" WHERE "lastVerifiedAt" IS NULL OR "lastVerifiedAt" < $1`,
    [new Date(runStarted - 5000)],
  );
  expect(unverified.rows[0]!.n).toBe(0);
  expect(await db.auditEvent.count({ where: { targetId: runId, action: "verification_run.completed" } })).toBe(1);
  const dbRun = await db.jobRun.findUniqueOrThrow({ where: { id: runId } });
  expect(dbRun).toMatchObject({ status: "COMPLETED", activeSlot: null, total: N });

  // At the emulator: every tenant's check completed, and a second completed check only for a tenant
  // the killed instance held (its check ended in its last moment, its result was never written).
  expect(checksByTenant.size).toBe(N);
  const twice = [...checksByTenant].filter(([, n]) => n > 1).map(([t]) => t);
  expect(
    twice.filter((t) => !heldByDead.has(t)),
    "tenants checked twice that the killed instance did not hold",
  ).toEqual([]);
  figures.checkedTwice = twice.length;

  // Both instances did part of the work (claims sampled before the kill, by instance).
  const [deadSeen, liveSeen] = [
    seenByInstance.get(deadInstance!) ?? new Set<string>(),
    [...seenByInstance].find(([id]) => id !== deadInstance)?.[1] ?? new Set<string>(),
  ];
  figures.sampledClaimsKilledInstance = deadSeen.size;
  figures.sampledClaimsSurvivor = liveSeen.size;

  const summary = `cluster on PostgreSQL: ${N} tenants, 2 instances healthy in ${figures.instancesHealthyMs} ms; ${resultsBeforeKill} results before the kill (${figures.msToKill} ms into the run), ${figures.resultsAtKill} at it; the killed instance held ${heldByDead.size} jobs; completed ${figures.msFromKillToCompletion} ms after the kill, ${figures.wallMs} ms in all; ${figures.verified} verified, ${figures.warnings} warnings, ${figures.failed} failed; checks completed twice: ${twice.length}`;
  console.log(summary);
  console.log(`cluster figures: ${JSON.stringify(figures)}`);
  await testInfo.attach("cluster-figures", { body: JSON.stringify(figures, null, 2), contentType: "application/json" });
  passed = true;
});

test.afterEach(async ({}, testInfo) => {
  if (testInfo.status === testInfo.expectedStatus) return;
  for (const i of instances) await testInfo.attach(`console-${i.name}.log`, { body: i.log().slice(-20_000), contentType: "text/plain" });
});
