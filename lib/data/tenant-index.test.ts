import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { migrateDatabase, readMigrations } from "@/lib/migrations";
import { dropSchema, postgresUrlWithSchema, randomSchemaName, testOnPostgres, withPostgres } from "@/lib/testing/postgres";
import { paths } from "@/scripts/db-schemas";
import { compactTenantCounts, ftsPhrase, searchCandidates, tenantCountRows } from "./tenant-index";
import { listTenantPage, tenantStatusCounts, tenantsForExport } from "./tenants";

// Runs on SQLite (FTS5 trigram index) and, with TEST_DATABASE=postgres, on PostgreSQL (pg_trgm GIN indexes).

type Seed = { id: string; customerId: string; displayName: string; adminEmail: string; primaryDomain: string | null };
const seed: Seed[] = [
  { id: "s1", customerId: "Contoso-01", displayName: "Contoso Dental", adminEmail: "admin@contoso.example", primaryDomain: "contoso.onmicrosoft.com" },
  { id: "s2", customerId: "FAB-02", displayName: "Fabrikam", adminEmail: "it@fabrikam.example", primaryDomain: "fabrikam.example" },
  { id: "s3", customerId: "NW-03", displayName: "Northwind Traders", adminEmail: "ops@northwind.example", primaryDomain: null },
  { id: "s4", customerId: "PCT-04", displayName: "100% Pure_Water", adminEmail: "a_b@pure.example", primaryDomain: "pure.example" },
  { id: "s5", customerId: "QUO-05", displayName: `O'Brien "Quoted" Ltd`, adminEmail: "obrien@quoted.example", primaryDomain: "quoted.example" },
  {
    id: "s6",
    customerId: "OPS-06",
    displayName: "Alpha AND Omega OR NOT NEAR(x y) col:* ^start",
    adminEmail: "ops@alpha.example",
    primaryDomain: "alpha.example",
  },
];

const ids = async (q: string) => (await listTenantPage({ q, page: 1, pageSize: 50 })).items.map((t) => t.id).sort();
const total = async (q: string) => (await tenantStatusCounts({ q })).total;

beforeEach(async () => {
  await db.tenant.deleteMany();
  await db.tenant.createMany({ data: seed.map((t) => ({ ...t, authMethod: "PASSWORD" as const })) });
});

describe("tenant search", () => {
  it("matches a substring of each searched field, ignoring case", async () => {
    expect(await ids("ontoso-0")).toEqual(["s1"]); // customer id
    expect(await ids("RIKA")).toEqual(["s2"]); // name
    expect(await ids("OPS@NORTH")).toEqual(["s3"]); // admin email
    expect(await ids("onmicrosoft")).toEqual(["s1"]); // domain
    expect(await ids("dental")).toEqual(["s1"]);
    expect(await ids(".example")).toEqual(["s1", "s2", "s3", "s4", "s5", "s6"]);
    expect(await ids("no-such-tenant")).toEqual([]);
    expect(await total("EXAMPLE")).toBe(6);
    expect(await total("rika")).toBe(1);
  });

  it("answers one- and two-character searches as substrings too", async () => {
    expect(await ids("W")).toEqual(["s3", "s4"]);
    expect(await ids("nw")).toEqual(["s3"]);
    expect(await ids("zq")).toEqual([]);
    expect(await total("nw")).toBe(1);
  });

  it("takes LIKE wildcards, quotes and FTS operators typed by a user as text", async () => {
    expect(await ids("%")).toEqual(["s4"]);
    expect(await ids("100%")).toEqual(["s4"]);
    expect(await ids("_")).toEqual(["s4"]);
    expect(await ids("e_W")).toEqual(["s4"]);
    expect(await ids("% Pure")).toEqual(["s4"]);
    expect(await ids("%Pure")).toEqual([]);
    expect(await ids("O'Brien")).toEqual(["s5"]);
    expect(await ids(`"Quoted"`)).toEqual(["s5"]);
    expect(await ids(`"`)).toEqual(["s5"]);
    expect(await ids("Alpha AND Omega")).toEqual(["s6"]);
    expect(await ids("Contoso OR Fabrikam")).toEqual([]);
    expect(await ids("NOT NEAR(x y)")).toEqual(["s6"]);
    expect(await ids("col:*")).toEqual(["s6"]);
    expect(await ids("^start")).toEqual(["s6"]);
    expect(await ids("Fab*")).toEqual([]);
    expect(await ids("\\")).toEqual([]);
    expect(await total("100%")).toBe(1);
    expect(await total("_")).toBe(1);
  });

  it("matches wildcard characters as text also when many tenants contain them", async () => {
    await db.tenant.createMany({
      data: Array.from({ length: 800 }, (_, i) => ({
        id: `w${i}`,
        customerId: `CUST_${String(i).padStart(4, "0")}`,
        displayName: `Customer ${i}`,
        adminEmail: `admin${i}@many.example`,
        authMethod: "PASSWORD" as const,
      })),
    });
    expect(await total("_")).toBe(801);
    expect(await total("T_00")).toBe(100);
    expect(await total("%")).toBe(1);
    const page = await listTenantPage({ q: "_", page: 1, pageSize: 3 });
    expect(page.items.map((t) => t.customerId)).toEqual(["CUST_0000", "CUST_0001", "CUST_0002"]);
  });

  it("combines with the other filters, sort and pages", async () => {
    await db.tenant.update({ where: { id: "s2" }, data: { authMethod: "AUTH_TOKEN" } });
    expect((await listTenantPage({ q: "example", method: ["AUTH_TOKEN"], page: 1, pageSize: 10 })).items.map((t) => t.id)).toEqual(["s2"]);
    expect(await tenantStatusCounts({ q: "example", method: ["AUTH_TOKEN"] })).toMatchObject({ total: 1, NEVER: 1 });
    expect(await tenantStatusCounts({ q: "EXAMPLE", method: ["PASSWORD", "AUTH_TOKEN"], cloud: ["GLOBAL"] })).toMatchObject({ total: 6 });
    expect(await tenantStatusCounts({ q: "example", cloud: ["CHINA"] })).toMatchObject({ total: 0 });
    const page = await listTenantPage({ q: "example", sort: "customerId", dir: "desc", page: 2, pageSize: 2 });
    expect(page.items.map((t) => t.customerId)).toEqual(["OPS-06", "NW-03"]);
    expect(page.hasMore).toBe(true);
    const exported: string[] = [];
    for await (const batch of tenantsForExport({ q: "example" }, undefined, 4)) exported.push(...batch.map((t) => t.id));
    expect(exported.sort()).toEqual(["s1", "s2", "s3", "s4", "s5", "s6"]);
  });

  it.runIf(!testOnPostgres)("on SQLite resolves up to a bound of matches through the index, more by the ordered scan", async () => {
    expect(ftsPhrase(`a "b" OR c`)).toBe(`"a ""b"" OR c"`);
    expect((await searchCandidates("example", 10))?.sort()).toEqual(["s1", "s2", "s3", "s4", "s5", "s6"]);
    expect(await searchCandidates("example", 5)).toBeNull();
    expect(await searchCandidates("nw", 10)).toBeNull();
    expect(await searchCandidates("no-such-tenant")).toEqual([]);
  });
});

describe("the index and the counts follow every write", () => {
  it("on insert, update and delete", async () => {
    await db.tenant.create({
      data: { id: "n1", customerId: "NEW-07", displayName: "Wingtip Toys", adminEmail: "x@wingtip.example", authMethod: "AUTH_TOKEN", cloud: "USGOV" },
    });
    expect(await ids("wingtip toys")).toEqual(["n1"]);
    expect(await tenantStatusCounts({})).toMatchObject({ total: 7, NEVER: 7 });
    expect(await tenantStatusCounts({ method: ["AUTH_TOKEN"] })).toMatchObject({ total: 1, NEVER: 1 });
    expect(await tenantStatusCounts({ cloud: ["USGOV", "CHINA"] })).toMatchObject({ total: 1 });

    await db.tenant.update({ where: { id: "n1" }, data: { displayName: "Tailspin Travel", lastStatus: "FAILED", cloud: "GLOBAL" } });
    expect(await ids("wingtip toys")).toEqual([]);
    expect(await ids("tailspin")).toEqual(["n1"]);
    expect(await ids("x@wingtip")).toEqual(["n1"]);
    expect(await tenantStatusCounts({})).toMatchObject({ total: 7, NEVER: 6, FAILED: 1 });
    expect(await tenantStatusCounts({ cloud: ["USGOV"] })).toMatchObject({ total: 0 });

    await db.tenant.updateMany({ where: { id: { in: ["s1", "s2", "s3"] } }, data: { lastStatus: "VERIFIED" } });
    await db.tenant.updateMany({ where: { id: "s3" }, data: { lastStatus: "WARNING", version: { increment: 1 } } });
    expect(await tenantStatusCounts({})).toMatchObject({ total: 7, NEVER: 3, VERIFIED: 2, WARNING: 1, FAILED: 1 });
    expect(await tenantStatusCounts({ method: ["AUTH_TOKEN"] })).toMatchObject({ total: 1, FAILED: 1 });

    await db.tenant.delete({ where: { id: "n1" } });
    await db.tenant.deleteMany({ where: { id: { in: ["s5", "s6"] } } });
    expect(await ids("tailspin")).toEqual([]);
    expect(await ids(".example")).toEqual(["s1", "s2", "s3", "s4"]);
    expect(await tenantStatusCounts({})).toMatchObject({ total: 4, NEVER: 1, VERIFIED: 2, WARNING: 1, FAILED: 0 });

    // The kept counts agree with counting the rows, also after PostgreSQL folds its deltas.
    const counted = async () => {
      const groups = await db.tenant.groupBy({ by: ["lastStatus", "authMethod", "cloud"], _count: { _all: true } });
      return groups.map((g) => `${g.lastStatus}/${g.authMethod}/${g.cloud}=${g._count._all}`).sort();
    };
    const kept = async () => (await tenantCountRows()).map((r) => `${r.lastStatus}/${r.authMethod}/${r.cloud}=${r.n}`).sort();
    expect(await kept()).toEqual(await counted());
    await compactTenantCounts();
    expect(await kept()).toEqual(await counted());
  });

  it("when a tenant's id changes", async () => {
    await db.tenant.update({ where: { id: "s2" }, data: { id: "s2b", displayName: "Fabrikam Renamed" } });
    expect(await ids("renamed")).toEqual(["s2b"]);
    await db.tenant.delete({ where: { id: "s2b" } });
    expect(await ids("fabrikam")).toEqual([]);
  });
});

describe("the migration", () => {
  const all = readMigrations(paths.migrations[testOnPostgres ? "postgresql" : "sqlite"]);
  const index = all.findIndex((m) => m.name.endsWith("_tenant_search_and_counts"));
  const before = fs.mkdtempSync(path.join(os.tmpdir(), "tac-before-search-"));
  const dir = testOnPostgres ? paths.migrations.postgresql : paths.migrations.sqlite;
  for (const m of all.slice(0, index)) fs.cpSync(path.join(dir, m.name), path.join(before, m.name), { recursive: true });
  const schema = randomSchemaName("tac_test_search_migration");
  afterAll(async () => {
    fs.rmSync(before, { recursive: true, force: true });
    if (testOnPostgres) await dropSchema(schema);
  });
  const insert = `INSERT INTO "Tenant" ("id", "customerId", "displayName", "adminEmail", "primaryDomain", "authMethod", "lastStatus", "updatedAt") VALUES
    ('e1', 'OLD-1', 'Existing Contoso', 'a@old.example', 'old.example', 'PASSWORD', 'VERIFIED', '2026-01-01T00:00:00.000Z'),
    ('e2', 'OLD-2', 'Existing Fabrikam', 'b@old.example', NULL, 'AUTH_TOKEN', 'FAILED', '2026-01-01T00:00:00.000Z')`;

  it.runIf(!testOnPostgres)("indexes and counts the tenants that exist (SQLite)", async () => {
    const file = path.join(before, "console.db");
    await migrateDatabase(`file:${file}`, before);
    const conn = new Database(file);
    conn.exec(insert);
    conn.close();
    await migrateDatabase(`file:${file}`, dir);
    const after = new Database(file, { readonly: true });
    const match = (q: string) =>
      (
        after
          .prepare(`SELECT k."tenantId" AS id FROM "TenantSearch" s JOIN "TenantSearchKey" k ON k."key" = s.rowid WHERE "TenantSearch" MATCH ?`)
          .all(ftsPhrase(q)) as { id: string }[]
      )
        .map((r) => r.id)
        .sort();
    expect(match("existing")).toEqual(["e1", "e2"]);
    expect(match("b@old")).toEqual(["e2"]);
    expect(after.prepare(`SELECT "lastStatus", "authMethod", "cloud", "n" FROM "TenantCount" ORDER BY 1`).all()).toEqual([
      { lastStatus: "FAILED", authMethod: "AUTH_TOKEN", cloud: "GLOBAL", n: 1 },
      { lastStatus: "VERIFIED", authMethod: "PASSWORD", cloud: "GLOBAL", n: 1 },
    ]);
    after.close();
  });

  it.runIf(testOnPostgres)("indexes and counts the tenants that exist (PostgreSQL)", async () => {
    await migrateDatabase(postgresUrlWithSchema(schema), before);
    await withPostgres((c) => c.query(insert), schema);
    await migrateDatabase(postgresUrlWithSchema(schema), dir);
    await withPostgres(async (c) => {
      const counts = await c.query(
        `SELECT "lastStatus"::text, "authMethod"::text, "cloud"::text, SUM("n")::int AS n FROM "TenantCount" GROUP BY 1, 2, 3 ORDER BY 1`,
      );
      expect(counts.rows).toEqual([
        { lastStatus: "FAILED", authMethod: "AUTH_TOKEN", cloud: "GLOBAL", n: 1 },
        { lastStatus: "VERIFIED", authMethod: "PASSWORD", cloud: "GLOBAL", n: 1 },
      ]);
      // The trigram index answers a substring search over the rows that existed before it.
      await c.query("SET enable_seqscan = off");
      const plan = await c.query(`EXPLAIN SELECT "id" FROM "Tenant" WHERE "displayName" ILIKE '%existing%'`);
      expect(plan.rows.map((r) => r["QUERY PLAN"]).join("\n")).toContain("Tenant_displayName_trgm_idx");
      const found = await c.query(`SELECT "id" FROM "Tenant" WHERE "displayName" ILIKE '%existing%' ORDER BY 1`);
      expect(found.rows.map((r) => r.id)).toEqual(["e1", "e2"]);
    }, schema);
  });
});
