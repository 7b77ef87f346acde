import { createHash } from "node:crypto";
import pg from "pg";
import { postgresConnection } from "@/lib/db-client";

/**
 * The distributed engine's own PostgreSQL state, in the job schema beside pg-boss's tables (never in
 * the application's schema, whose tables come from the Prisma migrations only):
 *   verify_instance  one row per console instance taking part in a run, with a lease it renews;
 *   verify_claim     one row per tenant job an instance has taken and not finished: who owns each
 *                    job (the jobs of an instance whose lease expired are handed back to pg-boss),
 *                    and, while `checking`, the run's in-flight set cluster-wide, which the
 *                    concurrency limit counts (a check that ended frees its slot before its result
 *                    is written).
 */

export const TENANT_QUEUE_PREFIX = "verify-run-";
export const SCHEDULE_QUEUE = "verify-schedule";

/**
 * The job schema: PGBOSS_SCHEMA when set, else derived from the application's schema (`pgboss` beside
 * `public`, `<schema>_pgboss` beside any other), so each test schema gets a job schema of its own.
 */
export function jobSchemaFor(databaseUrl: string, explicit?: string): string {
  if (explicit) return explicit;
  const { schema } = postgresConnection(databaseUrl);
  return schema === "public" ? "pgboss" : `${schema}_pgboss`.slice(0, 50);
}

export function tenantQueue(runId: string) {
  return `${TENANT_QUEUE_PREFIX}${runId}`;
}

/** A job id derived from run and tenant: enqueueing a tenant twice in a run inserts one job (pg-boss ignores a duplicate id). */
export function tenantJobId(runId: string, tenantId: string): string {
  const h = createHash("sha256").update(`${runId}|${tenantId}`).digest("hex");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

export function createPool(databaseUrl: string, max: number) {
  const pool = new pg.Pool({ connectionString: postgresConnection(databaseUrl).connectionString, max, application_name: "tac-verify" });
  // An idle client losing its connection must not crash the process; the next query reconnects.
  pool.on("error", () => {});
  return pool;
}

export async function ensureTables(pool: pg.Pool, schema: string) {
  const s = `"${schema}"`;
  await pool.query(`
    BEGIN;
    SELECT pg_advisory_xact_lock(hashtextextended('tac-verify-tables:' || '${schema}', 0));
    CREATE SCHEMA IF NOT EXISTS ${s};
    CREATE TABLE IF NOT EXISTS ${s}.verify_instance (
      instance_id text PRIMARY KEY,
      run_id text,
      lease_until timestamptz NOT NULL,
      started_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE TABLE IF NOT EXISTS ${s}.verify_claim (
      job_id uuid PRIMARY KEY,
      run_id text NOT NULL,
      tenant_id text NOT NULL,
      instance_id text NOT NULL,
      checking boolean NOT NULL DEFAULT true,
      claimed_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX IF NOT EXISTS verify_claim_run ON ${s}.verify_claim (run_id, instance_id);
    CREATE INDEX IF NOT EXISTS verify_claim_instance ON ${s}.verify_claim (instance_id);
    COMMIT;
  `);
}

/** pg-boss's `db` option: its statements run on our pool, or inside one of our transactions. */
export function executor(client: pg.Pool | pg.PoolClient) {
  return { executeSql: (text: string, values?: unknown[]) => client.query(text, values) };
}

export async function inTransaction<T>(pool: pg.Pool, fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query("BEGIN");
    const result = await fn(client);
    await client.query("COMMIT");
    return result;
  } catch (e) {
    await client.query("ROLLBACK").catch(() => {});
    throw e;
  } finally {
    client.release();
  }
}
