/**
 * Benchmark of Verify All against the emulator with injected latency.
 *   npm run bench:verify -- [--tenants 10000] [--concurrency 64] [--token-latency 200] [--graph-latency 100]
 * Prints wall time, the ideal time (ceil(N / C) × (token latency + one Graph round trip)), their ratio,
 * requests per tenant by kind from the emulator's counters, and peak memory.
 */
import { spawnSync } from "node:child_process";
import { parseArgs } from "node:util";
import path from "node:path";

const { values } = parseArgs({
  options: {
    tenants: { type: "string", default: "10000" },
    concurrency: { type: "string", default: "64" },
    "token-latency": { type: "string", default: "200" },
    "graph-latency": { type: "string", default: "100" },
    json: { type: "boolean", default: false },
    serve: { type: "boolean", default: false },
  },
});
const N = Number(values.tenants);
const C = Number(values.concurrency);
const tokenMs = Number(values["token-latency"]);
const graphMs = Number(values["graph-latency"]);

const { ensureTlsMaterial } = await import("../emulator/certs");
const emulatorDataDir = path.resolve(".data", "emulator-bench");
const tls = ensureTlsMaterial(emulatorDataDir);

// NODE_EXTRA_CA_CERTS is read only at process start: run the benchmark in a child that trusts the emulator's CA.
if (process.env.NODE_EXTRA_CA_CERTS !== tls.caCertPath) {
  const child = spawnSync(process.execPath, [...process.execArgv, ...process.argv.slice(1)], {
    stdio: "inherit",
    env: { ...process.env, NODE_EXTRA_CA_CERTS: tls.caCertPath, NODE_ENV: "production", LOG_LEVEL: "error" },
  });
  process.exit(child.status ?? 1);
}

const { buildScenario, customerFixture, prepareDatabase, seedProvider } = await import("../lib/verification/testing");
const customers = Array.from({ length: N }, (_, i) => customerFixture(i + 1));

// The emulator runs in its own process, as Microsoft would: its CPU must not be charged to the engine.
if (process.argv.includes("--serve")) {
  const { startEmulator } = await import("../emulator/index");
  const emu = await startEmulator({ port: 0, graphPort: 0, dataDir: emulatorDataDir, scenario: buildScenario(customers) });
  process.send!({ loginUrl: emu.loginUrl, authorityHost: emu.authorityHost, graphHost: emu.graphHost });
  process.on("message", (m) => {
    if (m === "stop") void emu.close().then(() => process.exit(0));
    if (m === "cpu") process.send!({ cpu: process.cpuUsage() });
  });
  await new Promise(() => {});
}

const { fork } = await import("node:child_process");
const server = fork(process.argv[1]!, [...process.argv.slice(2), "--serve"], { stdio: "inherit", execArgv: process.execArgv });
const emu = await new Promise<{ loginUrl: string; authorityHost: string; graphHost: string }>((resolve, reject) => {
  server.once("message", (m) => resolve(m as { loginUrl: string; authorityHost: string; graphHost: string }));
  server.once("exit", (code) => reject(new Error(`emulator exited (${code})`)));
});
const { EmulatorControlClient } = await import("../emulator/control-client");
const control = new EmulatorControlClient(emu.loginUrl);
const { dir } = await prepareDatabase("tac-bench-");
await seedProvider({ authorityHost: emu.authorityHost, graphHost: emu.graphHost });

const { db } = await import("../lib/db");
const seedStart = performance.now();
for (let i = 0; i < N; i += 500) {
  await db.tenant.createMany({
    data: customers.slice(i, i + 500).map((c) => ({
      id: `t-${String(c.index).padStart(6, "0")}`,
      customerId: `C${String(c.index).padStart(6, "0")}`,
      displayName: `Customer ${c.index}`,
      entraTenantId: c.tenantId,
      primaryDomain: c.domain,
      adminEmail: c.adminUpn,
      authMethod: "APP_REGISTRATION" as const,
      cloud: "CUSTOM" as const,
    })),
  });
}
const seedMs = performance.now() - seedStart;

const { startVerificationRun, waitForRun, getRunProgress } = await import("../lib/verification/runs");
const { httpCounters, resetHttpCounters } = await import("../lib/entra/http");
const { msalClientStats } = await import("../lib/entra/msal-clients");

await control.setLatency({ token: { fixedMs: tokenMs, jitterMs: 0 }, graph: { fixedMs: graphMs, jitterMs: 0 } });
const baseline = await baselineRoundTrips();
await control.resetCounters();
resetHttpCounters();

/**
 * The same two round trips per tenant (token, Graph $batch) as bare HTTPS calls with no engine around
 * them, at the same concurrency: what this machine delivers, so the engine's own overhead can be told
 * apart from a busy host's scheduling delays.
 */
async function baselineRoundTrips(rounds = 5) {
  const { sendWithRetry, defaultRetryPolicy } = await import("../lib/entra/http");
  const { FIXTURE } = await import("../lib/verification/testing");
  const tokenTimes: number[] = [];
  const graphTimes: number[] = [];
  await Promise.all(
    Array.from({ length: C }, async (_, w) => {
      for (let r = 0; r < rounds; r++) {
        const c = customers[(w * rounds + r) % customers.length]!;
        let t = performance.now();
        const token = await sendWithRetry({
          kind: "token", flow: "client_credentials", method: "POST", url: `${emu.loginUrl}/${c.tenantId}/oauth2/v2.0/token`, policy: defaultRetryPolicy,
          headers: { "content-type": "application/x-www-form-urlencoded" },
          body: new URLSearchParams({ grant_type: "client_credentials", client_id: FIXTURE.providerClientId, client_secret: FIXTURE.providerSecret, scope: `https://${emu.graphHost}/.default` }).toString(),
        });
        // The first round opens the connections (TLS handshakes); only warm rounds are measured.
        if (r > 0) tokenTimes.push(performance.now() - t);
        t = performance.now();
        await sendWithRetry({
          kind: "graph", flow: "graph", method: "POST", url: `https://${emu.graphHost}/v1.0/$batch`, policy: defaultRetryPolicy,
          headers: { authorization: `Bearer ${(token.body as { access_token: string }).access_token}`, "content-type": "application/json" },
          body: JSON.stringify({ requests: [{ id: "1", method: "GET", url: "/organization" }, { id: "2", method: "GET", url: "/users?$top=1" }] }),
        });
        if (r > 0) graphTimes.push(performance.now() - t);
      }
    }),
  );
  const mean = (xs: number[]) => Math.round((xs.reduce((a, b) => a + b, 0) / xs.length) * 10) / 10;
  return { tokenMs: mean(tokenTimes), graphMs: mean(graphTimes) };
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
let peakRss = process.memoryUsage().rss;
const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 250);
let lastLine = 0;
const t0 = performance.now();
const { run } = await startVerificationRun({ trigger: "cli", requestedBy: "bench", concurrency: C });
const ticker = setInterval(async () => {
  if (!process.stderr.isTTY) return;
  const p = await getRunProgress(run.id);
  if (p && Date.now() - lastLine > 500) {
    lastLine = Date.now();
    process.stderr.write(`\r${p.done}/${p.total}  ${p.ratePerSecond}/s  eta ${p.etaSeconds ?? "?"}s   `);
  }
}, 500);
await waitForRun(run.id);
const wallMs = performance.now() - t0;
const cpu = process.cpuUsage(cpu0);
loopDelay.disable();
const eventLoopDelayMs = { p50: Math.round(loopDelay.percentile(50) / 1e5) / 10, p99: Math.round(loopDelay.percentile(99) / 1e5) / 10, max: Math.round(loopDelay.max / 1e5) / 10 };
const emuCpu1 = await emulatorCpu();
const cpuMsPerTenant = {
  console: Math.round(((cpu.user + cpu.system) / 1000 / N) * 100) / 100,
  emulator: Math.round(((emuCpu1.user - emuCpu0.user + emuCpu1.system - emuCpu0.system) / 1000 / N) * 100) / 100,
};
const { loadavg, cpus } = await import("node:os");
clearInterval(ticker);
clearInterval(sampler);
peakRss = Math.max(peakRss, process.memoryUsage().rss);

const progress = (await getRunProgress(run.id))!;
const timingRows = await db.verificationResult.findMany({ where: { runId: run.id }, select: { details: true, durationMs: true, startedAt: true, finishedAt: true } });
const avg = (xs: number[]) => Math.round((xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length)) * 10) / 10;
const timings = timingRows.map((r) => (JSON.parse(r.details) as { timings: { tokenMs?: number; graphMs?: number } }).timings);
const perTenantMs = { total: avg(timingRows.map((r) => r.durationMs)), token: avg(timings.map((t) => t.tokenMs ?? 0)), graph: avg(timings.map((t) => t.graphMs ?? 0)) };
const firstStart = Math.min(...timingRows.map((r) => r.startedAt.getTime()));
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
  startupMs: Math.round(firstStart - (performance.timeOrigin + t0)),
  msalClients: msalClientStats(),
  peakRssMb: Math.round(peakRss / 1024 / 1024),
  note: "peak RSS of the console process (the emulator runs in a separate process)",
};
if (values.json) {
  console.log(JSON.stringify(figures));
} else {
  console.log(`\nVerify All benchmark: ${N} tenants, concurrency ${C}, token ${tokenMs} ms, Graph ${graphMs} ms`);
  console.log(`  wall time     ${(wallMs / 1000).toFixed(2)} s`);
  console.log(`  ideal time    ${(idealMs / 1000).toFixed(2)} s  (ceil(${N}/${C}) × (${tokenMs} + ${graphMs}) ms)`);
  console.log(`  ratio         ${figures.ratio}  (target ≤ 1.2)`);
  console.log(`  bare calls    token ${baseline.tokenMs} ms, Graph ${baseline.graphMs} ms on this machine at concurrency ${C} (no engine)`);
  console.log(`  vs bare calls ideal ${(machineIdealMs / 1000).toFixed(2)} s, ratio ${figures.ratioToMachineIdeal}`);
  console.log(`  outcome       ${progress.verified} verified, ${progress.warnings} warnings, ${progress.failed} failed (${progress.status})`);
  console.log(`  per tenant    token ${figures.perTenant.token}, Graph ${figures.perTenant.graph}, discovery ${figures.perTenant.discovery} (${totals.discovery} in total)`);
  console.log(`  retries       ${httpCounters.retries}`);
  console.log(`  per tenant ms total ${perTenantMs.total}, token ${perTenantMs.token}, Graph ${perTenantMs.graph}; first tenant started after ${figures.startupMs} ms`);
  console.log(`  MSAL clients  ${figures.msalClients.created} created`);
  console.log(`  CPU / tenant  console ${cpuMsPerTenant.console} ms, emulator ${cpuMsPerTenant.emulator} ms; machine ${figures.machine.cores} cores, load average ${figures.machine.loadAverage1m}`);
  console.log(`  event loop    delay p50 ${eventLoopDelayMs.p50} ms, p99 ${eventLoopDelayMs.p99} ms, max ${eventLoopDelayMs.max} ms (console process)`);
  console.log(`  peak RSS      ${figures.peakRssMb} MB (${figures.note})`);
}
server.send("stop");
await db.$disconnect();
(await import("../lib/verification/sqlite-sink")).closeSqliteSink();
(await import("node:fs")).rmSync(dir, { recursive: true, force: true });
process.exit(0);
