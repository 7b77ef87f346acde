/**
 * Cost of writing verification outcomes (results + tenant statuses) the way a Verify All run does:
 * 10,000 outcomes in batches of 200, each batch one transaction.
 *   npx tsx --conditions=react-server scripts/bench-outcome-writes.ts [--tenants 10000] [--batch 200]
 * Runs on a fresh SQLite database (or a fresh PostgreSQL schema with TEST_DATABASE=postgres) and prints
 * wall-clock and CPU microseconds per tenant. Not a test: nothing is asserted.
 *
 * Both ways lib/tenants/status.ts writes: through Prisma (`recordVerification`, a single verification's
 * path, one interactive transaction per outcome) and on the driver with prepared statements
 * (`writeRunBatch`, a run's batches). Before the failure policy (read, then write, per tenant) the Prisma
 * path cost about 520 µs of CPU per tenant on SQLite and 490 µs on PostgreSQL, the driver 33 µs and
 * 37 µs, on a 2-core machine. Prisma 6's query compiler works per value, so batching does not help it.
 */
import { parseArgs } from "node:util";
import { appRegistrationTenantRows, customerFixture, prepareDatabase } from "@/lib/verification/testing";

const { values } = parseArgs({ options: { tenants: { type: "string", default: "10000" }, batch: { type: "string", default: "200" } } });
const TENANTS = Number(values.tenants);
const BATCH = Number(values.batch);

const { url } = await prepareDatabase("tac-bench-writes-");
const { db } = await import("@/lib/db");
const { recordVerification, writeRunBatch } = await import("@/lib/tenants/status");
type Outcome = import("@/lib/verification/outcome").VerificationOutcome;

const customers = Array.from({ length: TENANTS }, (_, i) => customerFixture(i + 1));
const rows = appRegistrationTenantRows(customers, 6);
for (let i = 0; i < rows.length; i += 500) await db.tenant.createMany({ data: rows.slice(i, i + 500) });

/**
 * A run's usual mix: most tenants share one status (the provider app's secret expiry as the deadline),
 * auth-token tenants each have their own deadline (90 days from their refresh), a few fail.
 */
function outcomeFor(tenantId: string, i: number): Outcome {
  const startedAt = new Date(Date.now() - 300);
  const finishedAt = new Date();
  const kind = i % 10;
  const failed = kind === 9;
  const accessBreaksAt = kind < 7 ? new Date("2027-06-30T00:00:00Z") : kind < 9 ? new Date(Date.now() + 90 * 86_400_000 + i) : null;
  return {
    tenantId,
    status: failed ? "FAILED" : "VERIFIED",
    reasonCode: failed ? "CONSENT_REQUIRED" : "VERIFIED",
    message: failed ? "Consent required" : "Verified",
    accessBreaksAt,
    startedAt,
    finishedAt,
    durationMs: 300,
    details: {
      method: kind < 7 ? "APP_REGISTRATION" : "AUTH_TOKEN",
      explanation: "The console signed in to the tenant and read its organization and users.",
      remediation: { action: "none", text: "Nothing to do." },
      warnings: [],
      notes: [],
      permissions: { granted: ["Organization.Read.All", "User.Read.All"], required: ["Organization.Read.All", "User.Read.All"], missing: [] },
      organization: { id: customers[i]!.tenantId, displayName: `Customer ${i + 1}`, defaultDomain: customers[i]!.domain },
      userCount: 2,
      timings: { tokenMs: 200, graphMs: 100, totalMs: 300, graphRoundTrips: 1, tokenAttempts: 1 },
    },
  };
}

async function measure(name: string, write: (runId: string, batch: Outcome[]) => Promise<void>) {
  const run = await db.jobRun.create({
    data: {
      id: crypto.randomUUID(),
      kind: "verify",
      status: "RUNNING",
      trigger: "bench",
      requestedBy: "bench",
      total: TENANTS,
      concurrency: 1,
      startedAt: new Date(),
      heartbeatAt: new Date(),
    },
  });
  const outcomes = rows.map((r, i) => outcomeFor(r.id, i));
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  for (let i = 0; i < outcomes.length; i += BATCH) await write(run.id, outcomes.slice(i, i + BATCH));
  const wallMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  const written = await db.verificationResult.count({ where: { runId: run.id } });
  const perTenant = (us: number) => (us / TENANTS).toFixed(1);
  console.log(`${name.padEnd(34)} ${written} results  wall ${perTenant(wallMs * 1000)} µs/tenant  CPU ${perTenant(cpu.user + cpu.system)} µs/tenant`);
}

console.log(`${TENANTS} outcomes in batches of ${BATCH} on ${url.startsWith("file:") ? "SQLite" : "PostgreSQL"}`);
await measure("recordVerification (Prisma)", async (runId, batch) => {
  for (const o of batch) await recordVerification(o, runId);
});
await measure("writeRunBatch (driver)", async (runId, batch) => {
  await writeRunBatch({ runId, outcomes: batch, counts: { ok: batch.length, warnings: 0, failed: 0 } });
});
await db.$disconnect();
const { dropTestSchemas } = await import("@/lib/testing/postgres");
await dropTestSchemas();
