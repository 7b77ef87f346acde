import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { afterAll, describe, expect, it } from "vitest";
import { decryptSecret, encryptSecret } from "@/lib/crypto";
import { migrateDatabase } from "@/lib/migrations";
import { migrationsBefore } from "@/lib/testing/migrations";
import { dropSchema, postgresUrlWithSchema, randomSchemaName, testOnPostgres, withPostgres } from "@/lib/testing/postgres";
import { certificateBinding, secretBinding } from "./row";

// The migration to app registrations keeps today's provider settings row as the default registration of
// its cloud, its encrypted secret and certificate copied as they are (they still decrypt), and tenants.

const MIGRATION = "_app_registrations";

const secret = encryptSecret("prv8Q~the-provider-secret", { table: "ProviderSettings", rowId: "provider", field: "clientSecret" });
const certificate = encryptSecret('{"privateKeyPem":"k","certificatePem":"c"}', { table: "ProviderSettings", rowId: "provider", field: "certificate" });
const providerRow = [
  "provider",
  "11111111-2222-4333-8444-555555555555",
  secret,
  "prv",
  certificate,
  "AB12",
  "https://console.example.com/authenticate/OAuth2Callback",
  "USGOV",
  "User.Read",
  "Organization.Read.All",
  "22222222-3333-4444-8555-666666666666",
  7,
];
const insertProvider = `INSERT INTO "ProviderSettings" ("id", "clientId", "clientSecret", "clientSecretHint", "certificate", "certificateThumbprint", "redirectUrl", "cloud", "scopes", "requiredAppPermissions", "homeTenantId", "version", "updatedAt")`;
const insertTenant = `INSERT INTO "Tenant" ("id", "customerId", "displayName", "adminEmail", "authMethod", "cloud", "appClientId", "updatedAt")`;

function expectDefaultRegistration(row: Record<string, unknown>) {
  expect(row).toMatchObject({
    id: "provider",
    name: "Default",
    defaultForCloud: "USGOV",
    cloud: "USGOV",
    clientId: "11111111-2222-4333-8444-555555555555",
    clientSecret: secret,
    clientSecretHint: "prv",
    certificate,
    certificateThumbprint: "AB12",
    redirectUrl: "https://console.example.com/authenticate/OAuth2Callback",
    scopes: "User.Read",
    requiredAppPermissions: "Organization.Read.All",
    homeTenantId: "22222222-3333-4444-8555-666666666666",
    version: 7,
  });
  expect(decryptSecret(row.clientSecret as string, secretBinding("provider"))).toBe("prv8Q~the-provider-secret");
  expect(decryptSecret(row.certificate as string, certificateBinding("provider"))).toContain("privateKeyPem");
}

describe("migration to app registrations on SQLite", () => {
  it("keeps the provider settings row as the default registration of its cloud, and the tenants", async () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "tac-appreg-db-")), "old.db");
    await migrateDatabase(`file:${file}`, migrationsBefore("sqlite", MIGRATION));
    const before = new Database(file);
    before.prepare(`${insertProvider} VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`).run(...providerRow, new Date().toISOString());
    before.prepare(`${insertTenant} VALUES ('t1', 'C1', 'One', 'a@b.c', 'APP_REGISTRATION', 'USGOV', 'own-app', ?)`).run(new Date().toISOString());
    before.close();

    const upgrade = await migrateDatabase(`file:${file}`);
    expect(upgrade.applied.some((n) => n.endsWith(MIGRATION))).toBe(true);
    const after = new Database(file, { readonly: true });
    try {
      expectDefaultRegistration(after.prepare(`SELECT * FROM "AppRegistration"`).get() as Record<string, unknown>);
      expect(after.prepare(`SELECT count(*) AS n FROM "AppRegistration"`).get()).toEqual({ n: 1 });
      expect(after.prepare(`SELECT "customerId", "cloud", "appClientId", "appRegistrationId" FROM "Tenant"`).all()).toEqual([
        { customerId: "C1", cloud: "USGOV", appClientId: "own-app", appRegistrationId: null },
      ]);
      expect(after.prepare(`SELECT name FROM sqlite_master WHERE name = 'ProviderSettings'`).all()).toEqual([]);
    } finally {
      after.close();
    }
  });

  it("creates no registration on a database that never had provider settings", async () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "tac-appreg-db-")), "empty.db");
    await migrateDatabase(`file:${file}`, migrationsBefore("sqlite", MIGRATION));
    await migrateDatabase(`file:${file}`);
    const after = new Database(file, { readonly: true });
    expect(after.prepare(`SELECT count(*) AS n FROM "AppRegistration"`).get()).toEqual({ n: 0 });
    after.close();
  });
});

describe.runIf(testOnPostgres)("migration to app registrations on PostgreSQL", () => {
  const schema = randomSchemaName("tac_migrate");
  afterAll(async () => {
    await dropSchema(schema);
  });

  it("keeps the provider settings row as the default registration of its cloud, and the tenants", async () => {
    const url = postgresUrlWithSchema(schema);
    await migrateDatabase(url, migrationsBefore("postgresql", MIGRATION));
    await withPostgres(async (c) => {
      await c.query(`${insertProvider} VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, now())`, providerRow);
      await c.query(`${insertTenant} VALUES ('t1', 'C1', 'One', 'a@b.c', 'APP_REGISTRATION', 'USGOV', 'own-app', now())`);
    }, schema);
    const upgrade = await migrateDatabase(url);
    expect(upgrade.applied.some((n) => n.endsWith(MIGRATION))).toBe(true);
    await withPostgres(async (c) => {
      const rows = (await c.query(`SELECT * FROM "AppRegistration"`)).rows as Record<string, unknown>[];
      expect(rows).toHaveLength(1);
      expectDefaultRegistration(rows[0]!);
      expect((await c.query(`SELECT "customerId", "cloud", "appClientId", "appRegistrationId" FROM "Tenant"`)).rows).toEqual([
        { customerId: "C1", cloud: "USGOV", appClientId: "own-app", appRegistrationId: null },
      ]);
      expect((await c.query(`SELECT to_regclass('"ProviderSettings"') AS t`)).rows).toEqual([{ t: null }]);
    }, schema);
  });
});
