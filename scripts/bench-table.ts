/**
 * Benchmark of the Tenants page (issue 6, item 7).
 *   npm run bench:table -- [--sizes 1000,100000] [--requests 40] [--port 3400] [--fresh] [--json]
 * For each size: seeds a fresh database with that many tenants, starts the production build
 * (`npm run start`; run `npm run build` first, or the script builds), signs in, and requests page one of
 * /tenants repeatedly, sorted by status and by last verified (plus a status filter and a free-text search,
 * for information, and the summary counts the page loads right after). Reports median and p95 on localhost of the time until the streamed HTML holds page
 * one's table and of the whole response (the summary counts stream in after the rows), and the bytes of
 * page one, then checks the targets on the table time: at the largest size at most 1.25 × the time at the smallest and p95 under
 * 200 ms, with page-one bytes independent of the tenant count.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { hashPassword } from "@/lib/auth/passwords";
import { createDatabaseClient } from "@/lib/db-client";
import { newId } from "@/lib/ids";
import { defaultMigrationsDir, migrateDatabase, readMigrations } from "@/lib/migrations";

const { values } = parseArgs({
  options: {
    sizes: { type: "string", default: "1000,100000" },
    requests: { type: "string", default: "40" },
    warmup: { type: "string", default: "8" },
    port: { type: "string", default: "3400" },
    json: { type: "boolean", default: false },
    fresh: { type: "boolean", default: false },
  },
});
const sizes = values.sizes.split(",").map(Number);
const REQUESTS = Number(values.requests);
const WARMUP = Number(values.warmup);
const PORT = Number(values.port);
const BASE = `http://127.0.0.1:${PORT}`;
const EMAIL = "bench@msp.example";
const PASSWORD = "bench-table-password-1";

const views = [
  { name: "sorted by status", path: "/tenants?sort=lastStatus", target: true },
  { name: "sorted by last verified", path: "/tenants?sort=lastVerifiedAt&dir=desc", target: true },
  { name: "filter Failed", path: "/tenants?status=FAILED", target: false },
  { name: "search 'contoso'", path: "/tenants?q=contoso", target: false },
  { name: "search, no match", path: "/tenants?q=no-such-tenant", target: false },
  { name: "summary counts (JSON)", path: "/tenants/counts", target: false },
] as const;

const log = (...a: unknown[]) => values.json || console.error(...a);

// Deterministic data: the same first page at every size, so byte counts are comparable.
const names = ["Contoso", "Northwind", "Fabrikam", "Litware", "Proseware", "Woodgrove", "Tailspin", "Wingtip", "Adatum", "Alpine"];
const statusOf = (i: number) => {
  const r = (i * 7919) % 100;
  return r < 80 ? "VERIFIED" : r < 88 ? "WARNING" : r < 95 ? "FAILED" : "NEVER";
};
const codeOf = {
  VERIFIED: ["VERIFIED", "Verified"],
  WARNING: ["SECRET_EXPIRING", "Secret expires soon"],
  FAILED: ["CONSENT_REQUIRED", "Consent required"],
  NEVER: [null, null],
} as const;
const methodOf = (i: number) => (["APP_REGISTRATION", "AUTH_TOKEN", "APP_REGISTRATION", "PASSWORD"] as const)[i % 4]!;

/** Seeds a fresh database, or keeps one a previous run seeded with the same count and migrations (unless --fresh). */
async function seed(dataDir: string, count: number) {
  const marker = path.join(dataDir, "seeded");
  const stamp = `${count}:${readMigrations(defaultMigrationsDir())
    .map((m) => m.checksum)
    .join(",")}`;
  if (!values.fresh && fs.existsSync(marker) && fs.readFileSync(marker, "utf8") === stamp) return;
  fs.rmSync(dataDir, { recursive: true, force: true });
  fs.mkdirSync(dataDir, { recursive: true });
  const url = `file:${path.join(dataDir, "console.db")}`;
  await migrateDatabase(url);
  const db = createDatabaseClient(url);
  await db.adminUser.create({ data: { id: newId(), email: EMAIL, role: "ADMINISTRATOR", passwordHash: await hashPassword(PASSWORD) } });
  const base = Date.UTC(2026, 10, 1);
  const CHUNK = 50; // 15 columns × 50 rows stays under SQLite's 999 bound parameters
  await db.$transaction(
    async (tx) => {
      for (let start = 0; start < count; start += CHUNK) {
        await tx.tenant.createMany({
          data: Array.from({ length: Math.min(CHUNK, count - start) }, (_, k) => {
            const i = start + k;
            const status = statusOf(i);
            const name = names[i % names.length]!;
            return {
              id: newId(),
              customerId: `C${String(i).padStart(7, "0")}`,
              displayName: `${name} ${i}`,
              primaryDomain: `${name.toLowerCase()}${i}.onmicrosoft.com`,
              entraTenantId: `00000000-0000-4000-8000-${String(i).padStart(12, "0")}`,
              adminEmail: `admin@${name.toLowerCase()}${i}.example`,
              authMethod: methodOf(i),
              cloud: "GLOBAL" as const,
              lastStatus: status,
              lastStatusCode: codeOf[status][0],
              lastStatusMessage: codeOf[status][1],
              lastVerifiedAt: status === "NEVER" ? null : new Date(base - ((i * 104_729) % (30 * 86_400)) * 1000),
              accessBreaksAt: status === "WARNING" ? new Date(base + ((i % 30) + 1) * 86_400_000) : null,
            };
          }),
        });
      }
    },
    { timeout: 600_000 },
  );
  await db.$disconnect();
  fs.writeFileSync(marker, stamp);
}

async function waitForHealth(server: ChildProcess) {
  for (let i = 0; i < 300; i++) {
    if (server.exitCode !== null) throw new Error("the console server exited");
    try {
      if ((await fetch(`${BASE}/api/health`)).ok) return;
    } catch {}
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error("console did not become healthy");
}

/** Signs in through Auth.js's credentials endpoint (CSRF token + form post) and returns the session cookie. */
async function signIn(): Promise<string> {
  const csrf = await fetch(`${BASE}/api/auth/csrf`);
  const { csrfToken } = (await csrf.json()) as { csrfToken: string };
  const csrfCookie = csrf.headers
    .getSetCookie()
    .map((c) => c.split(";")[0])
    .join("; ");
  const res = await fetch(`${BASE}/api/auth/callback/credentials`, {
    method: "POST",
    redirect: "manual",
    // The console refuses writes whose Origin is not its own (proxy.ts), as a browser's form post would carry.
    headers: { "Content-Type": "application/x-www-form-urlencoded", Cookie: csrfCookie, Origin: BASE },
    body: new URLSearchParams({ csrfToken, email: EMAIL, password: PASSWORD, callbackUrl: `${BASE}/tenants` }),
  });
  const session = res.headers
    .getSetCookie()
    .map((c) => c.split(";")[0]!)
    .filter((c) => c.includes("session-token"));
  if (session.length === 0) throw new Error(`sign-in failed (${res.status})`);
  return session.join("; ");
}

const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;

/**
 * Times one request two ways: until the streamed HTML holds the rendered table of page one (`</table>`),
 * which is what the admin waits for, and until the response ends (the summary counts stream in last).
 */
async function measure(cookie: string, pathAndQuery: string) {
  const toTable: number[] = [];
  const toEnd: number[] = [];
  let bytes = 0;
  for (let i = 0; i < WARMUP + REQUESTS; i++) {
    const t0 = performance.now();
    const res = await fetch(`${BASE}${pathAndQuery}`, { headers: { Cookie: cookie } });
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    let text = "";
    let tableMs: number | null = null;
    let size = 0;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.length;
      text += decoder.decode(value, { stream: true });
      if (tableMs === null && text.includes("</table>")) tableMs = performance.now() - t0;
    }
    const endMs = performance.now() - t0;
    const json = res.headers.get("content-type")?.includes("json");
    if (json) tableMs = endMs;
    if (res.status !== 200 || (!json && !text.includes("Authentication Status")) || tableMs === null)
      throw new Error(`${pathAndQuery}: HTTP ${res.status}, not the Tenants page`);
    if (i >= WARMUP) {
      toTable.push(tableMs);
      toEnd.push(endMs);
    }
    bytes = size;
  }
  toTable.sort((a, b) => a - b);
  toEnd.sort((a, b) => a - b);
  return { median: pct(toTable, 50), p95: pct(toTable, 95), fullMedian: pct(toEnd, 50), fullP95: pct(toEnd, 95), bytes };
}

if (!fs.existsSync(".next/BUILD_ID")) {
  log("No production build found: running next build…");
  const build = spawnSync("npx", ["--no-install", "next", "build"], { stdio: "inherit" });
  if (build.status !== 0) process.exit(build.status ?? 1);
}

type Row = { size: number; view: string; target: boolean; median: number; p95: number; fullMedian: number; fullP95: number; bytes: number };
const rows: Row[] = [];
for (const size of sizes) {
  const dataDir = path.resolve(".data", "bench-table", String(size));
  log(`Seeding ${size.toLocaleString("en-US")} tenants…`);
  const t0 = performance.now();
  await seed(dataDir, size);
  log(`  seeded in ${((performance.now() - t0) / 1000).toFixed(1)} s; starting the console`);
  const server = spawn("npx", ["--no-install", "tsx", "server.ts", "-H", "127.0.0.1", "-p", String(PORT)], {
    env: { ...process.env, DATA_DIR: dataDir, NODE_ENV: "production", APP_URL: BASE, LOG_LEVEL: "error", VERIFY_SCHEDULE_HOURS: "0" },
    stdio: ["ignore", "ignore", "inherit"],
    detached: true,
  });
  try {
    await waitForHealth(server);
    const cookie = await signIn();
    for (const v of views) {
      const r = await measure(cookie, v.path);
      rows.push({ size, view: v.name, target: v.target, ...r });
      log(
        `  ${v.name.padEnd(24)} table: median ${r.median.toFixed(1).padStart(6)} ms p95 ${r.p95.toFixed(1).padStart(6)} ms · full: median ${r.fullMedian.toFixed(1).padStart(6)} ms p95 ${r.fullP95.toFixed(1).padStart(6)} ms · ${r.bytes.toLocaleString("en-US")} bytes`,
      );
    }
  } finally {
    process.kill(-server.pid!, "SIGTERM");
    await new Promise((r) => server.once("exit", r));
  }
}

const small = Math.min(...sizes);
const large = Math.max(...sizes);
const checks = views.map((v) => {
  const a = rows.find((r) => r.size === small && r.view === v.name)!;
  const b = rows.find((r) => r.size === large && r.view === v.name)!;
  const ratio = b.p95 / a.p95;
  const medianRatio = b.median / a.median;
  const pass = medianRatio <= 1.25 && b.p95 < 200;
  return { view: v.name, target: v.target, medianRatio, p95Ratio: ratio, p95AtLarge: b.p95, bytesSmall: a.bytes, bytesLarge: b.bytes, pass };
});
if (values.json) {
  console.log(JSON.stringify({ sizes, requests: REQUESTS, rows, checks }, null, 2));
} else {
  console.log(`\nPage one of /tenants, ${REQUESTS} requests after ${WARMUP} warm-up, on localhost (table = rows rendered, full = response end):`);
  console.log("| tenants | view | table median ms | table p95 ms | full median ms | full p95 ms | bytes |\n|---:|---|---:|---:|---:|---:|---:|");
  for (const r of rows)
    console.log(
      `| ${r.size.toLocaleString("en-US")} | ${r.view} | ${r.median.toFixed(1)} | ${r.p95.toFixed(1)} | ${r.fullMedian.toFixed(1)} | ${r.fullP95.toFixed(1)} | ${r.bytes.toLocaleString("en-US")} |`,
    );
  console.log(
    `\nTargets for the rendered table at ${large.toLocaleString("en-US")} vs ${small.toLocaleString("en-US")} tenants (median ratio ≤ 1.25, p95 < 200 ms, same bytes):`,
  );
  for (const c of checks) {
    console.log(
      `  ${c.target ? "TARGET" : "info  "} ${c.view.padEnd(24)} median ×${c.medianRatio.toFixed(2)}  p95 ×${c.p95Ratio.toFixed(2)}  p95 ${c.p95AtLarge.toFixed(1)} ms  bytes ${c.bytesSmall} → ${c.bytesLarge} (${c.bytesLarge - c.bytesSmall >= 0 ? "+" : ""}${c.bytesLarge - c.bytesSmall})  ${c.pass ? "PASS" : "MISS"}`,
    );
  }
}
process.exit(checks.filter((c) => c.target).every((c) => c.pass) ? 0 : 1);
