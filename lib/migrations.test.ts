import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
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
    expect(tables(file)).toEqual(expect.arrayContaining(["Tenant", "TenantCredential", "AdminUser", "AuditEvent", "ProviderSettings", "_prisma_migrations"]));
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
    fs.writeFileSync(path.join(migrations, "002_second", "migration.sql"), 'ALTER TABLE "A" ADD COLUMN "name" TEXT;\nCREATE TABLE "B" ("id" TEXT PRIMARY KEY);');
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
