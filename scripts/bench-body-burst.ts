/**
 * npm run bench:body-burst -- [--uploads 16] [--mb 50] [--port 3450] [--server entry|next]
 *
 * Issue 13 item 8: starts the production build (run `npm run build` first, or the script builds) on a
 * fresh data folder, then sends N parallel uploads of M MB to /api/v1/tenants without a token (half with
 * a Content-Length, half chunked) and prints the console process's resident memory before, at its peak
 * during, and after the burst, and the status of each upload. Target: growth under 20 MB, each answered
 * 401 or 413. `--server next` runs plain `next start` instead of server.ts, for the figure before the fix.
 */
import { spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import { connect } from "node:net";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";

const { values } = parseArgs({
  options: {
    uploads: { type: "string", default: "16" },
    mb: { type: "string", default: "50" },
    port: { type: "string", default: "3450" },
    server: { type: "string", default: "entry" },
  },
});
const uploads = Number(values.uploads);
const bytes = Number(values.mb) * 1024 * 1024;
const port = Number(values.port);
const base = `http://127.0.0.1:${port}`;

function rssMb(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, "utf8");
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)![1]) / 1024;
}

async function waitForHealth() {
  for (let i = 0; i < 600; i++) {
    try {
      const res = await fetch(`${base}/api/health`);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error("the console did not become healthy");
}

/**
 * One upload over a raw socket, as a hostile client sends it: the whole body, whatever the server answers
 * meanwhile (Node's and curl's clients stop sending once they have an answer). Resolves with the status
 * once everything was sent or the server closed the connection.
 */
function upload(chunked: boolean): Promise<number> {
  return new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1");
    let status = 0;
    let received = "";
    socket.on("data", (d: Buffer) => {
      if (status) return;
      received += d.toString("latin1");
      const m = /^HTTP\/1\.1 (\d{3})/.exec(received);
      if (m) status = Number(m[1]);
    });
    const finish = () => resolve(status);
    socket.once("close", finish);
    socket.on("error", () => socket.destroy());
    const framing = chunked ? "Transfer-Encoding: chunked" : `Content-Length: ${bytes}`;
    socket.write(`POST /api/v1/tenants HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Type: application/json\r\n${framing}\r\nConnection: close\r\n\r\n`);
    const chunk = Buffer.alloc(256 * 1024, 0x20);
    const frame = chunked ? Buffer.concat([Buffer.from(`${chunk.length.toString(16)}\r\n`), chunk, Buffer.from("\r\n")]) : chunk;
    let sent = 0;
    const pump = () => {
      while (sent < bytes && !socket.destroyed) {
        sent += chunk.length;
        if (!socket.write(frame)) return void socket.once("drain", pump);
      }
      if (!socket.destroyed) socket.end(chunked ? "0\r\n\r\n" : "");
    };
    pump();
  });
}

if (!fs.existsSync(".next/BUILD_ID")) spawnSync("npx", ["--no-install", "next", "build"], { stdio: "inherit" });
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "tac-body-burst-"));
const args =
  values.server === "next"
    ? [path.resolve("node_modules/next/dist/bin/next"), "start", "-H", "127.0.0.1", "-p", String(port)]
    : ["--import", "tsx", "server.ts", "-H", "127.0.0.1", "-p", String(port)];
// One Node process (no npx or tsx wrapper in between), so its pid is the console's.
const server = spawn(process.execPath, args, {
  env: { ...process.env, NODE_ENV: "production", DATA_DIR: dataDir, APP_URL: base, VERIFY_SCHEDULE_HOURS: "0", LOG_LEVEL: "error" },
  stdio: ["ignore", "ignore", "inherit"],
});
try {
  await waitForHealth();
  // Warm-up: the routes load and compile on their first requests; that is not what is measured.
  for (let i = 0; i < 20; i++) {
    await fetch(`${base}/api/v1/tenants`).then((r) => r.arrayBuffer());
    await fetch(`${base}/api/v1/tenants`, { method: "POST", body: "{}", headers: { "content-type": "application/json" } }).then((r) => r.arrayBuffer());
  }
  await new Promise((r) => setTimeout(r, 1000));
  const before = rssMb(server.pid!);
  let peak = before;
  const sampler = setInterval(() => (peak = Math.max(peak, rssMb(server.pid!))), 25);
  const started = performance.now();
  const statuses = await Promise.all(Array.from({ length: uploads }, (_, i) => upload(i % 2 === 1)));
  const ms = performance.now() - started;
  clearInterval(sampler);
  await new Promise((r) => setTimeout(r, 1000));
  const after = rssMb(server.pid!);
  const counts = statuses.reduce<Record<string, number>>((acc, s) => ((acc[String(s)] = (acc[String(s)] ?? 0) + 1), acc), {});
  console.log(
    `server: ${values.server === "next" ? "next start" : "server.ts"}; ${uploads} uploads of ${values.mb} MB without a token (half chunked) in ${(ms / 1000).toFixed(1)} s`,
  );
  console.log(`statuses: ${JSON.stringify(counts)}`);
  console.log(
    `RSS: before ${before.toFixed(0)} MB, peak ${peak.toFixed(0)} MB (+${(peak - before).toFixed(0)} MB), after ${after.toFixed(0)} MB (+${(after - before).toFixed(0)} MB); target: growth under 20 MB`,
  );
} finally {
  server.kill("SIGTERM");
  fs.rmSync(dataDir, { recursive: true, force: true });
}
