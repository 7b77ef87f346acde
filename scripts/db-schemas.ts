import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

/**
 * prisma/schema.prisma is the one schema source of truth, written for SQLite. Prisma reads the provider
 * from the schema and the client refuses an adapter of another provider, so PostgreSQL gets a schema
 * derived from it here (provider and client output changed, nothing else): generated, never edited.
 * Used by `npm run db:generate` (two clients) and `npm run db:diff` (migrations for both databases).
 */

export type Provider = "sqlite" | "postgresql";
export const providers: Provider[] = ["sqlite", "postgresql"];

const root = path.resolve(import.meta.dirname, "..");

export const paths = {
  root,
  schema: path.join(root, "prisma", "schema.prisma"),
  /** The schema as of the newest committed migration: the "from" side of the next diff. */
  snapshot: path.join(root, "prisma", "migrations", "schema.snapshot.prisma"),
  postgresSchema: path.join(root, "prisma", "generated", "postgresql", "schema.prisma"),
  migrations: { sqlite: path.join(root, "prisma", "migrations"), postgresql: path.join(root, "prisma", "migrations-postgresql") } satisfies Record<
    Provider,
    string
  >,
};

const DATASOURCE_PROVIDER = /(datasource\s+\w+\s*\{[^}]*?\bprovider\s*=\s*)"sqlite"/;
const CLIENT_OUTPUT = /(generator\s+client\s*\{[^}]*?\boutput\s*=\s*)"([^"]+)"/;

/**
 * The schema text for `provider`. `fromFile`/`toFile` are where the source and the derived schema live:
 * the generator's output path is relative to the schema file, so it is rewritten to point at
 * lib/generated/prisma-pg from wherever the derived file is written.
 */
export function schemaFor(provider: Provider, source: string, options: { fromFile: string; toFile: string } | null = null): string {
  if (!DATASOURCE_PROVIDER.test(source)) throw new Error('prisma/schema.prisma must declare its datasource with provider = "sqlite"');
  if (provider === "sqlite") return source;
  let derived = source.replace(DATASOURCE_PROVIDER, '$1"postgresql"');
  if (options) {
    const match = CLIENT_OUTPUT.exec(source);
    if (!match) throw new Error("prisma/schema.prisma must declare generator client with an output path");
    const sqliteOutput = path.resolve(path.dirname(options.fromFile), match[2]!);
    const pgOutput = path.relative(path.dirname(options.toFile), `${sqliteOutput}-pg`).split(path.sep).join("/");
    derived = derived.replace(CLIENT_OUTPUT, `$1"${pgOutput}"`);
  }
  return `// GENERATED from prisma/schema.prisma by scripts/db-schemas.ts for PostgreSQL. Do not edit.\n${derived}`;
}

/** Writes the derived PostgreSQL schema next to nothing that is committed (prisma/generated is git-ignored). */
export function writePostgresSchema(): string {
  const source = fs.readFileSync(paths.schema, "utf8");
  fs.mkdirSync(path.dirname(paths.postgresSchema), { recursive: true });
  fs.writeFileSync(paths.postgresSchema, schemaFor("postgresql", source, { fromFile: paths.schema, toFile: paths.postgresSchema }));
  return paths.postgresSchema;
}

/** Runs the Prisma CLI (bundled WebAssembly engine, no downloads) and returns its stdout. */
export function prismaCli(args: string[]): string {
  const result = spawnSync("bash", [path.join(root, "scripts", "prisma.sh"), ...args], { cwd: root, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
  if (result.status !== 0) throw new Error(`prisma ${args.join(" ")} failed:\n${result.stderr}${result.stdout}`);
  return result.stdout;
}

/**
 * The SQL that takes a database from the `from` datamodel (null: empty) to the `to` datamodel, for
 * `provider`. Datamodel-to-datamodel diffs need no database (no shadow database, no adapter), which is
 * what works with the WebAssembly engine on both providers.
 */
export function diffSchemas(provider: Provider, from: string | null, to: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tac-schema-diff-"));
  try {
    const toFile = path.join(dir, "to.prisma");
    fs.writeFileSync(toFile, schemaFor(provider, to));
    const fromArgs = from === null ? ["--from-empty"] : ["--from-schema-datamodel", path.join(dir, "from.prisma")];
    if (from !== null) fs.writeFileSync(path.join(dir, "from.prisma"), schemaFor(provider, from));
    const sql = prismaCli(["migrate", "diff", ...fromArgs, "--to-schema-datamodel", toFile, "--script"]);
    // Migrations are applied under the connection's search_path (DATABASE_URL ?schema=), so they must
    // not name a schema themselves.
    if (/"public"\./.test(sql)) throw new Error(`prisma migrate diff produced schema-qualified names; migrations must not name a schema:\n${sql}`);
    return sql;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** True when a diff has no statement (Prisma prints a comment only). */
export function isEmptyMigration(sql: string) {
  return sql.split("\n").every((line) => line.trim() === "" || line.trim().startsWith("--"));
}

/**
 * Database objects that migrations create by hand and prisma/schema.prisma does not describe (it has no
 * way to): the Tenants page's search index and summary counts (lib/data/tenant-index.ts). The structure
 * check leaves them out of the comparison with Prisma's schema, and checks instead that they exist.
 */
export const outsidePrisma = {
  sqlite: {
    // An FTS5 table brings its shadow tables (TenantSearch_data, _idx, _docsize, _config).
    tables: ["TenantSearch", "TenantSearch_data", "TenantSearch_idx", "TenantSearch_docsize", "TenantSearch_config", "TenantSearchKey", "TenantCount"],
    triggers: [
      "Tenant_search_insert",
      "Tenant_search_update",
      "Tenant_search_delete",
      "Tenant_count_insert",
      "Tenant_count_update",
      "Tenant_count_delete",
      "Tenant_attention_insert",
      "Tenant_attention_update",
    ],
  },
  postgresql: {
    tables: ["TenantCount"],
    indexes: ["Tenant_customerId_trgm_idx", "Tenant_displayName_trgm_idx", "Tenant_adminEmail_trgm_idx", "Tenant_primaryDomain_trgm_idx"],
    triggers: ["Tenant_count_insert", "Tenant_count_update", "Tenant_count_delete", "Tenant_attention"],
  },
};
