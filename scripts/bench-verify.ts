/**
 * Benchmark of Verify All against the emulator with injected latency.
 *   npm run bench:verify -- [--tenants 10000] [--concurrency 64] [--token-latency 200] [--graph-latency 100]
 *   npm run bench:verify -- --postgres [--instances 2] [...]
 *   npm run bench:verify -- --tenants 1000 --secret-expired   (the provider-wide short circuit: token requests sent)
 * Prints wall time, the ideal time (ceil(N / C) × (token latency + one Graph round trip)), their ratio,
 * requests per tenant by kind from the emulator's counters, and peak memory.
 *
 * --postgres runs on a fresh schema of the PostgreSQL server in BENCH_POSTGRES_URL (default
 * postgresql://postgres@127.0.0.1:5432/test, dropped afterwards) with `--instances` console instances,
 * each a process of its own running the engine (lib/jobs/fixtures/instance-child.ts),
 * sharing the run through pg-boss; C is the run's concurrency cluster-wide. CPU and peak RSS are
 * reported per instance.
 */
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import path from "node:path";

const { values } = parseArgs({
  options: {
    tenants: { type: "string", default: "10000" },
    concurrency: { type: "string", default: "64" },
    "token-latency": { type: "string", default: "200" },
    "graph-latency": { type: "string", default: "100" },
    json: { type: "boolean", default: false },
    postgres: { type: "boolean", default: false },
    instances: { type: "string", default: "1" },
    serve: { type: "boolean", default: false },
    seed: { type: "boolean", default: false },
    "secret-expired": { type: "boolean", default: false },
  },
});
const N = Number(values.tenants);
const C = Number(values.concurrency);
const tokenMs = Number(values["token-latency"]);
const graphMs = Number(values["graph-latency"]);
const onPostgres = values.postgres;
const instances = onPostgres ? Math.max(1, Number(values.instances)) : 1;
if (onPostgres) {
  process.env.TEST_DATABASE = "postgres";
  process.env.TEST_POSTGRES_URL ??= process.env.BENCH_POSTGRES_URL ?? "postgresql://postgres@127.0.0.1:5432/test";
}

const { ensureTlsMaterial } = await import("../emulator/certs");
const emulatorDataDir = path.resolve(".data", "emulator-bench");
const tls = ensureTlsMaterial(emulatorDataDir);

// NODE_EXTRA_CA_CERTS is read only at process start: run the benchmark in a child that trusts the emulator's CA.
if (process.env.NODE_EXTRA_CA_CERTS !== tls.caCertPath) {
  const child = spawnSync(process.execPath, [...process.execArgv, ...process.argv.slice(1)], {
    stdio: "inherit",
    // The emulator (its own process, ports chosen at start) listens on 127.0.0.1: the engine may call that host.
    env: { ...process.env, NODE_EXTRA_CA_CERTS: tls.caCertPath, NODE_ENV: "production", LOG_LEVEL: "error", OUTBOUND_ALLOW_HOSTS: "127.0.0.1" },
  });
  process.exit(child.status ?? 1);
}

const { buildScenario, customerFixture, prepareDatabase, seedAppRegistrationTenants, seedProvider } = await import("../lib/verification/testing");
// Fixtures are made where they are needed and dropped: the console process must not hold N of them, or
// its peak RSS would measure the benchmark rather than the engine.
const fixtures = (from: number, count: number) => Array.from({ length: Math.max(0, Math.min(count, N - from)) }, (_, i) => customerFixture(from + i + 1));

// The emulator runs in its own process, as Microsoft would: its CPU must not be charged to the engine.
if (process.argv.includes("--serve")) {
  const { startEmulator } = await import("../emulator/index");
  const emu = await startEmulator({ port: 0, graphPort: 0, dataDir: emulatorDataDir, scenario: buildScenario(fixtures(0, N)) });
  process.send!({ loginUrl: emu.loginUrl, authorityHost: emu.authorityHost, graphHost: emu.graphHost });
  process.on("message", async (m) => {
    if (m === "stop") void emu.close().then(() => process.exit(0));
    if (m === "cpu") process.send!({ cpu: process.cpuUsage() });
    if (m === "expire-provider-secret") {
      const { FIXTURE } = await import("../lib/verification/testing");
      for (const s of emu.state.findApp(FIXTURE.providerClientId)!.secrets) emu.state.expireSecret(FIXTURE.providerClientId, s.keyId);
      process.send!({ expired: true });
    }
  });
  await new Promise(() => {});
}

// The tenants are written by a process of their own (the database is the parent's, in DATABASE_URL): a
// console has its tenants already, so the seed's garbage and heap growth must not count in its RSS.
if (values.seed) {
  for (let from = 0; from < N; from += 5_000) await seedAppRegistrationTenants(fixtures(from, 5_000), 6);
  process.exit(0);
}

const { fork } = await import("node:child_process");
const server = fork(process.argv[1]!, [...process.argv.slice(2), "--serve"], { stdio: "inherit", execArgv: process.execArgv });
const emu = await new Promise<{ loginUrl: string; authorityHost: string; graphHost: string }>((resolve, reject) => {
  server.once("message", (m) => resolve(m as { loginUrl: string; authorityHost: string; graphHost: string }));
  server.once("exit", (code) => reject(new Error(`emulator exited (${code})`)));
});
const { EmulatorControlClient } = await import("../emulator/control-client");
const control = new EmulatorControlClient(emu.loginUrl);
const { dir, url: databaseUrl } = await prepareDatabase("tac-bench-");
// Every connection of the instances carries this application_name (node-postgres takes it from the URL
// over its pools' own), so the benchmark can find their server processes and charge their CPU to the run.
const benchTag = `tac-bench-${process.pid}`;
const instanceUrl = onPostgres ? withApplicationName(databaseUrl, benchTag) : databaseUrl;
await seedProvider({ authorityHost: emu.authorityHost, graphHost: emu.graphHost });

const { db } = await import("../lib/db");
const seedStart = performance.now();
const seeding = spawnSync(process.execPath, [...process.execArgv, process.argv[1]!, ...process.argv.slice(2), "--seed"], {
  stdio: "inherit",
  env: process.env,
});
if (seeding.status !== 0) throw new Error(`seeding the tenants failed (exit ${seeding.status})`);
const seedMs = performance.now() - seedStart;
// A database that has held its tenants for a while has statistics on them (autovacuum); one seeded a
// second ago has none, and its first plans would scan what an index serves.
if (onPostgres) {
  const { postgresConnection } = await import("../lib/db-client");
  await db.$executeRawUnsafe(`ANALYZE "${postgresConnection(databaseUrl).schema}"."Tenant"`);
}

const { startVerificationRun, waitForRun, getRunProgress } = await import("../lib/verification/runs");
const { httpCounters, resetHttpCounters } = await import("../lib/entra/http");
const { msalClientStats } = await import("../lib/entra/msal-clients");

await control.setLatency({ token: { fixedMs: tokenMs, jitterMs: 0 }, graph: { fixedMs: graphMs, jitterMs: 0 } });
const baseline = await baselineRoundTrips();
if (values["secret-expired"]) {
  // After the baseline (which needs a working secret): every tenant of the provider's app now fails the same way.
  await new Promise<void>((resolve) => {
    server.once("message", () => resolve());
    server.send("expire-provider-secret");
  });
}
await control.resetCounters();
resetHttpCounters();

/**
 * The same two round trips per tenant (token, Graph $batch) as bare HTTPS calls with no engine around
 * them, at the same concurrency: what this machine delivers, so the engine's own overhead can be told
 * apart from a busy host's scheduling delays.
 */
async function baselineRoundTrips(warmRounds = Math.ceil(1000 / C), rounds = Math.ceil(1500 / C)) {
  const { sendWithRetry, defaultRetryPolicy } = await import("../lib/entra/http");
  const { bareProviderToken } = await import("../lib/verification/testing");
  const tokenTimes: number[] = [];
  const graphTimes: number[] = [];
  const roundTrip = async (n: number, measured: boolean) => {
    const c = customerFixture((n % N) + 1);
    let t = performance.now();
    const token = await bareProviderToken(emu.loginUrl, c.tenantId, emu.graphHost);
    if (measured) tokenTimes.push(performance.now() - t);
    t = performance.now();
    await sendWithRetry({
      kind: "graph",
      flow: "graph",
      method: "POST",
      url: `https://${emu.graphHost}/v1.0/$batch`,
      policy: defaultRetryPolicy,
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify({
        requests: [
          { id: "1", method: "GET", url: "/organization" },
          { id: "2", method: "GET", url: "/users?$top=1" },
        ],
      }),
    });
    if (measured) graphTimes.push(performance.now() - t);
  };
  const runRounds = (from: number, count: number, measured: boolean) =>
    Promise.all(
      Array.from({ length: C }, async (_, w) => {
        for (let r = from; r < from + count; r++) await roundTrip(w * (warmRounds + rounds) + r, measured);
      }),
    );
  // The first rounds open the connections (TLS handshakes) and warm the JIT; only the later ones are measured.
  await runRounds(0, warmRounds, false);
  // The console's CPU for the measured rounds: what the two HTTPS round trips of a tenant cost on this
  // transport with no engine, no msal-node and no database, the floor under the engine's CPU per tenant.
  const cpu = process.cpuUsage();
  await runRounds(warmRounds, rounds, true);
  const used = process.cpuUsage(cpu);
  const mean = (xs: number[]) => Math.round((xs.reduce((a, b) => a + b, 0) / xs.length) * 10) / 10;
  return {
    tokenMs: mean(tokenTimes),
    graphMs: mean(graphTimes),
    cpuMsPerTenant: Math.round(((used.user + used.system) / 1000 / tokenTimes.length) * 100) / 100,
    systemMsPerTenant: Math.round((used.system / 1000 / tokenTimes.length) * 100) / 100,
  };
}

const emulatorCpu = () =>
  new Promise<NodeJS.CpuUsage>((resolve) => {
    server.once("message", (m) => resolve((m as { cpu: NodeJS.CpuUsage }).cpu));
    server.send("cpu");
  });
const emuCpu0 = await emulatorCpu();
const { monitorEventLoopDelay } = await import("node:perf_hooks");
const loopDelay = monitorEventLoopDelay({ resolution: 10 });
loopDelay.enable();
const cpu0 = process.cpuUsage();
global.gc?.();
const rssAtStart = process.memoryUsage().rss;
let peakRss = rssAtStart;
let peakHeap = process.memoryUsage().heapUsed;
const sampler = setInterval(() => {
  const m = process.memoryUsage();
  peakRss = Math.max(peakRss, m.rss);
  peakHeap = Math.max(peakHeap, m.heapUsed);
}, 250);
let lastLine = 0;
const cluster = onPostgres ? await startInstances() : null;
const server0 = onPostgres ? await postgresServerSample() : null;
const backendCpu = onPostgres ? backendCpuSampler() : null;
const t0 = performance.now();
const { run } = cluster ? await cluster.start() : await startVerificationRun({ trigger: "cli", requestedBy: "bench", concurrency: C });
const ticker = setInterval(async () => {
  if (!process.stderr.isTTY) return;
  const p = await getRunProgress(run.id);
  if (p && Date.now() - lastLine > 500) {
    lastLine = Date.now();
    process.stderr.write(`\r${p.done}/${p.total}  ${p.ratePerSecond}/s  eta ${p.etaSeconds ?? "?"}s   `);
  }
}, 500);
const instanceFigures = cluster ? await cluster.finished() : null;
const serverFigures = server0 && backendCpu ? await postgresServerFigures(server0, backendCpu) : null;
if (!cluster) await waitForRun(run.id);
const inProcessWallMs = performance.now() - t0;
const cpu = process.cpuUsage(cpu0);
const finishedRun = await db.jobRun.findUniqueOrThrow({ where: { id: run.id } });
// On PostgreSQL the run's own start and end (written by the instances); in-process, this clock.
const wallMs = cluster ? finishedRun.finishedAt!.getTime() - finishedRun.startedAt.getTime() : inProcessWallMs;
loopDelay.disable();
const eventLoopDelayMs = {
  p50: Math.round(loopDelay.percentile(50) / 1e5) / 10,
  p99: Math.round(loopDelay.percentile(99) / 1e5) / 10,
  max: Math.round(loopDelay.max / 1e5) / 10,
};
const emuCpu1 = await emulatorCpu();
const consoleCpuMs = instanceFigures ? instanceFigures.reduce((a, f) => a + f.cpuMs, 0) : (cpu.user + cpu.system) / 1000;
// Kernel time: on loopback a socket write also runs the receiving side's network path (the emulator's,
// PostgreSQL's), which is charged to the sender.
const consoleSystemMs = instanceFigures ? instanceFigures.reduce((a, f) => a + f.systemMs, 0) : cpu.system / 1000;
const cpuMsPerTenant = {
  console: Math.round((consoleCpuMs / N) * 100) / 100,
  consoleSystem: Math.round((consoleSystemMs / N) * 100) / 100,
  emulator: Math.round(((emuCpu1.user - emuCpu0.user + emuCpu1.system - emuCpu0.system) / 1000 / N) * 100) / 100,
};
const { loadavg, cpus } = await import("node:os");
clearInterval(ticker);
clearInterval(sampler);
peakRss = Math.max(peakRss, process.memoryUsage().rss);

const progress = (await getRunProgress(run.id))!;
const timingRows = await db.verificationResult.findMany({
  where: { runId: run.id },
  select: { details: true, durationMs: true, startedAt: true, finishedAt: true },
});
const avg = (xs: number[]) => Math.round((xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length)) * 10) / 10;
const timings = timingRows.map((r) => (JSON.parse(r.details) as { timings: { tokenMs?: number; graphMs?: number } }).timings);
const perTenantMs = {
  total: avg(timingRows.map((r) => r.durationMs)),
  token: avg(timings.map((t) => t.tokenMs ?? 0)),
  graph: avg(timings.map((t) => t.graphMs ?? 0)),
};
const firstStart = Math.min(...timingRows.map((r) => r.startedAt.getTime()));
const startupMs = cluster ? firstStart - finishedRun.startedAt.getTime() : Math.round(firstStart - (performance.timeOrigin + t0));
const totals = (await control.counters()).totals;
const idealMs = Math.ceil(N / C) * (tokenMs + graphMs);
const machineIdealMs = Math.round(Math.ceil(N / C) * (baseline.tokenMs + baseline.graphMs));
const figures = {
  tenants: N,
  concurrency: C,
  tokenLatencyMs: tokenMs,
  graphLatencyMs: graphMs,
  seedMs: Math.round(seedMs),
  wallMs: Math.round(wallMs),
  idealMs,
  ratio: Math.round((wallMs / idealMs) * 1000) / 1000,
  baselineRoundTripMs: baseline,
  machineIdealMs,
  ratioToMachineIdeal: Math.round((wallMs / machineIdealMs) * 1000) / 1000,
  status: progress.status,
  verified: progress.verified,
  warnings: progress.warnings,
  failed: progress.failed,
  emulatorRequests: { token: totals.token, graph: totals.graph, discovery: totals.discovery },
  perTenant: {
    token: Math.round((totals.token / N) * 1000) / 1000,
    graph: Math.round((totals.graph / N) * 1000) / 1000,
    discovery: Math.round((totals.discovery / N) * 10000) / 10000,
  },
  clientRetries: httpCounters.retries,
  averageTenantMs: perTenantMs,
  cpuMsPerTenant,
  eventLoopDelayMs,
  machine: { cores: cpus().length, loadAverage1m: Math.round(loadavg()[0]! * 100) / 100 },
  startupMs: Math.round(startupMs),
  msalClients: msalClientStats(),
  peakRssMb: Math.round(peakRss / 1024 / 1024),
  rssAtStartMb: Math.round(rssAtStart / 1024 / 1024),
  peakHeapMb: Math.round(peakHeap / 1024 / 1024),
  note: "peak RSS of the console process (the emulator runs in a separate process)",
  database: onPostgres ? "postgresql" : "sqlite",
  instances:
    instanceFigures?.map((f) => ({
      verified: f.verified,
      released: f.released,
      cpuMsPerTenant: Math.round((f.cpuMs / N) * 100) / 100,
      statementsPerTenant: Math.round((f.statements / N) * 100) / 100,
      peakRssMb: f.peakRssMb,
    })) ?? null,
  postgresServer: serverFigures,
};
if (values.json) {
  console.log(JSON.stringify(figures));
} else {
  console.log(
    `\nVerify All benchmark: ${N} tenants, concurrency ${C}, token ${tokenMs} ms, Graph ${graphMs} ms; ${onPostgres ? `PostgreSQL, ${instances} instance(s)` : "SQLite, in-process"}`,
  );
  console.log(`  wall time     ${(wallMs / 1000).toFixed(2)} s`);
  console.log(`  ideal time    ${(idealMs / 1000).toFixed(2)} s  (ceil(${N}/${C}) × (${tokenMs} + ${graphMs}) ms)`);
  console.log(`  ratio         ${figures.ratio}  (target ≤ 1.2)`);
  console.log(
    `  bare calls    token ${baseline.tokenMs} ms, Graph ${baseline.graphMs} ms on this machine at concurrency ${C} (no engine); console CPU ${baseline.cpuMsPerTenant} ms per tenant for the two calls (${baseline.systemMsPerTenant} ms of it kernel)`,
  );
  console.log(`  vs bare calls ideal ${(machineIdealMs / 1000).toFixed(2)} s, ratio ${figures.ratioToMachineIdeal}`);
  console.log(`  outcome       ${progress.verified} verified, ${progress.warnings} warnings, ${progress.failed} failed (${progress.status})`);
  console.log(
    `  per tenant    token ${figures.perTenant.token}, Graph ${figures.perTenant.graph}, discovery ${figures.perTenant.discovery} (${totals.discovery} in total)`,
  );
  console.log(`  retries       ${httpCounters.retries}`);
  if (values["secret-expired"])
    console.log(
      `  short circuit provider secret expired: ${totals.token} token request(s) for ${N} tenants (target ≤ 10); ${progress.failed} failed, of which blocked without a call: ${N - totals.token}`,
    );
  console.log(
    `  per tenant ms total ${perTenantMs.total}, token ${perTenantMs.token}, Graph ${perTenantMs.graph}; first tenant started after ${figures.startupMs} ms`,
  );
  if (figures.instances) {
    console.log(
      `  CPU / tenant  console ${cpuMsPerTenant.console} ms (all instances; ${cpuMsPerTenant.consoleSystem} ms of it kernel), emulator ${cpuMsPerTenant.emulator} ms; machine ${figures.machine.cores} cores, load average ${figures.machine.loadAverage1m}`,
    );
    figures.instances.forEach((f, i) =>
      console.log(
        `  instance ${i + 1}    verified ${f.verified}, handed back ${f.released}, CPU / tenant ${f.cpuMsPerTenant} ms, SQL statements / tenant ${f.statementsPerTenant}, peak RSS ${f.peakRssMb} MB`,
      ),
    );
    if (serverFigures)
      console.log(
        `  PostgreSQL    server CPU / tenant ${serverFigures.cpuMsPerTenant} ms (${serverFigures.backends} backends of the instances), rows read / tenant ${serverFigures.rowsReadPerTenant} (${Object.entries(
          serverFigures.rowsReadPerTenantByTable,
        )
          .map(([t, n]) => `${t} ${n}`)
          .join(", ")})`,
      );
  } else {
    console.log(`  MSAL clients  ${figures.msalClients.created} created`);
    console.log(
      `  CPU / tenant  console ${cpuMsPerTenant.console} ms (${cpuMsPerTenant.consoleSystem} ms of it kernel), emulator ${cpuMsPerTenant.emulator} ms; machine ${figures.machine.cores} cores, load average ${figures.machine.loadAverage1m}`,
    );
    console.log(`  event loop    delay p50 ${eventLoopDelayMs.p50} ms, p99 ${eventLoopDelayMs.p99} ms, max ${eventLoopDelayMs.max} ms (console process)`);
    console.log(
      `  peak RSS      ${figures.peakRssMb} MB (${figures.note}); ${figures.rssAtStartMb} MB when the run started, peak JS heap ${figures.peakHeapMb} MB`,
    );
  }
}
server.send("stop");
await db.$disconnect();
if (onPostgres) {
  const { dropTestSchemas, dropSchema } = await import("../lib/testing/postgres");
  const { jobSchemaFor } = await import("../lib/jobs/store-postgres");
  await dropSchema(jobSchemaFor(databaseUrl));
  await dropTestSchemas();
}
(await import("node:fs")).rmSync(dir, { recursive: true, force: true });
process.exit(0);

type InstanceFigures = { verified: number; released: number; cpuMs: number; systemMs: number; statements: number; peakRssMb: number };

function withApplicationName(url: string, name: string) {
  const u = new URL(url);
  u.searchParams.set("application_name", name);
  return u.toString();
}

/** Rows read (sequential and index fetches) on the run's tables: the application's schema and its job schema. */
async function postgresServerSample() {
  const { withPostgres } = await import("../lib/testing/postgres");
  const { postgresConnection } = await import("../lib/db-client");
  const { jobSchemaFor } = await import("../lib/jobs/store-postgres");
  const schemas = [postgresConnection(databaseUrl).schema, jobSchemaFor(databaseUrl)];
  return withPostgres(async (c) => {
    const { rows } = await c.query<{ name: string; read: string }>(
      "SELECT schemaname || '.' || relname AS name, (seq_tup_read + coalesce(idx_tup_fetch, 0))::text AS read FROM pg_stat_user_tables WHERE schemaname = ANY($1)",
      [schemas],
    );
    const byTable = new Map(rows.map((r) => [r.name.replace(/^[^.]*_pgboss\./, "pgboss.").replace(/^[^.]*\./, ""), Number(r.read)]));
    return { rowsRead: [...byTable.values()].reduce((a, b) => a + b, 0), byTable };
  });
}

/**
 * CPU of the PostgreSQL server processes serving the instances (found by application_name), read from
 * /proc every 250 ms: the server runs on this machine. A backend's CPU before the run is not counted.
 */
function backendCpuSampler() {
  const ticksPerSecond = 100;
  const first = new Map<number, number>();
  const last = new Map<number, number>();
  let baselineTaken = false;
  const read = (pid: number) => {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      return Number(fields[11]) + Number(fields[12]);
    } catch {
      return null;
    }
  };
  const sample = async () => {
    const { withPostgres } = await import("../lib/testing/postgres");
    const pids = await withPostgres(
      async (c) => (await c.query<{ pid: number }>("SELECT pid FROM pg_stat_activity WHERE application_name = $1", [benchTag])).rows,
    );
    for (const { pid } of pids) {
      const ticks = read(pid);
      if (ticks === null) continue;
      // A backend seen for the first time after the run started was opened during it: all its CPU counts.
      if (!first.has(pid)) first.set(pid, baselineTaken ? 0 : ticks);
      last.set(pid, ticks);
    }
  };
  const ready = sample().then(() => (baselineTaken = true));
  const timer = setInterval(() => void sample().catch(() => {}), 250);
  return {
    async stop() {
      await ready;
      clearInterval(timer);
      let ticks = 0;
      for (const [pid, t] of last) ticks += t - (first.get(pid) ?? 0);
      return { cpuMs: (ticks * 1000) / ticksPerSecond, backends: last.size };
    },
  };
}

async function postgresServerFigures(before: { rowsRead: number; byTable: Map<string, number> }, cpu: ReturnType<typeof backendCpuSampler>) {
  const { cpuMs, backends } = await cpu.stop();
  // Backends report their table statistics at most once a second.
  await new Promise((r) => setTimeout(r, 1_500));
  const after = await postgresServerSample();
  return {
    cpuMsPerTenant: Math.round((cpuMs / N) * 100) / 100,
    backends,
    rowsReadPerTenant: Math.round(((after.rowsRead - before.rowsRead) / N) * 100) / 100,
    rowsReadPerTenantByTable: Object.fromEntries(
      [...after.byTable]
        .map(([table, read]) => [table, Math.round(((read - (before.byTable.get(table) ?? 0)) / N) * 100) / 100] as const)
        .filter(([, perTenant]) => perTenant >= 0.01)
        .sort((a, b) => b[1] - a[1]),
    ),
  };
}

/**
 * Starts the console instances (the first one starts the run when told to) and waits until each has
 * its engine up, so the measured run does not include their start-up.
 */
async function startInstances() {
  const { spawn } = await import("node:child_process");
  const fixture = path.join("lib", "jobs", "fixtures", "instance-child.ts");
  const children = Array.from({ length: instances }, (_, i) => {
    // BENCH_CPU_PROF=<dir>: a CPU profile of each instance (node --cpu-prof), for `node --cpu-prof` analysis.
    const profile = process.env.BENCH_CPU_PROF ? ["--cpu-prof", `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : [];
    const child = spawn(process.execPath, [...profile, ...process.execArgv, fixture], {
      env: {
        ...process.env,
        DATABASE_URL: instanceUrl,
        COUNT_STATEMENTS: "1",
        DATA_DIR: dir,
        CONCURRENCY: String(C),
        START: i === 0 ? "1" : "0",
        WAIT_FOR_START: "1",
      },
      stdio: ["pipe", "pipe", "inherit"],
    });
    let out = "";
    const ready = new Promise<void>((resolve, reject) => {
      child.stdout.on("data", (d: Buffer) => {
        out += d.toString();
        if (out.includes("ready\n")) resolve();
      });
      child.once("exit", (code) => reject(new Error(`instance ${i + 1} exited (${code})`)));
    });
    const finished = new Promise<InstanceFigures>((resolve, reject) =>
      child.once("exit", (code) => {
        const m = /finished (\{.*\})/.exec(out);
        if (m) resolve(JSON.parse(m[1]!) as InstanceFigures);
        else reject(new Error(`instance ${i + 1} exited (${code}) without figures`));
      }),
    );
    return { child, ready, finished, out: () => out };
  });
  await Promise.all(children.map((c) => c.ready));
  return {
    async start() {
      children[0]!.child.stdin.write("start\n");
      for (;;) {
        const active = await db.jobRun.findFirst({ where: { requestedBy: "cluster-test" }, orderBy: { startedAt: "desc" } });
        if (active) return { run: active };
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    finished: () => Promise.all(children.map((c) => c.finished)),
  };
}
