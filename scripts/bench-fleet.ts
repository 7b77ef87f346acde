/**
 * The fleet view's database reads at scale: the failure groups (one GROUP BY) and page one of the
 * Tenants table in each order that is not a plain column (Needs attention, status by severity, and the
 * two date columns with empty dates last), timed on a database of N tenants.
 *
 *   npx tsx --conditions=react-server scripts/bench-fleet.ts                        # SQLite, 100,000 tenants
 *   npx tsx --conditions=react-server scripts/bench-fleet.ts --database postgres    # schema bench_fleet_<n>
 *   options: --count 100000 --runs 20 --reuse (keep the database a previous run seeded)
 *            --postgres-url postgresql://postgres@127.0.0.1:5432/test
 */
import fs from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import pg from "pg";
import { createDatabaseClient } from "@/lib/db-client";
import { newId } from "@/lib/ids";
import { migrateDatabase } from "@/lib/migrations";

const { values } = parseArgs({
  options: {
    database: { type: "string", default: "sqlite" },
    count: { type: "string", default: "100000" },
    runs: { type: "string", default: "20" },
    reuse: { type: "boolean", default: false },
    "postgres-url": { type: "string", default: "postgresql://postgres@127.0.0.1:5432/test" },
  },
});
const count = Number(values.count);
const onPostgres = values.database === "postgres";
const dataDir = path.resolve(`.data/bench-fleet/${count}`);
const url = onPostgres
  ? (() => {
      const u = new URL(values["postgres-url"]);
      u.searchParams.set("schema", `bench_fleet_${count}`);
      return u.toString();
    })()
  : `file:${path.join(dataDir, "console.db")}`;

// A fleet where a third fails for one of eight causes, a sixth warns, and the rest are verified or new.
const failures = [
  "SECRET_EXPIRED",
  "CONSENT_REQUIRED",
  "MFA_REQUIRED",
  "REAUTHORIZATION_REQUIRED",
  "APP_CREDENTIAL_BLOCKED",
  "INVALID_CREDENTIALS",
  "THROTTLED",
  "TENANT_NOT_FOUND",
];
const methods = ["APP_REGISTRATION", "AUTH_TOKEN", "APP_REGISTRATION", "PASSWORD"] as const;

async function seed() {
  if (values.reuse) {
    const existing = createDatabaseClient(url);
    const seeded = await existing.tenant.count().catch(() => -1);
    await existing.$disconnect();
    if (seeded === count) return;
  }
  if (onPostgres) {
    const schema = new URL(url).searchParams.get("schema")!;
    const client = new pg.Client({ connectionString: values["postgres-url"] });
    await client.connect();
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await client.end();
  } else {
    fs.rmSync(dataDir, { recursive: true, force: true });
    fs.mkdirSync(dataDir, { recursive: true });
  }
  await migrateDatabase(url);
  const db = createDatabaseClient(url);
  const base = Date.UTC(2027, 0, 1);
  const CHUNK = onPostgres ? 2000 : 60;
  await db.$transaction(
    async (tx) => {
      for (let start = 0; start < count; start += CHUNK) {
        await tx.tenant.createMany({
          data: Array.from({ length: Math.min(CHUNK, count - start) }, (_, k) => {
            const i = start + k;
            const bucket = i % 6;
            const status = bucket < 2 ? "FAILED" : bucket === 2 ? "WARNING" : bucket === 5 ? "NEVER" : "VERIFIED";
            return {
              id: newId(),
              customerId: `C${String(i).padStart(7, "0")}`,
              displayName: `Customer ${i}`,
              adminEmail: `admin@c${i}.example`,
              authMethod: methods[i % 4]!,
              lastStatus: status,
              lastStatusCode:
                status === "FAILED"
                  ? failures[(i * 7) % failures.length]!
                  : status === "WARNING"
                    ? "SECRET_EXPIRING"
                    : status === "VERIFIED"
                      ? "VERIFIED"
                      : null,
              lastVerifiedAt: status === "NEVER" ? null : new Date(base - ((i * 104_729) % (30 * 86_400)) * 1000),
              accessBreaksAt: status === "WARNING" || (status === "VERIFIED" && i % 2 === 0) ? new Date(base + ((i * 7919) % 90) * 86_400_000) : null,
            } as const;
          }),
        });
      }
    },
    { timeout: 900_000 },
  );
  await db.$disconnect();
}

async function main() {
  const started = performance.now();
  await seed();
  console.log(`seeded ${count} tenants (${values.database}) in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  process.env.DATABASE_URL = url;
  const { listFailureGroups } = await import("@/lib/data/failure-groups");
  const { listTenantPage } = await import("@/lib/data/tenants");
  const { db } = await import("@/lib/db");
  if (onPostgres) await db.$executeRawUnsafe(`ANALYZE "${new URL(url).searchParams.get("schema")}"."Tenant"`);
  const runs = Number(values.runs);
  const time = async (label: string, work: () => Promise<unknown>) => {
    for (let i = 0; i < 3; i++) await work();
    const ms: number[] = [];
    for (let i = 0; i < runs; i++) {
      const t = performance.now();
      await work();
      ms.push(performance.now() - t);
    }
    ms.sort((a, b) => a - b);
    console.log(
      `${label.padEnd(44)} median ${ms[Math.floor(runs / 2)]!.toFixed(1).padStart(7)} ms   p95 ${ms[Math.floor(runs * 0.95)]!.toFixed(1).padStart(7)} ms`,
    );
  };
  const groups = await listFailureGroups();
  console.log(`${groups.length} failure groups, ${groups.reduce((n, g) => n + g.count, 0)} failed tenants`);
  await time("failure groups (GROUP BY)", () => listFailureGroups());
  for (const [sort, dir] of [
    ["customerId", "asc"],
    ["attention", "asc"],
    ["lastStatus", "asc"],
    ["lastStatus", "desc"],
    ["accessBreaksAt", "asc"],
    ["accessBreaksAt", "desc"],
    ["lastVerifiedAt", "desc"],
  ] as const)
    await time(`page 1, sort ${sort} ${dir}`, () => listTenantPage({ sort, dir, page: 1, pageSize: 25 }));
  const g = groups[0]!;
  await time(`page 1 of the largest group (${g.count})`, () => listTenantPage({ ...g.filter, sort: "attention", dir: "asc", page: 1, pageSize: 25 }));
  await db.$disconnect();
}

await main();
