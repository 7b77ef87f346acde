import { createHash } from "node:crypto";
import { hostname } from "node:os";
import pg from "pg";
import type PgBoss from "pg-boss";
import { postgresConnection } from "@/lib/db-client";
import { pidGone, PROCESS_ID } from "./process";
import type { JobStore } from "./store";
import type { AnyJobKind, RunRef } from "./types";

/**
 * The PostgreSQL store: a run's items are pg-boss jobs of a few tenants each ("chunks", one queue per
 * kind), shared by every console instance. Beside pg-boss's tables, in the job schema (never the
 * application's, whose tables come from the Prisma migrations only):
 *   job_instance  one row per live console instance, with a lease it renews (host and pid too, so an
 *                 instance of the same host that is gone is recognised at once);
 *   job_lease     per instance and run: its items in flight (progress counts them cluster-wide);
 *   job_slot      the run's concurrency as rows, each held by at most one instance: an instance works on
 *                 as many items as it holds slots, takes free slots up to a fair share and gives up a slot
 *                 only when it is idle, so the run's concurrency holds across instances at every moment;
 *   job_claim     the chunks each instance holds; an instance whose lease expired has its chunks handed
 *                 back to pg-boss (fail → retry) by whichever instance notices first;
 *   job_run       per run: its chunk size, how far its chunks are enqueued (next chunk number and the
 *                 last item enqueued, written in the transaction that inserts each page of chunks), whether
 *                 all are, and when the run ended (kept a week, so a late process never enqueues it again).
 * A run is enqueued under a session advisory lock of its own (released with the connection when a process
 * dies): the starter holds it while it enqueues, and a process that joins a run not fully enqueued either
 * sees it held (the starter is at it) or takes it and goes on from where the last page stopped. So every
 * item is in exactly one chunk, however starter and joiners interleave. Chunk job ids derive from run and
 * chunk number, so a page retried after a failure adds nothing twice. pg-boss's fetch orders by (priority desc, created_on, id); an index in
 * that order serves it (its own index does not), so a claim reads the jobs it takes, not every job waiting.
 * The planner only picks it once the queue's partition has statistics, so a run is also enqueued as a
 * window, not all at once: the first pages at the start, then one page more whenever a process claims the
 * first chunk of a page (it carries `refill`). However the claim is planned, it reads at most the window's
 * jobs, a number that does not grow with the run (the process adding a page first vacuums the partition,
 * whose indexes otherwise keep every claimed chunk's dead row versions). A refill that does not happen (its process died, or
 * another held the lock) is made up by the next process whose claim finds the queue empty (drained()).
 */

/** The store's own tables and indexes in the job schema (the DDL in ready() creates them). */
const STORE_RELATIONS = ["job_instance", "job_lease", "job_claim", "job_claim_instance", "job_run", "job_slot", "job_slot_instance", "tac_job_fetch"];

export type PostgresStoreOptions = {
  databaseUrl: string;
  /** The job schema; see jobSchemaFor. */
  schema?: string;
  instanceId?: string;
  /** How long an instance that stopped renewing keeps its chunks before the others take them over. */
  leaseTtlMs?: number;
  /** Items per enqueued page, and pages enqueued ahead of the work (tests make them small). */
  enqueuePage?: number;
  windowPages?: number;
};

export const LEASE_TTL_MS = 15_000;
const ENQUEUE_PAGE = 1000;
const WINDOW_PAGES = 2;
const MAX_CHUNK = 64;
/** A chunk job outlives any check (timeouts and Retry-After waits included); expiry is pg-boss's last resort. */
const JOB_EXPIRE_SECONDS = 4 * 3600;
const JOB_RETRY_LIMIT = 5;

/** `refill`: the first chunk of an enqueued page; whoever claims it enqueues the next page. */
type ChunkJob = { id: string; data: { runId: string; ids: string[]; refill?: true } };

/**
 * The job schema: PGBOSS_SCHEMA when set, else derived from the application's schema (`pgboss` beside
 * `public`, `<schema>_pgboss` beside any other), so each test schema gets a job schema of its own.
 */
export function jobSchemaFor(databaseUrl: string, explicit?: string): string {
  if (explicit) return explicit;
  const { schema } = postgresConnection(databaseUrl);
  return schema === "public" ? "pgboss" : `${schema}_pgboss`.slice(0, 50);
}

export function queueOf(kind: string) {
  return `tac-${kind}`;
}

/** How many items a chunk holds for a run of this concurrency: a few chunks fill an instance's share. */
export function chunkSizeFor(concurrency: number) {
  return Math.max(1, Math.min(MAX_CHUNK, Math.ceil(concurrency / 4)));
}

/** A uuid derived from run and chunk number (version 5 layout): enqueueing a chunk twice inserts one job. */
export function chunkJobId(runId: string, chunk: number): string {
  const h = createHash("sha256").update(`${runId}|${chunk}`).digest("hex");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

function executor(client: pg.Pool | pg.PoolClient) {
  return { executeSql: (text: string, values?: unknown[]) => client.query(text, values) };
}

/**
 * complete()/fail() of several jobs inside one of our transactions. pg-boss 10's typings offer
 * (name, ids, options) for arrays, but its implementation reads (name, ids, data, options): called as
 * typed, the options would be taken for the job's output and the statement would not join our transaction.
 */
function settleJobs(
  boss: PgBoss,
  op: "complete" | "fail",
  queue: string,
  ids: string[],
  data: object | null,
  client: pg.Pool | pg.PoolClient,
): Promise<unknown> {
  const fn = boss[op] as unknown as (name: string, ids: string[], data: object | null, options: { db: ReturnType<typeof executor> }) => Promise<unknown>;
  return fn.call(boss, queue, ids, data, { db: executor(client) });
}

async function inTransaction<T>(pool: pg.Pool, fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
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

export type PostgresJobStore = JobStore & {
  readonly instanceId: string;
  readonly schema: string;
  readonly pool: pg.Pool;
  /** Test hook: dies like a killed process (no hand-back, no lease removal), so the others must take over. */
  crashForTest(): Promise<void>;
};

export function createPostgresStore(options: PostgresStoreOptions): PostgresJobStore {
  const instanceId = options.instanceId ?? PROCESS_ID;
  const schema = jobSchemaFor(options.databaseUrl, options.schema);
  const s = `"${schema}"`;
  const leaseTtlMs = options.leaseTtlMs ?? LEASE_TTL_MS;
  const enqueuePage = options.enqueuePage ?? ENQUEUE_PAGE;
  const windowPages = options.windowPages ?? WINDOW_PAGES;
  const pool = new pg.Pool({ connectionString: postgresConnection(options.databaseUrl).connectionString, max: 6, application_name: "tac-jobs" });
  // An idle client losing its connection must not crash the process; the next query reconnects.
  pool.on("error", () => {});
  const knownQueues = new Set<string>();
  /** Refills under way (see claim), awaited by stop(). */
  const refills = new Set<Promise<void>>();
  let started: Promise<PgBoss> | null = null;
  let stopped = false;

  function ready(): Promise<PgBoss> {
    started ??= (async () => {
      const { default: PgBossClass } = await import("pg-boss");
      // pg-boss runs on our pool, so its statements can join our transactions (fetch + claim, complete + unclaim).
      const b = new PgBossClass({ db: executor(pool), schema, schedule: false, supervise: true });
      b.on("error", (e: Error) => console.error(`[jobs] pg-boss: ${e.message}`));
      await b.start();
      // Only when something is missing: even `IF NOT EXISTS`, CREATE INDEX takes a SHARE lock on its table,
      // which waits for (and can deadlock with) other instances' claims in flight on the job table.
      if (!(await storeTablesExist(pool)))
        await ddl(async (client) => {
          if (await storeTablesExist(client)) return;
          await client.query(`
          CREATE TABLE IF NOT EXISTS ${s}.job_instance (instance_id text PRIMARY KEY, host text NOT NULL, pid int NOT NULL, lease_until timestamptz NOT NULL);
          CREATE TABLE IF NOT EXISTS ${s}.job_lease (instance_id text NOT NULL, run_id text NOT NULL, in_flight int NOT NULL DEFAULT 0, PRIMARY KEY (instance_id, run_id));
          CREATE TABLE IF NOT EXISTS ${s}.job_claim (job_id uuid PRIMARY KEY, run_id text NOT NULL, queue text NOT NULL, instance_id text NOT NULL, claimed_at timestamptz NOT NULL DEFAULT now());
          CREATE INDEX IF NOT EXISTS job_claim_instance ON ${s}.job_claim (instance_id);
          CREATE TABLE IF NOT EXISTS ${s}.job_run (run_id text PRIMARY KEY, chunk_size int NOT NULL, enqueued boolean NOT NULL DEFAULT false);
          ALTER TABLE ${s}.job_run ADD COLUMN IF NOT EXISTS next_chunk int NOT NULL DEFAULT 0, ADD COLUMN IF NOT EXISTS after_id text,
            ADD COLUMN IF NOT EXISTS ended_at timestamptz;
          CREATE TABLE IF NOT EXISTS ${s}.job_slot (run_id text NOT NULL, slot int NOT NULL, instance_id text, PRIMARY KEY (run_id, slot));
          CREATE INDEX IF NOT EXISTS job_slot_instance ON ${s}.job_slot (instance_id);
          CREATE INDEX IF NOT EXISTS tac_job_fetch ON ${s}.job (name, priority DESC, created_on, id) WHERE state < 'active';
        `);
        });
      await register();
      return b;
    })();
    return started;
  }

  /** Whether every table, index and column of ours exists (catalog reads: no lock on the tables). */
  async function storeTablesExist(client: pg.Pool | pg.PoolClient): Promise<boolean> {
    const { rows } = await client.query<{ ok: boolean }>(
      `SELECT (SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                WHERE n.nspname = $1 AND c.relname = ANY($2::text[])) = cardinality($2::text[])
          AND EXISTS (SELECT 1 FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
                WHERE n.nspname = $1 AND c.relname = 'job_run' AND a.attname = 'ended_at' AND NOT a.attisdropped) AS ok`,
      [schema, STORE_RELATIONS],
    );
    return rows[0]?.ok === true;
  }

  /**
   * pg-boss creates a partition of its job table per queue, and our tables and index are DDL too: DDL
   * that deadlocks when instances do it at once. Every instance serializes it on one advisory lock, and
   * a deadlock that still happens is retried, as PostgreSQL recommends for 40P01.
   */
  async function ddl<T>(fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      const client = await pool.connect();
      try {
        await client.query(`SELECT pg_advisory_lock(hashtextextended('tac-jobs-ddl:' || $1, 0))`, [schema]);
        try {
          return await fn(client);
        } finally {
          await client.query(`SELECT pg_advisory_unlock(hashtextextended('tac-jobs-ddl:' || $1, 0))`, [schema]);
        }
      } catch (e) {
        if ((e as { code?: string })?.code !== "40P01" || attempt >= 5) throw e;
        await new Promise((r) => setTimeout(r, 20 * attempt + Math.random() * 50));
      } finally {
        client.release();
      }
    }
  }

  /** The table pg-boss keeps a queue's jobs in, as its queue table names it (read once per queue). */
  const partitions = new Map<string, string>();
  async function partitionOf(queue: string): Promise<string> {
    const known = partitions.get(queue);
    if (known) return known;
    const { rows } = await pool.query<{ partition_name: string }>(`SELECT partition_name FROM ${s}.queue WHERE name = $1`, [queue]);
    const name = rows[0]?.partition_name;
    if (!name) throw new Error(`pg-boss has no queue named ${queue}`);
    partitions.set(queue, name);
    return name;
  }

  async function ensureQueue(name: string, queueOptions: { retryLimit: number; expireInSeconds: number }) {
    if (knownQueues.has(name)) return;
    const b = await ready();
    await ddl(() =>
      b.createQueue(name, { name, policy: "standard", retryLimit: queueOptions.retryLimit, retryDelay: 0, expireInSeconds: queueOptions.expireInSeconds }),
    );
    knownQueues.add(name);
  }

  async function register() {
    await pool.query(
      `INSERT INTO ${s}.job_instance (instance_id, host, pid, lease_until) VALUES ($1, $2, $3, now() + $4 * interval '1 millisecond')
       ON CONFLICT (instance_id) DO UPDATE SET lease_until = EXCLUDED.lease_until`,
      [instanceId, hostname(), process.pid, leaseTtlMs],
    );
  }

  /** Hands the chunks of instances that are gone (lease expired, or a process of this host that no longer exists) back to pg-boss. */
  async function reap() {
    const { rows: others } = await pool.query<{ instance_id: string; host: string; pid: number; expired: boolean }>(
      `SELECT instance_id, host, pid, lease_until < now() AS expired FROM ${s}.job_instance WHERE instance_id <> $1`,
      [instanceId],
    );
    const dead = others.filter((o) => o.expired || pidGone(o.host, o.pid)).map((o) => o.instance_id);
    if (dead.length === 0) return;
    const b = await ready();
    await inTransaction(pool, async (client) => {
      const { rows } = await client.query<{ job_id: string; queue: string }>(
        `WITH gone AS (DELETE FROM ${s}.job_instance WHERE instance_id = ANY($1::text[]) RETURNING instance_id),
              leases AS (DELETE FROM ${s}.job_lease l USING gone WHERE l.instance_id = gone.instance_id),
              slots AS (UPDATE ${s}.job_slot t SET instance_id = NULL FROM gone WHERE t.instance_id = gone.instance_id)
         DELETE FROM ${s}.job_claim c USING gone WHERE c.instance_id = gone.instance_id RETURNING c.job_id, c.queue`,
        [dead],
      );
      const byQueue = new Map<string, string[]>();
      for (const r of rows) byQueue.set(r.queue, [...(byQueue.get(r.queue) ?? []), r.job_id]);
      for (const [queue, ids] of byQueue) await settleJobs(b, "fail", queue, ids, { reason: "instance gone" }, client);
    });
  }

  const chunkSizes = new Map<string, number>();
  async function chunkSizeOf(runId: string): Promise<number> {
    let size = chunkSizes.get(runId);
    if (size === undefined) {
      const { rows } = await pool.query<{ chunk_size: number }>(`SELECT chunk_size FROM ${s}.job_run WHERE run_id = $1`, [runId]);
      // Not planned yet (its starter is about to): a guess for this claim only.
      if (!rows[0]) return MAX_CHUNK;
      size = rows[0].chunk_size;
      chunkSizes.set(runId, size);
      if (chunkSizes.size > 20) chunkSizes.delete(chunkSizes.keys().next().value!);
    }
    return size;
  }

  type RunState = { chunk_size: number; enqueued: boolean; next_chunk: number; after_id: string | null; ended: boolean };
  async function runState(client: pg.Pool | pg.PoolClient, runId: string): Promise<RunState | undefined> {
    const { rows } = await client.query<RunState>(
      `SELECT chunk_size, enqueued, next_chunk, after_id, ended_at IS NOT NULL AS ended FROM ${s}.job_run WHERE run_id = $1`,
      [runId],
    );
    return rows[0];
  }

  /** Runs `fn` holding the run's enqueue lock; `wait: false` gives up (false) when another process holds it. */
  async function withEnqueueLock(runId: string, wait: boolean, fn: (client: pg.PoolClient) => Promise<void>): Promise<boolean> {
    const client = await pool.connect();
    try {
      const key = `hashtextextended('tac-enqueue:' || $1, 0)`;
      if (wait) await client.query(`SELECT pg_advisory_lock(${key})`, [runId]);
      else {
        const { rows } = await client.query<{ locked: boolean }>(`SELECT pg_try_advisory_lock(${key}) AS locked`, [runId]);
        if (!rows[0]?.locked) return false;
      }
      try {
        await fn(client);
        return true;
      } finally {
        await client.query(`SELECT pg_advisory_unlock(${key})`, [runId]);
      }
    } finally {
      client.release();
    }
  }

  /**
   * Enqueues up to `pages` pages of the run's chunks from where the last page stopped, holding the run's
   * enqueue lock: nothing for a run enqueued already or ended. Each page's chunks and the position after
   * them are stored in one transaction. `concurrency` plans the run's chunk size when it has none yet
   * (null: a refill, whose run is planned).
   */
  async function enqueue(run: RunRef, kind: AnyJobKind, concurrency: number | null, wait: boolean, pages: number): Promise<void> {
    const b = await ready();
    const queue = queueOf(kind.name);
    await ensureQueue(queue, { retryLimit: JOB_RETRY_LIMIT, expireInSeconds: JOB_EXPIRE_SECONDS });
    await withEnqueueLock(run.id, wait, async (client) => {
      if (concurrency !== null)
        await client.query(`INSERT INTO ${s}.job_run (run_id, chunk_size) VALUES ($1, $2) ON CONFLICT DO NOTHING`, [run.id, chunkSizeFor(concurrency)]);
      const state = await runState(client, run.id);
      if (!state || state.enqueued || state.ended) return;
      let { next_chunk: chunk, after_id: after } = state;
      // A window moving on: the chunks claimed and done since the last page left dead row versions behind,
      // still in the queue's indexes until vacuumed, and a claim's index scan steps over every one of them.
      // Vacuuming the queue's partition here (skipped when another vacuum holds it) keeps that to a window.
      if (chunk > 0) await client.query(`VACUUM (SKIP_LOCKED) ${s}.${pg.escapeIdentifier(await partitionOf(queue))}`);
      for (let page = 0; page < pages; page++) {
        const ids: string[] = await kind.scopeIds(run, after, enqueuePage);
        const jobs: { id: string; name: string; data: ChunkJob["data"] }[] = [];
        for (let i = 0; i < ids.length; i += state.chunk_size) {
          const data: ChunkJob["data"] = { runId: run.id, ids: ids.slice(i, i + state.chunk_size) };
          if (i === 0) data.refill = true;
          jobs.push({ id: chunkJobId(run.id, chunk++), name: queue, data });
        }
        after = ids.at(-1) ?? after;
        const last = ids.length < enqueuePage;
        await client.query("BEGIN");
        try {
          if (jobs.length > 0) await b.insert(jobs, { db: executor(client) });
          await client.query(`UPDATE ${s}.job_run SET next_chunk = $2, after_id = $3, enqueued = $4 WHERE run_id = $1`, [run.id, chunk, after, last]);
          await client.query("COMMIT");
        } catch (e) {
          await client.query("ROLLBACK").catch(() => {});
          throw e;
        }
        if (last) return;
      }
    });
  }

  return {
    name: "postgres",
    leaseMs: leaseTtlMs,
    instanceId,
    schema,
    pool,

    async join(run) {
      await ready();
      await pool.query(`INSERT INTO ${s}.job_lease (instance_id, run_id) VALUES ($1, $2) ON CONFLICT DO NOTHING`, [instanceId, run.id]);
      return true;
    },

    async prepare(run, kind, concurrency) {
      await enqueue(run, kind, concurrency, true, windowPages);
    },

    async claim(run, kind, items) {
      const b = await ready();
      const queue = queueOf(kind.name);
      await ensureQueue(queue, { retryLimit: JOB_RETRY_LIMIT, expireInSeconds: JOB_EXPIRE_SECONDS });
      const size = await chunkSizeOf(run.id);
      const jobs = await inTransaction(pool, async (client) => {
        for (;;) {
          const fetched = (await b.fetch<ChunkJob["data"]>(queue, { batchSize: Math.max(1, Math.ceil(items / size)), db: executor(client) })) as ChunkJob[];
          // A job of a run that ended without its leftovers dropped is done: nothing of it is worked on.
          const stale = fetched.filter((j) => j.data.runId !== run.id).map((j) => j.id);
          if (stale.length > 0) await settleJobs(b, "complete", queue, stale, null, client);
          const ours = fetched.filter((j) => j.data.runId === run.id);
          if (ours.length > 0) {
            await client.query(
              `INSERT INTO ${s}.job_claim (job_id, run_id, queue, instance_id) SELECT unnest($1::uuid[]), $2, $3, $4
               ON CONFLICT (job_id) DO UPDATE SET instance_id = EXCLUDED.instance_id, claimed_at = now()`,
              [ours.map((j) => j.id), run.id, queue, instanceId],
            );
          }
          if (ours.length > 0 || stale.length === 0) return ours;
        }
      });
      // The window moves on: one page more, by whichever process holds the lock now (none waits for it).
      if (jobs.some((j) => j.data.refill) && !stopped) {
        const refill = enqueue(run, kind, null, false, 1)
          .catch((e: unknown) => {
            if (!stopped) console.error(`[jobs] ${run.kind} run ${run.id}: enqueueing its next page failed: ${e instanceof Error ? e.message : String(e)}`);
          })
          .finally(() => refills.delete(refill));
        refills.add(refill);
      }
      return jobs.map((j) => ({ id: j.id, itemIds: j.data.ids }));
    },

    async settle(run, chunk) {
      const b = await ready();
      await inTransaction(pool, async (client) => {
        await settleJobs(b, "complete", queueOf(run.kind), [chunk.id], null, client);
        await client.query(`DELETE FROM ${s}.job_claim WHERE job_id = $1 AND instance_id = $2`, [chunk.id, instanceId]);
      });
    },

    async release(run, chunks) {
      if (chunks.length === 0) return;
      const b = await ready();
      const ids = chunks.map((c) => c.id);
      await inTransaction(pool, async (client) => {
        await settleJobs(b, "fail", queueOf(run.kind), ids, { reason: "released" }, client);
        await client.query(`DELETE FROM ${s}.job_claim WHERE job_id = ANY($1::uuid[]) AND instance_id = $2`, [ids, instanceId]);
      });
    },

    async drained(run, kind, concurrency) {
      await ready();
      const state = await runState(pool, run.id);
      // Ended (by another process, a moment ago): nothing more of it will ever be enqueued or worked on.
      if (state?.ended) return true;
      // Not all enqueued: the starter is at it (its lock is held, wait for it), or it died doing it, or has
      // not begun (this process finishes it, from where it stopped).
      if (!state?.enqueued) {
        await enqueue(run, kind, concurrency, false, windowPages);
        return false;
      }
      const open = await pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${s}.job WHERE name = $1 AND state < 'completed' AND data->>'runId' = $2`, [
        queueOf(kind.name),
        run.id,
      ]);
      return (open.rows[0]?.n ?? 0) === 0;
    },

    async share(run, concurrency, inUse) {
      await ready();
      return inTransaction(pool, async (client) => {
        // Rebalancing is serialized per run, so two instances never take the same free slot or count on it.
        await client.query(`SELECT pg_advisory_xact_lock(hashtextextended('tac-slots:' || $1, 0))`, [run.id]);
        await client.query(`INSERT INTO ${s}.job_slot (run_id, slot) SELECT $1, generate_series(0, $2 - 1) ON CONFLICT DO NOTHING`, [run.id, concurrency]);
        const { rows: live } = await client.query<{ instance_id: string }>(
          `SELECT l.instance_id FROM ${s}.job_lease l JOIN ${s}.job_instance i USING (instance_id) WHERE l.run_id = $1 AND i.lease_until > now() ORDER BY l.instance_id`,
          [run.id],
        );
        const n = Math.max(1, live.length);
        const rank = Math.max(
          0,
          live.findIndex((r) => r.instance_id === instanceId),
        );
        // Fair shares add up to the run's concurrency: the remainder goes to the first instances by id.
        const fair = Math.floor(concurrency / n) + (rank < concurrency % n ? 1 : 0);
        const { rows } = await client.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${s}.job_slot WHERE run_id = $1 AND instance_id = $2`, [
          run.id,
          instanceId,
        ]);
        let held = rows[0]?.n ?? 0;
        if (held > fair) {
          const give = Math.min(held - fair, Math.max(0, held - inUse));
          if (give > 0) {
            const r = await client.query(
              `UPDATE ${s}.job_slot SET instance_id = NULL WHERE (run_id, slot) IN (SELECT run_id, slot FROM ${s}.job_slot WHERE run_id = $1 AND instance_id = $2 LIMIT $3)`,
              [run.id, instanceId, give],
            );
            held -= r.rowCount ?? 0;
          }
        } else if (held < fair) {
          const r = await client.query(
            `UPDATE ${s}.job_slot SET instance_id = $2 WHERE (run_id, slot) IN (SELECT run_id, slot FROM ${s}.job_slot WHERE run_id = $1 AND instance_id IS NULL LIMIT $3)`,
            [run.id, instanceId, fair - held],
          );
          held += r.rowCount ?? 0;
        }
        // Above a fair share (others joined), no new item starts until enough have finished to give slots back.
        return Math.min(held, fair);
      });
    },

    async heartbeat(run, inFlight) {
      await ready();
      const renewed = await pool.query(`UPDATE ${s}.job_instance SET lease_until = now() + $2 * interval '1 millisecond' WHERE instance_id = $1`, [
        instanceId,
        leaseTtlMs,
      ]);
      await reap().catch((e: unknown) => console.error(`[jobs] reaping failed: ${e instanceof Error ? e.message : "error"}`));
      if (renewed.rowCount === 0) {
        // Another instance found our lease expired and handed our chunks back: whatever we hold is theirs now.
        await register();
        await pool.query(`INSERT INTO ${s}.job_lease (instance_id, run_id, in_flight) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`, [
          instanceId,
          run.id,
          inFlight,
        ]);
        return false;
      }
      await pool.query(
        `INSERT INTO ${s}.job_lease (instance_id, run_id, in_flight) VALUES ($1, $2, $3) ON CONFLICT (instance_id, run_id) DO UPDATE SET in_flight = EXCLUDED.in_flight`,
        [instanceId, run.id, inFlight],
      );
      return true;
    },

    async inFlight(run, local) {
      await ready();
      const { rows } = await pool.query<{ n: number }>(
        `SELECT coalesce(sum(l.in_flight), 0)::int AS n FROM ${s}.job_lease l JOIN ${s}.job_instance i USING (instance_id) WHERE l.run_id = $1 AND l.instance_id <> $2 AND i.lease_until > now()`,
        [run.id, instanceId],
      );
      return (rows[0]?.n ?? 0) + local;
    },

    async leave(run) {
      await pool.query(`DELETE FROM ${s}.job_lease WHERE instance_id = $1 AND run_id = $2`, [instanceId, run.id]);
      await pool.query(`UPDATE ${s}.job_slot SET instance_id = NULL WHERE run_id = $1 AND instance_id = $2`, [run.id, instanceId]);
    },

    async ended(run) {
      await ready();
      // After any enqueueing in progress (a run cancelled while its starter enqueues), and marked so that
      // none starts again: a process still finishing its loop must not take the run for unenqueued.
      await withEnqueueLock(run.id, true, async (client) => {
        await client.query(
          `INSERT INTO ${s}.job_run (run_id, chunk_size, ended_at) VALUES ($1, 1, now()) ON CONFLICT (run_id) DO UPDATE SET ended_at = coalesce(${s}.job_run.ended_at, now())`,
          [run.id],
        );
        await client.query(`DELETE FROM ${s}.job WHERE name = $1 AND data->>'runId' = $2`, [queueOf(run.kind), run.id]);
      });
      await pool.query(`DELETE FROM ${s}.job_claim WHERE run_id = $1`, [run.id]);
      await pool.query(`DELETE FROM ${s}.job_lease WHERE run_id = $1`, [run.id]);
      await pool.query(`DELETE FROM ${s}.job_slot WHERE run_id = $1`, [run.id]);
      await pool.query(`DELETE FROM ${s}.job_run WHERE ended_at < now() - interval '7 days'`);
    },

    async stop() {
      if (stopped) return;
      stopped = true;
      await Promise.all(refills);
      if (started) {
        const b = await started.catch(() => null);
        // Chunks still held go back at once, not after the lease.
        if (b) {
          const { rows } = await pool
            .query<{ job_id: string; queue: string }>(`DELETE FROM ${s}.job_claim WHERE instance_id = $1 RETURNING job_id, queue`, [instanceId])
            .catch(() => ({ rows: [] }));
          for (const r of rows) await settleJobs(b, "fail", r.queue, [r.job_id], { reason: "instance stopped" }, pool).catch(() => {});
        }
        await pool.query(`DELETE FROM ${s}.job_lease WHERE instance_id = $1`, [instanceId]).catch(() => {});
        await pool.query(`UPDATE ${s}.job_slot SET instance_id = NULL WHERE instance_id = $1`, [instanceId]).catch(() => {});
        await pool.query(`DELETE FROM ${s}.job_instance WHERE instance_id = $1`, [instanceId]).catch(() => {});
        await b?.stop({ graceful: false, close: false }).catch(() => {});
      }
      await pool.end().catch(() => {});
    },

    async crashForTest() {
      stopped = true;
      const b = await started?.catch(() => null);
      await b?.stop({ graceful: false, close: false }).catch(() => {});
      await pool.end().catch(() => {});
    },
  };
}
