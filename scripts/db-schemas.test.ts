import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { afterAll, describe, expect, it } from "vitest";
import { migrateDatabase, readMigrations } from "@/lib/migrations";
import { dropSchema, postgresUrlWithSchema, randomSchemaName, testOnPostgres, withPostgres } from "@/lib/testing/postgres";
import { diffSchemas, isEmptyMigration, outsidePrisma, paths, schemaFor } from "./db-schemas";

/**
 * The committed migrations of each database must build exactly what prisma/schema.prisma describes:
 * a database migrated from empty is compared, table by table, with one built from Prisma's own
 * --from-empty SQL of the current schema. A schema change without `npm run db:diff -- <name>` fails here.
 */

const schema = fs.readFileSync(paths.schema, "utf8");
const FIX = "Run `npm run db:diff -- <name>` to create the missing migration for both databases.";

type Structure = Record<string, unknown>;

function sqliteStructure(file: string): Structure {
  const db = new Database(file, { readonly: true });
  try {
    const tables = (
      db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT IN ('_prisma_migrations', 'sqlite_sequence') ORDER BY name").all() as {
        name: string;
      }[]
    )
      .map((t) => t.name)
      .filter((t) => !outsidePrisma.sqlite.tables.includes(t));
    return Object.fromEntries(
      tables.map((t) => {
        const columns = (
          db.prepare(`PRAGMA table_xinfo("${t}")`).all() as { name: string; type: string; notnull: number; dflt_value: string | null; pk: number }[]
        )
          .map((c) => ({ name: c.name, type: c.type, notnull: c.notnull, default: c.dflt_value, pk: c.pk }))
          .sort((a, b) => a.name.localeCompare(b.name));
        const indexes = (db.prepare(`PRAGMA index_list("${t}")`).all() as { name: string; unique: number; origin: string }[])
          .map((i) => ({
            name: i.name,
            unique: i.unique,
            origin: i.origin,
            columns: (db.prepare(`PRAGMA index_info("${i.name}")`).all() as { name: string }[]).map((c) => c.name),
          }))
          .sort((a, b) => a.name.localeCompare(b.name));
        const foreignKeys = (
          db.prepare(`PRAGMA foreign_key_list("${t}")`).all() as { table: string; from: string; to: string; on_update: string; on_delete: string }[]
        )
          .map((f) => ({ table: f.table, from: f.from, to: f.to, onUpdate: f.on_update, onDelete: f.on_delete }))
          .sort((a, b) => a.from.localeCompare(b.from));
        return [t, { columns, indexes, foreignKeys }];
      }),
    );
  } finally {
    db.close();
  }
}

async function postgresStructure(schemaName: string): Promise<Structure> {
  return withPostgres(async (c) => {
    const q = async (sql: string) => (await c.query(sql, [schemaName])).rows;
    const structure = {
      columns: await q(
        "SELECT table_name, column_name, data_type, udt_name, is_nullable, column_default, character_maximum_length, datetime_precision FROM information_schema.columns WHERE table_schema = $1 AND table_name <> '_prisma_migrations' ORDER BY table_name, column_name",
      ),
      indexes: await q(
        "SELECT tablename, indexname, indexdef FROM pg_indexes WHERE schemaname = $1 AND tablename <> '_prisma_migrations' ORDER BY tablename, indexname",
      ),
      constraints: await q(
        "SELECT cl.relname AS table_name, co.conname, co.contype, pg_get_constraintdef(co.oid) AS def FROM pg_constraint co JOIN pg_class cl ON cl.oid = co.conrelid JOIN pg_namespace n ON n.oid = cl.relnamespace WHERE n.nspname = $1 AND cl.relname <> '_prisma_migrations' ORDER BY cl.relname, co.conname",
      ),
      // Label order matters on PostgreSQL: ORDER BY an enum column follows it.
      enums: await q(
        "SELECT t.typname, array_agg(e.enumlabel ORDER BY e.enumsortorder) AS labels FROM pg_type t JOIN pg_enum e ON e.enumtypid = t.oid JOIN pg_namespace n ON n.oid = t.typnamespace WHERE n.nspname = $1 GROUP BY t.typname ORDER BY t.typname",
      ),
    };
    const own = outsidePrisma.postgresql;
    structure.columns = structure.columns.filter((c) => !own.tables.includes(c.table_name));
    structure.indexes = structure.indexes.filter((i) => !own.indexes.includes(i.indexname));
    // Index definitions and enum defaults name the schema; drop it so that two schemas compare.
    return JSON.parse(JSON.stringify(structure).replaceAll(`${schemaName}.`, "")) as Structure;
  });
}

describe("committed migrations", () => {
  it("exist under the same names for SQLite and PostgreSQL", () => {
    const sqlite = readMigrations(paths.migrations.sqlite).map((m) => m.name);
    expect(sqlite.length).toBeGreaterThan(0);
    expect(readMigrations(paths.migrations.postgresql).map((m) => m.name)).toEqual(sqlite);
  });

  it("were made from the schema snapshot, which matches prisma/schema.prisma", () => {
    const snapshot = fs.readFileSync(paths.snapshot, "utf8");
    expect(isEmptyMigration(diffSchemas("sqlite", snapshot, schema)), `prisma/schema.prisma differs from the snapshot of the last migration. ${FIX}`).toBe(
      true,
    );
  });

  it("build on SQLite exactly the tables, columns, indexes and keys of the schema", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tac-schema-"));
    try {
      await migrateDatabase(`file:${path.join(dir, "migrated.db")}`, paths.migrations.sqlite);
      const expected = new Database(path.join(dir, "expected.db"));
      expected.exec(diffSchemas("sqlite", null, schema));
      expected.close();
      expect(sqliteStructure(path.join(dir, "migrated.db")), FIX).toEqual(sqliteStructure(path.join(dir, "expected.db")));
      const migrated = new Database(path.join(dir, "migrated.db"), { readonly: true });
      const names = (type: string) => (migrated.prepare("SELECT name FROM sqlite_master WHERE type = ?").all(type) as { name: string }[]).map((r) => r.name);
      expect(names("table")).toEqual(expect.arrayContaining(outsidePrisma.sqlite.tables));
      expect(names("trigger").sort()).toEqual([...outsidePrisma.sqlite.triggers].sort());
      migrated.close();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  describe.runIf(testOnPostgres)("on PostgreSQL", () => {
    const migrated = randomSchemaName("tac_schema_migrated");
    const expected = randomSchemaName("tac_schema_expected");
    afterAll(async () => {
      await dropSchema(migrated);
      await dropSchema(expected);
    });

    it("build exactly the tables, columns, indexes, keys and enums of the schema", async () => {
      await migrateDatabase(postgresUrlWithSchema(migrated), paths.migrations.postgresql);
      const sql = diffSchemas("postgresql", null, schema);
      await withPostgres(async (c) => {
        await c.query(`CREATE SCHEMA "${expected}"`);
        await c.query(`SET search_path TO "${expected}"`);
        await c.query(sql);
      });
      expect(await postgresStructure(migrated), FIX).toEqual(await postgresStructure(expected));
      await withPostgres(async (c) => {
        const own = outsidePrisma.postgresql;
        const tables = await c.query("SELECT table_name FROM information_schema.tables WHERE table_schema = $1", [migrated]);
        expect(tables.rows.map((r) => r.table_name)).toEqual(expect.arrayContaining(own.tables));
        const indexes = await c.query("SELECT indexname FROM pg_indexes WHERE schemaname = $1", [migrated]);
        expect(indexes.rows.map((r) => r.indexname)).toEqual(expect.arrayContaining(own.indexes));
        const triggers = await c.query("SELECT DISTINCT trigger_name FROM information_schema.triggers WHERE trigger_schema = $1 ORDER BY 1", [migrated]);
        expect(triggers.rows.map((r) => r.trigger_name)).toEqual([...own.triggers].sort());
      });
    });
  });
});

describe("the PostgreSQL schema derived from prisma/schema.prisma", () => {
  it("changes only the provider and the client's output folder", () => {
    const derived = schemaFor("postgresql", schema, { fromFile: paths.schema, toFile: paths.postgresSchema });
    expect(derived).toContain('provider = "postgresql"');
    expect(derived).toContain('output       = "../../../lib/generated/prisma-pg"');
    const strip = (s: string) =>
      s
        .replace(/^\/\/ GENERATED.*\n/, "")
        .replace(/"postgresql"|"sqlite"/, "P")
        .replace(/output\s*=\s*"[^"]*"/, "O");
    expect(strip(derived)).toBe(strip(schema));
  });
});
