import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { afterAll, describe, expect, it } from "vitest";
import { dropSchema, postgresUrlWithSchema, randomSchemaName, testOnPostgres, withPostgres } from "@/lib/testing/postgres";
import { defaultMigrationsDir, migrateDatabase, readMigrations } from "./migrations";

function tempDir() {
  return fs.mkdtempSync(path.join(os.tmpdir(), "tac-migrate-"));
}

function tables(file: string) {
  const db = new Database(file, { readonly: true });
  try {
    return (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as { name: string }[]).map((r) => r.name);
  } finally {
    db.close();
  }
}

describe("migrations", () => {
  it("creates a brand-new database with every table and records the history like Prisma", async () => {
    const file = path.join(tempDir(), "nested", "fresh.db");
    const result = await migrateDatabase(`file:${file}`);
    expect(result.applied).toEqual(readMigrations(defaultMigrationsDir()).map((m) => m.name));
    expect(tables(file)).toEqual(expect.arrayContaining(["Tenant", "TenantCredential", "AdminUser", "AuditEvent", "AppRegistration", "_prisma_migrations"]));
    const again = await migrateDatabase(`file:${file}`);
    expect(again.applied).toEqual([]);
  });

  it("applies only the pending migrations to an older database", async () => {
    const dir = tempDir();
    const migrations = path.join(dir, "migrations");
    fs.mkdirSync(path.join(migrations, "001_first"), { recursive: true });
    fs.writeFileSync(path.join(migrations, "001_first", "migration.sql"), 'CREATE TABLE "A" ("id" TEXT PRIMARY KEY);');
    const url = `file:${path.join(dir, "db.sqlite")}`;
    expect((await migrateDatabase(url, migrations)).applied).toEqual(["001_first"]);

    fs.mkdirSync(path.join(migrations, "002_second"));
    fs.writeFileSync(
      path.join(migrations, "002_second", "migration.sql"),
      'ALTER TABLE "A" ADD COLUMN "name" TEXT;\nCREATE TABLE "B" ("id" TEXT PRIMARY KEY);',
    );
    const upgrade = await migrateDatabase(url, migrations);
    expect(upgrade).toEqual({ applied: ["002_second"], alreadyApplied: 1 });
    expect(tables(path.join(dir, "db.sqlite"))).toEqual(expect.arrayContaining(["A", "B"]));
  });

  it("refuses a migration edited after it was applied", async () => {
    const dir = tempDir();
    const migrations = path.join(dir, "migrations");
    fs.mkdirSync(path.join(migrations, "001_first"), { recursive: true });
    fs.writeFileSync(path.join(migrations, "001_first", "migration.sql"), 'CREATE TABLE "A" ("id" TEXT PRIMARY KEY);');
    const url = `file:${path.join(dir, "db.sqlite")}`;
    await migrateDatabase(url, migrations);
    fs.writeFileSync(path.join(migrations, "001_first", "migration.sql"), 'CREATE TABLE "A" ("id" TEXT PRIMARY KEY, "x" TEXT);');
    await expect(migrateDatabase(url, migrations)).rejects.toThrow(/checksum mismatch/);
  });

  it("rolls back a failing migration completely", async () => {
    const dir = tempDir();
    const migrations = path.join(dir, "migrations");
    fs.mkdirSync(path.join(migrations, "001_bad"), { recursive: true });
    fs.writeFileSync(path.join(migrations, "001_bad", "migration.sql"), 'CREATE TABLE "A" ("id" TEXT PRIMARY KEY);\nTHIS IS NOT SQL;');
    const url = `file:${path.join(dir, "db.sqlite")}`;
    await expect(migrateDatabase(url, migrations)).rejects.toThrow();
    expect(tables(path.join(dir, "db.sqlite"))).not.toContain("A");
  });
});

describe.runIf(testOnPostgres)("migrations on PostgreSQL", () => {
  const schemas: string[] = [];
  function freshUrl() {
    const schema = randomSchemaName("tac_migrate");
    schemas.push(schema);
    return { schema, url: postgresUrlWithSchema(schema) };
  }
  function migrationsDir(files: Record<string, string>) {
    const dir = path.join(tempDir(), "migrations");
    for (const [name, sql] of Object.entries(files)) {
      fs.mkdirSync(path.join(dir, name), { recursive: true });
      fs.writeFileSync(path.join(dir, name, "migration.sql"), sql);
    }
    return dir;
  }
  const pgTables = (schema: string) =>
    withPostgres(async (c) =>
      (
        await c.query<{ table_name: string }>("SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY table_name", [schema])
      ).rows.map((r) => r.table_name),
    );
  const history = (schema: string) =>
    withPostgres(
      async (c) =>
        (await c.query<{ migration_name: string; checksum: string }>('SELECT migration_name, checksum FROM "_prisma_migrations" ORDER BY migration_name')).rows,
      schema,
    );

  afterAll(async () => {
    for (const s of schemas) await dropSchema(s);
  });

  it("creates the URL's schema with every table and records the history in Prisma's table shape", async () => {
    const { schema, url } = freshUrl();
    const all = readMigrations(defaultMigrationsDir("postgresql"));
    expect(all.map((m) => m.name)).toEqual(readMigrations(defaultMigrationsDir()).map((m) => m.name));
    expect(await migrateDatabase(url)).toEqual({ applied: all.map((m) => m.name), alreadyApplied: 0 });
    expect(await pgTables(schema)).toEqual(
      expect.arrayContaining(["Tenant", "TenantCredential", "AdminUser", "AuditEvent", "ApiToken", "RateLimitWindow", "_prisma_migrations"]),
    );
    expect(await history(schema)).toEqual(all.map((m) => ({ migration_name: m.name, checksum: m.checksum })));
    const columns = await withPostgres(
      async (c) =>
        (
          await c.query(
            "SELECT column_name, data_type, is_nullable FROM information_schema.columns WHERE table_schema = $1 AND table_name = '_prisma_migrations' ORDER BY ordinal_position",
            [schema],
          )
        ).rows,
    );
    expect(columns).toEqual([
      { column_name: "id", data_type: "character varying", is_nullable: "NO" },
      { column_name: "checksum", data_type: "character varying", is_nullable: "NO" },
      { column_name: "finished_at", data_type: "timestamp with time zone", is_nullable: "YES" },
      { column_name: "migration_name", data_type: "character varying", is_nullable: "NO" },
      { column_name: "logs", data_type: "text", is_nullable: "YES" },
      { column_name: "rolled_back_at", data_type: "timestamp with time zone", is_nullable: "YES" },
      { column_name: "started_at", data_type: "timestamp with time zone", is_nullable: "NO" },
      { column_name: "applied_steps_count", data_type: "integer", is_nullable: "NO" },
    ]);
    expect(await migrateDatabase(url)).toEqual({ applied: [], alreadyApplied: all.length });
  });

  it("upgrades a database that has only the first migration, keeping its rows", async () => {
    const { schema, url } = freshUrl();
    const [first, ...rest] = readMigrations(defaultMigrationsDir("postgresql"));
    const firstOnly = migrationsDir({ [first!.name]: first!.sql });
    expect((await migrateDatabase(url, firstOnly)).applied).toEqual([first!.name]);
    await withPostgres(
      (c) =>
        c.query(
          `INSERT INTO "Tenant" (id, "customerId", "displayName", "adminEmail", "authMethod", "updatedAt") VALUES ('t1', 'C1', 'One', 'a@b.c', 'PASSWORD', now())`,
        ),
      schema,
    );
    expect(await migrateDatabase(url)).toEqual({ applied: rest.map((m) => m.name), alreadyApplied: 1 });
    expect(await withPostgres(async (c) => (await c.query('SELECT "customerId" FROM "Tenant"')).rows, schema)).toEqual([{ customerId: "C1" }]);
  });

  it("refuses a migration edited after it was applied", async () => {
    const { url } = freshUrl();
    const dir = migrationsDir({ "001_first": 'CREATE TABLE "A" ("id" TEXT PRIMARY KEY);' });
    await migrateDatabase(url, dir);
    fs.writeFileSync(path.join(dir, "001_first", "migration.sql"), 'CREATE TABLE "A" ("id" TEXT PRIMARY KEY, "x" TEXT);');
    await expect(migrateDatabase(url, dir)).rejects.toThrow(/checksum mismatch/);
  });

  it("rolls back a failing migration completely and records nothing", async () => {
    const { schema, url } = freshUrl();
    const dir = migrationsDir({
      "001_ok": 'CREATE TABLE "A" ("id" TEXT PRIMARY KEY);',
      "002_bad": 'CREATE TABLE "B" ("id" TEXT PRIMARY KEY);\nINSERT INTO "A" VALUES (\'x\');\nTHIS IS NOT SQL;',
    });
    await expect(migrateDatabase(url, dir)).rejects.toThrow(/002_bad failed and was rolled back/);
    expect(await pgTables(schema)).toEqual(["A", "_prisma_migrations"]);
    expect(await withPostgres(async (c) => (await c.query('SELECT count(*)::int AS n FROM "A"')).rows[0], schema)).toEqual({ n: 0 });
    expect((await history(schema)).map((h) => h.migration_name)).toEqual(["001_ok"]);
  });

  it("applies each migration once when two runners start at the same moment", async () => {
    const { schema, url } = freshUrl();
    // Slow enough that the second runner arrives while the first still holds the lock.
    const dir = migrationsDir({
      "001_slow": 'SELECT pg_sleep(0.5);\nCREATE TABLE "A" ("id" TEXT PRIMARY KEY);',
      "002_next": 'CREATE TABLE "B" ("id" TEXT PRIMARY KEY);',
    });
    const results = await Promise.all([migrateDatabase(url, dir), migrateDatabase(url, dir)]);
    expect(results.flatMap((r) => r.applied).sort()).toEqual(["001_slow", "002_next"]);
    expect(results.map((r) => r.alreadyApplied).sort()).toEqual([0, 2]);
    expect((await history(schema)).map((h) => h.migration_name)).toEqual(["001_slow", "002_next"]);
  });
});
