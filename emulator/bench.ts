import { fork } from "node:child_process";
import { readFileSync } from "node:fs";
import { Agent, request } from "node:https";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { REPO_ROOT, startEmulator } from "./index.js";
import { generateScenario, GENERATED } from "./scenarios/generate.js";

/**
 * Token-endpoint throughput with latency injection off. The emulator runs in a child process (one
 * event loop, so one core) and the load generator here sends concurrent keep-alive HTTPS
 * client_credentials requests. It prints wall-clock throughput and, because a shared machine makes
 * wall time noisy, throughput per CPU-second the emulator process actually used.
 * Usage: npx tsx emulator/bench.ts [--seconds 5] [--concurrency 32] [--tenants 1000]
 */

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

const tenantCount = arg("tenants", 1000);
const dataDir = path.join(REPO_ROOT, ".data", "emulator-bench");

interface ServerReady {
  loginUrl: string;
  graphUrl: string;
  caCertPath: string;
}

if (process.argv.includes("--serve")) {
  const emu = await startEmulator({ port: 0, graphPort: 0, dataDir, scenario: generateScenario({ tenants: tenantCount, seed: 42 }).scenario });
  let cpuStart = process.cpuUsage();
  process.on("message", (message: string) => {
    if (message === "start") cpuStart = process.cpuUsage();
    if (message === "stop") {
      const used = process.cpuUsage(cpuStart);
      process.send!({ cpuSeconds: (used.user + used.system) / 1e6 }, () => {
        void emu.close().then(() => process.exit(0));
      });
    }
  });
  process.send!({ loginUrl: emu.loginUrl, graphUrl: emu.graphUrl, caCertPath: emu.caCertPath } satisfies ServerReady);
} else {
  await runBenchmark();
}

async function runBenchmark(): Promise<void> {
  const seconds = arg("seconds", 5);
  const concurrency = arg("concurrency", 32);
  const started = performance.now();
  const { states } = generateScenario({ tenants: tenantCount, seed: 42 });
  const generatedMs = performance.now() - started;
  const verified = Object.entries(states)
    .filter(([, s]) => s === "verified")
    .map(([id]) => id);

  const child = fork(fileURLToPath(import.meta.url), ["--serve", "--tenants", String(tenantCount)], { stdio: "inherit" });
  const next = <T>() => new Promise<T>((resolve) => child.once("message", (m) => resolve(m as T)));
  const ready = await next<ServerReady>();
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency, ca: readFileSync(ready.caCertPath) });
  const { port } = new URL(ready.loginUrl);
  const payload = new URLSearchParams({
    grant_type: "client_credentials",
    client_id: GENERATED.providerClientId,
    client_secret: GENERATED.providerSecret,
    scope: `${ready.graphUrl}/.default`,
  }).toString();

  const tokenRequest = (tenantId: string) =>
    new Promise<number>((resolve, reject) => {
      const req = request(
        {
          host: "127.0.0.1",
          port,
          method: "POST",
          path: `/${tenantId}/oauth2/v2.0/token`,
          agent,
          headers: { "Content-Type": "application/x-www-form-urlencoded", "Content-Length": Buffer.byteLength(payload) },
        },
        (res) => {
          res.resume();
          res.on("end", () => resolve(res.statusCode ?? 0));
        },
      );
      req.on("error", reject);
      req.end(payload);
    });

  // Warm up TLS sessions and the JIT before measuring.
  for (let round = 0; round < 5; round++) await Promise.all(Array.from({ length: concurrency }, (_, k) => tokenRequest(verified[k % verified.length]!)));

  let ok = 0;
  let failed = 0;
  let i = 0;
  const deadline = performance.now() + seconds * 1000;
  const worker = async () => {
    while (performance.now() < deadline) {
      const status = await tokenRequest(verified[i++ % verified.length]!);
      if (status === 200) ok++;
      else failed++;
    }
  };
  child.send("start");
  const t0 = performance.now();
  await Promise.all(Array.from({ length: concurrency }, worker));
  const elapsed = (performance.now() - t0) / 1000;
  child.send("stop");
  const { cpuSeconds } = await next<{ cpuSeconds: number }>();
  agent.destroy();

  console.log(`scenario: ${tenantCount} generated tenants built in ${generatedMs.toFixed(0)} ms`);
  console.log(`machine: ${os.cpus().length} x ${os.cpus()[0]?.model ?? "unknown"}, load average ${os.loadavg()[0]!.toFixed(2)}`);
  console.log(`token responses: ${ok} ok, ${failed} failed in ${elapsed.toFixed(2)} s (concurrency ${concurrency})`);
  console.log(`wall-clock throughput: ${(ok / elapsed).toFixed(0)} token responses/s`);
  console.log(`emulator CPU: ${cpuSeconds.toFixed(2)} s => ${(ok / cpuSeconds).toFixed(0)} token responses per CPU-second (one core)`);
}
