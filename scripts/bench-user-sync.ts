/**
 * Benchmark of one tenant's user sync against the emulator with injected Graph latency.
 *   npm run bench:user-sync -- [--users 100000] [--graph-latency 100] [--token-latency 0] [--postgres] [--json]
 *
 * A full sync of --users users (generated lazily by the emulator, which runs in its own process), then a
 * second sync that follows the delta link after a few changes. Prints users/s, the Graph page round trips,
 * the physical bound (one round trip per 999 users: ceil(users / 999) × Graph latency), the ratio to it,
 * and the console process's peak RSS growth over its RSS before the sync.
 *
 * --postgres runs on a fresh schema of the PostgreSQL server in BENCH_POSTGRES_URL (default
 * postgresql://postgres@127.0.0.1:5432/test, dropped afterwards).
 */
import { spawnSync } from "node:child_process";
import path from "node:path";
import { parseArgs } from "node:util";

const { values } = parseArgs({
  options: {
    users: { type: "string", default: "100000" },
    "graph-latency": { type: "string", default: "100" },
    "token-latency": { type: "string", default: "0" },
    json: { type: "boolean", default: false },
    postgres: { type: "boolean", default: false },
    serve: { type: "boolean", default: false },
  },
});
const N = Number(values.users);
const graphMs = Number(values["graph-latency"]);
const tokenMs = Number(values["token-latency"]);
const PAGE = 999;
if (values.postgres) {
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
    env: { ...process.env, NODE_EXTRA_CA_CERTS: tls.caCertPath, NODE_ENV: "production", LOG_LEVEL: "error", OUTBOUND_ALLOW_HOSTS: "127.0.0.1" },
  });
  process.exit(child.status ?? 1);
}

const { buildScenario, customerFixture, prepareDatabase, seedProvider, seedTenant } = await import("../lib/verification/testing");
const customer = customerFixture(1);

// The emulator runs in its own process, as Microsoft would: its CPU and memory are not the console's.
if (values.serve) {
  const { startEmulator } = await import("../emulator/index");
  const scenario = buildScenario([customer]);
  scenario.tenants.find((t) => t.id === customer.tenantId)!.generatedUsers = { count: N, seed: "bench" };
  const emu = await startEmulator({ port: 0, graphPort: 0, dataDir: emulatorDataDir, scenario });
  process.send!({ loginUrl: emu.loginUrl, authorityHost: emu.authorityHost, graphHost: emu.graphHost });
  process.on("message", (m) => {
    if (m === "stop") void emu.close().then(() => process.exit(0));
  });
  await new Promise(() => {});
}

const { fork } = await import("node:child_process");
const server = fork(process.argv[1]!, [...process.argv.slice(2), "--serve"], { stdio: "inherit", execArgv: process.execArgv });
const emu = await new Promise<{ loginUrl: string; authorityHost: string; graphHost: string }>((resolve, reject) => {
  server.once("message", (m) => resolve(m as { loginUrl: string; authorityHost: string; graphHost: string }));
  server.once("exit", (code) => reject(new Error(`emulator exited (${code})`)));
});
// The emulator goes with the benchmark, whatever way it ends.
process.on("exit", () => server.kill());
const { EmulatorControlClient } = await import("../emulator/control-client");
const { generatedUserId } = await import("../emulator/directory");
const control = new EmulatorControlClient(emu.loginUrl);
const { dir, url: databaseUrl } = await prepareDatabase("tac-bench-users-");
await seedProvider({ authorityHost: emu.authorityHost, graphHost: emu.graphHost });
const tenantId = await seedTenant({ customer, method: "APP_REGISTRATION" });

const { db } = await import("../lib/db");
const { startUserSync } = await import("../lib/users");
const { getUserSyncState } = await import("../lib/data/users");
const { jobEngine, stopJobEngine } = await import("../lib/jobs");
const { httpCounters, resetHttpCounters } = await import("../lib/entra/http");

await control.setLatency({ token: { fixedMs: tokenMs, jitterMs: 0 }, graph: { fixedMs: graphMs, jitterMs: 0 } });

type Figures = { wallMs: number; pages: number; graphRequests: number; users: number; peakRssGrowthMb: number; mode: string | null; status: string };

async function measure(): Promise<Figures> {
  global.gc?.();
  const baseline = process.memoryUsage().rss;
  let peak = baseline;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 50);
  let lastLine = 0;
  const ticker = setInterval(async () => {
    if (!process.stderr.isTTY || Date.now() - lastLine < 500) return;
    lastLine = Date.now();
    const s = await getUserSyncState(tenantId);
    process.stderr.write(`\r${s.progressUsers} users, ${s.progressPages} pages   `);
  }, 500);
  resetHttpCounters();
  const t0 = performance.now();
  const { runId } = await startUserSync(tenantId, { actor: { type: "system", label: "bench" }, trigger: "manual" });
  await jobEngine().waitForRun(runId);
  const wallMs = performance.now() - t0;
  clearInterval(sampler);
  clearInterval(ticker);
  peak = Math.max(peak, process.memoryUsage().rss);
  const state = await getUserSyncState(tenantId);
  return {
    wallMs: Math.round(wallMs),
    pages: state.progressPages,
    graphRequests: httpCounters.graph,
    users: state.progressUsers,
    peakRssGrowthMb: Math.round(((peak - baseline) / 1024 / 1024) * 10) / 10,
    mode: state.lastSyncMode,
    status: state.status,
  };
}

/**
 * The same pages as bare HTTPS GETs following nextLink, with no sync around them (nothing parsed into
 * rows, nothing written): what this machine and the emulator deliver, so the sync's own overhead can be
 * told apart from the emulator's time to build a page.
 */
async function barePaging() {
  const { sendWithRetry, defaultRetryPolicy } = await import("../lib/entra/http");
  const { bareProviderToken } = await import("../lib/verification/testing");
  const authorization = `Bearer ${await bareProviderToken(emu.loginUrl, customer.tenantId, emu.graphHost)}`;
  let url: string | undefined = `https://${emu.graphHost}/v1.0/users?$select=id,userPrincipalName,displayName,mail,accountEnabled,userType&$top=${PAGE}`;
  let pages = 0;
  const t0 = performance.now();
  while (url) {
    const res = await sendWithRetry({ kind: "graph", flow: "graph", method: "GET", url, policy: defaultRetryPolicy, headers: { authorization } });
    url = (res.body as { "@odata.nextLink"?: string })["@odata.nextLink"];
    pages++;
  }
  return { ms: Math.round(performance.now() - t0), pages };
}

const full = await measure();
// After the sync, so the sync's RSS growth is measured from a process that has not paged yet.
const bare = await barePaging();
const stored = await db.tenantUser.count({ where: { tenantId } });

// A few changes, then the incremental sync.
for (let i = 0; i < 10; i++)
  await control.updateUser(customer.tenantId, generatedUserId("bench", customer.tenantId, (i * 97) % N), { displayName: `Changed ${i}` });
for (let i = 0; i < 5; i++) await control.removeUser(customer.tenantId, generatedUserId("bench", customer.tenantId, Math.floor(N / 2) + i));
const delta = await measure();

const boundMs = Math.ceil(N / PAGE) * graphMs;
const figures = {
  users: N,
  graphLatencyMs: graphMs,
  tokenLatencyMs: tokenMs,
  database: values.postgres ? "postgresql" : "sqlite",
  full: {
    ...full,
    stored,
    usersPerSecond: Math.round(N / (full.wallMs / 1000)),
    pageRoundTrips: full.pages,
    physicalBoundMs: boundMs,
    ratio: Math.round((full.wallMs / boundMs) * 1000) / 1000,
    barePagingMs: bare.ms,
    ratioToBarePaging: Math.round((full.wallMs / bare.ms) * 1000) / 1000,
  },
  delta: { ...delta, changes: delta.users },
  note: "graphRequests counts every Graph request of the sync (the sign-in check's $batch, the delta link, the pages); RSS is the console process's (the emulator runs in another process)",
};

if (values.json) console.log(JSON.stringify(figures));
else {
  console.log(`\nUser sync benchmark: ${N} users, Graph latency ${graphMs} ms, token latency ${tokenMs} ms, ${figures.database}`);
  console.log(
    `  full sync      ${(full.wallMs / 1000).toFixed(2)} s, ${figures.full.usersPerSecond} users/s, ${stored} users stored (${full.status}, ${full.mode})`,
  );
  console.log(`  round trips    ${full.pages} pages of /users ($top=${PAGE}); ${full.graphRequests} Graph requests in all`);
  console.log(`  physical bound ${(boundMs / 1000).toFixed(2)} s  (ceil(${N}/${PAGE}) × ${graphMs} ms)`);
  console.log(`  ratio          ${figures.full.ratio}`);
  console.log(
    `  bare paging    ${(bare.ms / 1000).toFixed(2)} s for the same ${bare.pages} pages as plain GETs (no sync, nothing written): ratio to it ${figures.full.ratioToBarePaging}`,
  );
  console.log(`  peak RSS       +${full.peakRssGrowthMb} MB over the console's RSS before the sync (target < 100 MB)`);
  console.log(
    `  delta sync     ${(delta.wallMs / 1000).toFixed(2)} s, ${delta.users} changes in ${delta.pages} page(s), ${delta.graphRequests} Graph requests (${delta.status}, ${delta.mode}); peak RSS +${delta.peakRssGrowthMb} MB`,
  );
}

server.send("stop");
await stopJobEngine();
await (await import("../lib/db-direct")).closeDirectDatabase();
await db.$disconnect();
if (values.postgres) {
  const { dropTestSchemas } = await import("../lib/testing/postgres");
  await dropTestSchemas();
}
(await import("node:fs")).rmSync(dir, { recursive: true, force: true });
void databaseUrl;
process.exit(0);
