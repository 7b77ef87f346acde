import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { afterAll, describe, expect, it } from "vitest";
import { migrateDatabase } from "@/lib/migrations";
import { migrationsBefore } from "@/lib/testing/migrations";
import { dropSchema, postgresUrlWithSchema, randomSchemaName, testOnPostgres, withPostgres } from "@/lib/testing/postgres";

// The migration that makes Tenant.entraTenantId unique: ids in lower case, and a tenant stored twice keeps
// its id on its oldest tenant; the later ones keep it as their reference (as their domain when they have
// none), are marked Failed with the reason, and get an audit event. Nothing else changes.

const MIGRATION = "_tenant_entra_id_unique";
const SHARED = "aaaaaaaa-1111-4222-8333-444444444444";
const OTHER = "bbbbbbbb-1111-4222-8333-444444444444";

/** id, customerId, entraTenantId, primaryDomain, createdAt: C1 (upper case) and C2, C3 hold the same Entra tenant. */
const tenants: [string, string, string | null, string | null, string][] = [
  ["t1", "C1", SHARED.toUpperCase(), null, "2026-01-01T00:00:00.000+00:00"],
  ["t2", "C2", SHARED, "contoso.example.com", "2026-02-01T00:00:00.000+00:00"],
  ["t3", "C3", SHARED, null, "2026-03-01T00:00:00.000+00:00"],
  ["t4", "C4", OTHER, null, "2026-01-15T00:00:00.000+00:00"],
  ["t5", "C5", null, "fabrikam.example.com", "2026-01-20T00:00:00.000+00:00"],
];
const insertTenant = `INSERT INTO "Tenant" ("id", "customerId", "displayName", "adminEmail", "authMethod", "cloud", "entraTenantId", "primaryDomain", "lastStatus", "createdAt", "updatedAt")`;

type Row = {
  id: string;
  entraTenantId: string | null;
  primaryDomain: string | null;
  lastStatus: string;
  lastStatusCode: string | null;
  lastStatusMessage: string | null;
  version: number;
};

function expectMigrated(rows: Row[], audit: { targetId: string; action: string; actorType: string; details: string }[]) {
  const byId = new Map(rows.map((r) => [r.id, r]));
  // The oldest keeps the id, in lower case; the others that did not share one are as they were.
  expect(byId.get("t1")).toMatchObject({ entraTenantId: SHARED, primaryDomain: null, lastStatus: "VERIFIED", lastStatusCode: null, version: 1 });
  expect(byId.get("t4")).toMatchObject({ entraTenantId: OTHER, lastStatus: "VERIFIED", version: 1 });
  expect(byId.get("t5")).toMatchObject({ entraTenantId: null, primaryDomain: "fabrikam.example.com", lastStatus: "VERIFIED", version: 1 });
  // A later one with a domain keeps its domain; one without keeps the id as its reference.
  expect(byId.get("t2")).toMatchObject({
    entraTenantId: null,
    primaryDomain: "contoso.example.com",
    lastStatus: "FAILED",
    lastStatusCode: "TENANT_MISMATCH",
    version: 2,
  });
  expect(byId.get("t3")).toMatchObject({ entraTenantId: null, primaryDomain: SHARED, lastStatus: "FAILED", lastStatusCode: "TENANT_MISMATCH", version: 2 });
  for (const id of ["t2", "t3"]) {
    expect(byId.get(id)!.lastStatusMessage).toBe(
      `Entra tenant ${SHARED} is also managed as customer C1. One Entra tenant is managed as one customer: delete one of the two, or correct this one's tenant ID or domain.`,
    );
  }
  expect(audit.map((a) => ({ ...a, details: JSON.parse(a.details) as unknown }))).toEqual([
    {
      targetId: "t2",
      action: "tenant.entra_tenant_duplicate",
      actorType: "system",
      details: { customerId: "C2", entraTenantId: SHARED, alsoManagedAs: "C1", keptAsDomain: false },
    },
    {
      targetId: "t3",
      action: "tenant.entra_tenant_duplicate",
      actorType: "system",
      details: { customerId: "C3", entraTenantId: SHARED, alsoManagedAs: "C1", keptAsDomain: true },
    },
  ]);
}

const selectTenants = `SELECT "id", "entraTenantId", "primaryDomain", "lastStatus", "lastStatusCode", "lastStatusMessage", "version" FROM "Tenant" ORDER BY "id"`;
const selectAudit = `SELECT "targetId", "action", "actorType", "details" FROM "AuditEvent" ORDER BY "targetId"`;

describe("migration to a unique Entra tenant id on SQLite", () => {
  it("keeps each Entra tenant on its oldest tenant, marks the later ones Failed with the reason, loses nothing", async () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "tac-entra-unique-")), "old.db");
    await migrateDatabase(`file:${file}`, migrationsBefore("sqlite", MIGRATION));
    const before = new Database(file);
    const insert = before.prepare(`${insertTenant} VALUES (?, ?, 'Name', 'a@b.c', 'APP_REGISTRATION', 'GLOBAL', ?, ?, 'VERIFIED', ?, ?)`);
    for (const [id, customerId, entra, domain, createdAt] of tenants) insert.run(id, customerId, entra, domain, createdAt, createdAt);
    before.close();

    const upgrade = await migrateDatabase(`file:${file}`);
    expect(upgrade.applied.some((n) => n.endsWith(MIGRATION))).toBe(true);
    const after = new Database(file);
    try {
      expectMigrated(after.prepare(selectTenants).all() as Row[], after.prepare(selectAudit).all() as never);
      // The index holds from now on; the search index was kept in step by its triggers (t3 is found by the id it keeps as its domain).
      expect(() => after.prepare(`UPDATE "Tenant" SET "entraTenantId" = ? WHERE "id" = 't5'`).run(OTHER)).toThrow(/UNIQUE/);
      expect(after.prepare(`SELECT count(*) AS n FROM "TenantSearch" WHERE "TenantSearch" MATCH ?`).get(`"${SHARED}"`)).toMatchObject({ n: 1 });
    } finally {
      after.close();
    }
  });
});

describe.runIf(testOnPostgres)("migration to a unique Entra tenant id on PostgreSQL", () => {
  const schema = randomSchemaName("tac_migrate");
  afterAll(async () => {
    await dropSchema(schema);
  });

  it("keeps each Entra tenant on its oldest tenant, marks the later ones Failed with the reason, loses nothing", async () => {
    const url = postgresUrlWithSchema(schema);
    await migrateDatabase(url, migrationsBefore("postgresql", MIGRATION));
    await withPostgres(async (c) => {
      for (const [id, customerId, entra, domain, createdAt] of tenants) {
        await c.query(`${insertTenant} VALUES ($1, $2, 'Name', 'a@b.c', 'APP_REGISTRATION', 'GLOBAL', $3, $4, 'VERIFIED', $5, $5)`, [
          id,
          customerId,
          entra,
          domain,
          createdAt,
        ]);
      }
    }, schema);
    const upgrade = await migrateDatabase(url);
    expect(upgrade.applied.some((n) => n.endsWith(MIGRATION))).toBe(true);
    await withPostgres(async (c) => {
      expectMigrated((await c.query<Row>(selectTenants)).rows, (await c.query(selectAudit)).rows);
      await expect(c.query(`UPDATE "Tenant" SET "entraTenantId" = $1 WHERE "id" = 't5'`, [OTHER])).rejects.toThrow(/Tenant_entraTenantId_key/);
    }, schema);
  });
});
