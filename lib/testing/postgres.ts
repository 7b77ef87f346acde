import { randomBytes } from "node:crypto";
import pg from "pg";

/**
 * PostgreSQL for tests: `TEST_DATABASE=postgres` runs the suite there, each test file in a schema of its
 * own (random name, dropped afterwards) so files and concurrent runs never see each other's rows.
 * TEST_POSTGRES_URL names the server and database (default: the local server's `test` database).
 */
export const testOnPostgres = process.env.TEST_DATABASE === "postgres";

export const testPostgresBaseUrl = process.env.TEST_POSTGRES_URL || "postgresql://postgres@127.0.0.1:5432/test";

export function randomSchemaName(prefix = "tac_test") {
  return `${prefix}_${randomBytes(6).toString("hex")}`;
}

const createdSchemas = new Set<string>();

/** A new schema's DATABASE_URL (the schema itself is created by the migration runner); see dropTestSchemas. */
export function createTestSchema(prefix?: string) {
  const schema = randomSchemaName(prefix);
  createdSchemas.add(schema);
  return postgresUrlWithSchema(schema);
}

/** Drops every schema createTestSchema made in this process (lib/testing/setup-env.ts, after each file). */
export async function dropTestSchemas() {
  for (const schema of createdSchemas) await dropSchema(schema);
  createdSchemas.clear();
}

/** The base URL with `?schema=name`, as DATABASE_URL takes it. */
export function postgresUrlWithSchema(schema: string, base = testPostgresBaseUrl) {
  const url = new URL(base);
  url.searchParams.set("schema", schema);
  return url.toString();
}

/** Runs `fn` with a plain node-postgres client on the base database (search_path set to `schema` if given). */
export async function withPostgres<T>(fn: (client: pg.Client) => Promise<T>, schema?: string): Promise<T> {
  const client = new pg.Client({ connectionString: testPostgresBaseUrl });
  client.on("error", () => {});
  await client.connect();
  try {
    if (schema) await client.query(`SET search_path TO "${schema}"`);
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** Drops a test schema and its companions named `<schema>_…` (e.g. a job queue's schema beside it). */
export async function dropSchema(schema: string) {
  await withPostgres(async (c) => {
    const { rows } = await c.query<{ nspname: string }>("SELECT nspname FROM pg_namespace WHERE nspname = $1 OR starts_with(nspname, $1 || '_')", [schema]);
    // A test's leftover connection (a job engine's pool, a run still finishing) can hold locks on the
    // schema's tables, and DROP would wait for it until the hook times out: end those sessions first.
    const names = rows.map((r) => r.nspname);
    await c.query(
      `SELECT pg_terminate_backend(pid) FROM (SELECT DISTINCT l.pid FROM pg_locks l JOIN pg_class k ON k.oid = l.relation
         JOIN pg_namespace n ON n.oid = k.relnamespace WHERE n.nspname = ANY($1::text[]) AND l.pid <> pg_backend_pid()) AS holders`,
      [names],
    );
    await c.query("SET lock_timeout = '20s'");
    for (const nspname of names) await c.query(`DROP SCHEMA IF EXISTS "${nspname.replace(/"/g, '""')}" CASCADE`);
  });
}
