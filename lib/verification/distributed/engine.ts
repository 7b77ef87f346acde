import { randomUUID } from "node:crypto";
import { setMaxListeners } from "node:events";
import type pg from "pg";
import PgBoss from "pg-boss";
import { recordAudit, systemActor } from "@/lib/audit";
import { db } from "@/lib/db";
import { CallCancelledError } from "@/lib/entra/http";
import type { ProviderInput } from "../check";
import { retryPolicyFromEnv, runCheck } from "../engine";
import { outcomeWrites } from "@/lib/tenants/status";
import type { VerificationOutcome } from "../outcome";
import { loadProvider, loadTenantsByIds, type LoadedTenant } from "../store";
import { createPool, ensureTables, executor, inTransaction, jobSchemaFor, SCHEDULE_QUEUE, TENANT_QUEUE_PREFIX, tenantJobId, tenantQueue } from "./store";
import { isPrismaError } from "@/lib/db-client";

/**
 * Verify All on PostgreSQL, shared by every console instance through pg-boss.
 *
 * A run's tenants are jobs in a pg-boss queue of their own (one per run, dropped when the run ends),
 * with ids derived from run and tenant so enqueueing is idempotent and any instance can (re)do it.
 * Each instance takes jobs inside a transaction that holds the run's advisory lock and counts the
 * run's claims, so at most `concurrency` tenants are in flight cluster-wide and each instance gets a
 * fair share. Results are written with a fence on the run row (a cancelled run gets nothing more),
 * then the job is completed and the claim dropped. An instance renews its lease; when a lease expires
 * the others hand its claimed jobs back to pg-boss (fail → retry), and whoever takes one skips a
 * tenant that already has a result in the run. Whoever sees the queue empty completes the run.
 */

export type EngineOptions = {
  databaseUrl: string;
  /** The job schema (pg-boss and the tables in ./store.ts); see jobSchemaFor. */
  schema?: string;
  instanceId?: string;
  /** How long an instance that stopped renewing keeps its jobs before the others take them over. */
  leaseTtlMs?: number;
  heartbeatMs?: number;
  /** How often an instance looks for the active run and free capacity. */
  pollMs?: number;
};

type RunRow = { id: string; status: string; concurrency: number; scope: string | null; startedAt: Date };
type TenantJob = { id: string; data: { runId: string; tenantId: string } };
type Claimed = { job: TenantJob; outcome: VerificationOutcome | null };

export const LEASE_TTL_MS = 15_000;
const HEARTBEAT_MS = 2_000;
const POLL_MS = 250;
const FINISH_CHECK_MS = 300;
const ENQUEUE_PAGE = 1000;
const WRITE_BATCH = 200;
/** A job outlives any check (timeouts and Retry-After waits included); expiry is pg-boss's last resort. */
const JOB_EXPIRE_SECONDS = 4 * 3600;
const JOB_RETRY_LIMIT = 5;

class RunNotRunningError extends Error {}

/**
 * complete()/fail() of several jobs inside one of our transactions. pg-boss 10's typings offer
 * (name, ids, options) for arrays, but its implementation reads (name, ids, data, options): called as
 * typed, the options would be taken for the job's output and the statement would not join our transaction.
 */
function settleJobs(boss: PgBoss, op: "complete" | "fail", queue: string, ids: string[], data: object | null, client: pg.Pool | pg.PoolClient): Promise<unknown> {
  const fn = boss[op] as unknown as (name: string, ids: string[], data: object | null, options: { db: ReturnType<typeof executor> }) => Promise<unknown>;
  return fn(queue, ids, data, { db: executor(client) });
}


/** The run this instance is working on: its abort signal, jobs held (claimed and not finished) and the write queue. */
class RunWork {
  readonly controller = new AbortController();
  readonly queue: string;
  held = 0;
  /** Claimed jobs whose check has not ended: the slots this instance uses. */
  active = 0;
  /** Jobs whose check ended since the last claim: their slots are freed in the next claim transaction. */
  ended: string[] = [];
  readonly checking = new Set<string>();
  readonly pending: Claimed[] = [];
  writing: Promise<void> | null = null;
  provider: Promise<ProviderInput> | null = null;
  lastFinishCheck = 0;
  constructor(readonly run: RunRow) {
    this.queue = tenantQueue(run.id);
    setMaxListeners(0, this.controller.signal);
  }
}

export class DistributedEngine {
  readonly instanceId: string;
  readonly schema: string;
  readonly pool: pg.Pool;
  readonly boss: PgBoss;
  /** Checks this instance finished and wrote, and jobs it skipped (already had a result, tenant gone). */
  readonly stats = { verified: 0, skipped: 0, released: 0 };
  private readonly leaseTtlMs: number;
  private readonly heartbeatMs: number;
  private readonly pollMs: number;
  private started: Promise<void> | null = null;
  private working = false;
  private stopped = false;
  private current: RunWork | null = null;
  private retiring = new Set<Promise<void>>();
  private timers: NodeJS.Timeout[] = [];
  private pumping = false;
  private pumpAgain = false;
  private wakeTimer: NodeJS.Timeout | null = null;
  private lastRenewal = Date.now();
  private knownQueues = new Set<string>();

  constructor(options: EngineOptions) {
    this.instanceId = options.instanceId ?? randomUUID();
    this.schema = jobSchemaFor(options.databaseUrl, options.schema);
    this.leaseTtlMs = options.leaseTtlMs ?? LEASE_TTL_MS;
    this.heartbeatMs = options.heartbeatMs ?? HEARTBEAT_MS;
    this.pollMs = options.pollMs ?? POLL_MS;
    this.pool = createPool(options.databaseUrl, 6);
    // pg-boss runs on our pool, so its statements can join our transactions (fetch + claim, complete + unclaim).
    this.boss = new PgBoss({ db: executor(this.pool), schema: this.schema, schedule: false, supervise: true });
    this.boss.on("error", (e: Error) => console.error(`pg-boss: ${e.message}`));
  }

  private get s() {
    return `"${this.schema}"`;
  }

  /** Installs pg-boss and the engine's tables (idempotent). Reading progress needs no more than this. */
  ready(): Promise<void> {
    this.started ??= (async () => {
      await this.boss.start();
      await ensureTables(this.pool, this.schema);
    })();
    return this.started;
  }

  /** Takes part in the active run (and every later one) until stop(). */
  async work(): Promise<void> {
    if (this.stopped) throw new Error("engine stopped");
    await this.ready();
    if (this.working) return;
    this.working = true;
    await this.renewLease();
    const every = (ms: number, fn: () => Promise<unknown>) => {
      const t = setInterval(() => void fn().catch((e: unknown) => this.stopped || console.error(`verification engine: ${e instanceof Error ? e.message : "error"}`)), ms);
      t.unref();
      this.timers.push(t);
    };
    every(this.heartbeatMs, () => this.heartbeat());
    every(this.pollMs, () => this.pump());
    await this.pump();
  }

  isWorking() {
    return this.working && !this.stopped;
  }

  /** Called by the instance that created the run: creates its queue and enqueues its tenants, then works on it. */
  async runStarted(runId: string): Promise<void> {
    await this.ready();
    const run = await db.verificationRun.findUniqueOrThrow({ where: { id: runId } });
    await this.dropFinishedQueues(runId).catch(() => {});
    await this.ensureQueue(tenantQueue(runId));
    // The first page is enough to start; the rest is enqueued meanwhile (and by any instance that finds the queue empty).
    await this.enqueuePending(run, 1);
    void this.work().then(() => this.enqueuePending(run)).catch((e: unknown) => console.error(`verification run ${runId}: enqueue failed: ${e instanceof Error ? e.message : "error"}`));
  }

  /** After the run row was set CANCELLED: stop here at once, drop its queued jobs; the others stop at their next poll. */
  async runCancelled(runId: string): Promise<void> {
    await this.ready();
    if (this.current?.run.id === runId) this.retire();
    await this.dropRun(runId);
  }

  /**
   * Forgets a finished run's jobs and claims and drops its queue. pg-boss refuses to delete a queue
   * that still has jobs (its foreign key is ON DELETE RESTRICT), so the jobs go first; should a job be
   * handed back in between, the queue is dropped when the next run starts (dropFinishedQueues).
   */
  private async dropRun(runId: string) {
    const queue = tenantQueue(runId);
    await this.pool.query(`DELETE FROM ${this.s}.verify_claim WHERE run_id = $1`, [runId]);
    await this.pool.query(`DELETE FROM ${this.s}.job WHERE name = $1`, [queue]);
    await this.queueDdl(() => this.boss.deleteQueue(queue)).catch(() => {});
    this.knownQueues.delete(queue);
  }

  private async dropFinishedQueues(activeRunId: string) {
    const queues = await this.boss.getQueues();
    for (const q of queues) {
      if (q.name.startsWith(TENANT_QUEUE_PREFIX) && q.name !== tenantQueue(activeRunId)) await this.dropRun(q.name.slice(TENANT_QUEUE_PREFIX.length));
    }
  }

  /** Resolves when the run is no longer RUNNING (whichever instance ended it), or this engine stopped. */
  async waitForRun(runId: string): Promise<void> {
    for (;;) {
      const run = await db.verificationRun.findUnique({ where: { id: runId }, select: { status: true } });
      if (!run || run.status !== "RUNNING" || this.stopped) return;
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  /** In flight across every instance (the run's claims) and completions in the last minute, from the database. */
  async liveStats(runId: string, startedAt: Date): Promise<{ inFlight: number; ratePerSecond: number }> {
    await this.ready();
    const windowMs = Math.min(60_000, Date.now() - startedAt.getTime());
    const [claims, recent] = await Promise.all([
      this.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${this.s}.verify_claim WHERE run_id = $1 AND checking`, [runId]),
      db.verificationResult.count({ where: { runId, finishedAt: { gte: new Date(Date.now() - windowMs) } } }),
    ]);
    return { inFlight: claims.rows[0]?.n ?? 0, ratePerSecond: windowMs > 0 ? recent / (windowMs / 1000) : 0 };
  }

  /**
   * Runs `tick` about every `tickMs` once cluster-wide: every instance offers a tick, pg-boss keeps
   * one job per interval (throttled by singleton slot), and one instance's worker runs it.
   */
  async startScheduler(tick: () => Promise<unknown>, tickMs: number): Promise<() => Promise<void>> {
    await this.ready();
    await this.ensureQueue(SCHEDULE_QUEUE, { retryLimit: 0, expireInSeconds: 600 });
    const seconds = Math.max(1, Math.round(tickMs / 1000));
    const workerId = await this.boss.work(SCHEDULE_QUEUE, { pollingIntervalSeconds: Math.max(0.5, Math.min(2, seconds / 2)) }, async () => {
      await tick();
    });
    const offer = () => void this.boss.sendThrottled(SCHEDULE_QUEUE, {}, { retryLimit: 0 }, seconds, "tick").catch(() => {});
    offer();
    const timer = setInterval(offer, Math.max(250, Math.floor(tickMs / 2)));
    timer.unref();
    return async () => {
      clearInterval(timer);
      await this.boss.offWork({ id: workerId });
    };
  }

  /** Leaves the cluster: in-flight checks are abandoned and their jobs handed back at once (not after the lease). */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    for (const t of this.timers) clearInterval(t);
    if (this.wakeTimer) clearTimeout(this.wakeTimer);
    this.retire();
    await Promise.all([...this.retiring]);
    if (this.started) {
      await this.started.catch(() => {});
      await this.pool.query(`DELETE FROM ${this.s}.verify_instance WHERE instance_id = $1`, [this.instanceId]).catch(() => {});
      await this.boss.stop({ graceful: false, close: false }).catch(() => {});
    }
    await this.pool.end().catch(() => {});
  }

  /** Test hook: dies like a killed process (no hand-back, no lease removal), so the others must take over. */
  async crashForTest(): Promise<void> {
    this.stopped = true;
    for (const t of this.timers) clearInterval(t);
    const work = this.current;
    this.current = null;
    if (work) {
      work.pending.length = 0;
      work.controller.abort();
    }
    await this.boss.stop({ graceful: false, close: false }).catch(() => {});
    await this.pool.end().catch(() => {});
  }

  /** Local in-flight checks of this instance (tests compare it with the cluster-wide count). */
  localInFlight() {
    return this.current?.checking.size ?? 0;
  }

  private async ensureQueue(name: string, options: { retryLimit?: number; expireInSeconds?: number } = {}) {
    if (this.knownQueues.has(name)) return;
    await this.queueDdl(() => this.boss.createQueue(name, { name, policy: "standard", retryLimit: options.retryLimit ?? JOB_RETRY_LIMIT, retryDelay: 0, expireInSeconds: options.expireInSeconds ?? JOB_EXPIRE_SECONDS }));
    this.knownQueues.add(name);
  }

  /**
   * pg-boss creates and drops a partition of its job table per queue: DDL that deadlocks when two
   * instances (or a run's end and the next run's start) do it at once. Every instance serializes it on
   * one session advisory lock, and a deadlock that still happens (another statement of pg-boss's) is
   * retried, as PostgreSQL recommends for 40P01.
   */
  private async queueDdl<T>(fn: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      const client = await this.pool.connect();
      try {
        await client.query(`SELECT pg_advisory_lock(hashtextextended('tac-verify-queue-ddl', 0))`);
        try {
          return await fn();
        } finally {
          await client.query(`SELECT pg_advisory_unlock(hashtextextended('tac-verify-queue-ddl', 0))`);
        }
      } catch (e) {
        if ((e as { code?: string })?.code !== "40P01" || attempt >= 5) throw e;
        await new Promise((r) => setTimeout(r, 20 * attempt + Math.random() * 50));
      } finally {
        client.release();
      }
    }
  }

  /**
   * Enqueues every tenant of the run that has no result yet (all pages, or `pages`). Job ids are
   * derived from run and tenant, so a tenant already queued, running or done is not queued again.
   */
  private async enqueuePending(run: RunRow, pages = Infinity) {
    const scope = run.scope ? (JSON.parse(run.scope) as string[]) : null;
    const queue = tenantQueue(run.id);
    let after: string | null = null;
    for (let page = 0; page < pages; page++) {
      const rows: { id: string }[] = await db.tenant.findMany({
        where: {
          ...(after !== null || scope ? { id: { ...(after !== null ? { gt: after } : {}), ...(scope ? { in: scope } : {}) } } : {}),
          results: { none: { runId: run.id } },
        },
        orderBy: { id: "asc" },
        take: ENQUEUE_PAGE,
        select: { id: true },
      });
      if (rows.length === 0) return;
      after = rows[rows.length - 1]!.id;
      await this.boss.insert(rows.map((t) => ({ id: tenantJobId(run.id, t.id), name: queue, data: { runId: run.id, tenantId: t.id } })));
      this.wake();
      if (rows.length < ENQUEUE_PAGE) return;
    }
  }

  private async renewLease() {
    const runId = this.current?.run.id ?? null;
    await this.pool.query(
      `INSERT INTO ${this.s}.verify_instance (instance_id, run_id, lease_until) VALUES ($1, $2, now() + $3 * interval '1 millisecond')
       ON CONFLICT (instance_id) DO UPDATE SET run_id = EXCLUDED.run_id, lease_until = EXCLUDED.lease_until`,
      [this.instanceId, runId, this.leaseTtlMs],
    );
    this.lastRenewal = Date.now();
  }

  private async heartbeat() {
    if (this.stopped) return;
    if (Date.now() - this.lastRenewal > this.leaseTtlMs && this.current) {
      // Our lease ran out (database unreachable, process stalled): the others may own our jobs by now.
      this.retire();
    }
    const { rowCount } = await this.pool.query(
      `UPDATE ${this.s}.verify_instance SET lease_until = now() + $2 * interval '1 millisecond', run_id = $3 WHERE instance_id = $1`,
      [this.instanceId, this.leaseTtlMs, this.current?.run.id ?? null],
    );
    if (rowCount === 0) {
      // Another instance found our lease expired and handed our jobs back: drop what we still hold.
      this.retire();
      await this.renewLease();
    } else {
      this.lastRenewal = Date.now();
    }
    await this.reapExpired();
    if (this.current) await db.verificationRun.updateMany({ where: { id: this.current.run.id, status: "RUNNING" }, data: { heartbeatAt: new Date() } });
  }

  /** Hands the jobs of instances whose lease expired back to pg-boss, which retries them at once. */
  private async reapExpired() {
    await inTransaction(this.pool, async (client) => {
      const { rows } = await client.query<{ job_id: string; run_id: string }>(
        `WITH dead AS (DELETE FROM ${this.s}.verify_instance WHERE lease_until < now() RETURNING instance_id)
         DELETE FROM ${this.s}.verify_claim c USING dead WHERE c.instance_id = dead.instance_id RETURNING c.job_id, c.run_id`,
      );
      const byRun = new Map<string, string[]>();
      for (const r of rows) byRun.set(r.run_id, [...(byRun.get(r.run_id) ?? []), r.job_id]);
      for (const [runId, ids] of byRun) await settleJobs(this.boss, "fail", tenantQueue(runId), ids, { reason: "instance lease expired" }, client);
    });
  }

  private wake() {
    if (this.wakeTimer || this.stopped) return;
    // A few milliseconds of coalescing: several finished checks refill in one claim transaction.
    this.wakeTimer = setTimeout(() => {
      this.wakeTimer = null;
      void this.pump().catch(() => {});
    }, 5);
  }

  private async pump(): Promise<void> {
    if (!this.working || this.stopped) return;
    if (this.pumping) {
      this.pumpAgain = true;
      return;
    }
    this.pumping = true;
    try {
      do {
        this.pumpAgain = false;
        const run = await db.verificationRun.findUnique({ where: { activeSlot: "active" }, select: { id: true, status: true, concurrency: true, scope: true, startedAt: true } });
        if (this.current && this.current.run.id !== run?.id) this.retire();
        if (!run || this.stopped) return;
        if (!this.current) {
          const fresh = new RunWork(run);
          this.current = fresh;
          await this.ensureQueue(fresh.queue);
          await this.renewLease();
          // Retired while we waited (cancelled, or our lease lapsed): look again.
          if (this.current !== fresh) {
            this.pumpAgain = true;
            continue;
          }
        }
        const work = this.current;
        const want = run.concurrency - work.active;
        if (want <= 0 && work.ended.length === 0) return;
        const jobs = await this.claim(work, want);
        if (jobs.length > 0) {
          this.begin(work, jobs);
          this.pumpAgain = true;
        } else if (work.held === 0) {
          await this.finishIfDone(work);
        }
      } while (this.pumpAgain && !this.stopped);
    } finally {
      this.pumping = false;
    }
  }

  /**
   * Frees the slots of checks that ended here, then takes up to `want` jobs, within the run's
   * concurrency minus everyone's checks in flight and within this instance's fair share
   * (concurrency / instances in the run), under the run's advisory lock.
   */
  private async claim(work: RunWork, want: number): Promise<TenantJob[]> {
    const { run } = work;
    const ended = work.ended.splice(0);
    return inTransaction(this.pool, async (client) => {
      await client.query(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, [`tac-verify-run:${run.id}`]);
      if (ended.length > 0) await client.query(`UPDATE ${this.s}.verify_claim SET checking = false WHERE job_id = ANY($1::uuid[]) AND instance_id = $2`, [ended, this.instanceId]);
      if (want <= 0) return [];
      const { rows } = await client.query<{ total: number; mine: number; instances: number }>(
        `SELECT (SELECT count(*)::int FROM ${this.s}.verify_claim WHERE run_id = $1 AND checking) AS total,
                (SELECT count(*)::int FROM ${this.s}.verify_claim WHERE run_id = $1 AND instance_id = $2 AND checking) AS mine,
                (SELECT count(*)::int FROM ${this.s}.verify_instance WHERE run_id = $1 AND lease_until > now()) AS instances`,
        [run.id, this.instanceId],
      );
      const { total, mine, instances } = rows[0]!;
      const fairShare = Math.ceil(run.concurrency / Math.max(1, instances));
      const n = Math.min(want, run.concurrency - total, fairShare - mine);
      if (n <= 0) return [];
      const jobs = (await this.boss.fetch<TenantJob["data"]>(work.queue, { batchSize: n, db: executor(client) })) as TenantJob[];
      if (jobs.length > 0) {
        await client.query(
          `INSERT INTO ${this.s}.verify_claim (job_id, run_id, tenant_id, instance_id)
           SELECT unnest($1::uuid[]), $2, unnest($3::text[]), $4
           ON CONFLICT (job_id) DO UPDATE SET instance_id = EXCLUDED.instance_id, checking = true, claimed_at = now()`,
          [jobs.map((j) => j.id), run.id, jobs.map((j) => j.data.tenantId), this.instanceId],
        );
      }
      return jobs;
    }).then(
      (jobs) => {
        work.held += jobs.length;
        work.active += jobs.length;
        return jobs;
      },
      (e: unknown) => {
        work.ended.push(...ended);
        throw e;
      },
    );
  }

  /** Verifies claimed tenants; a tenant already verified in this run, deleted, or of another run is skipped. */
  private begin(work: RunWork, jobs: TenantJob[]) {
    const run = work.run;
    void (async () => {
      const ours = jobs.filter((j) => j.data.runId === run.id);
      const ids = ours.map((j) => j.data.tenantId);
      const [loaded, done] = await Promise.all([
        loadTenantsByIds(ids),
        db.verificationResult.findMany({ where: { runId: run.id, tenantId: { in: ids } }, select: { tenantId: true } }),
      ]);
      const byId = new Map(loaded.map((l) => [l.tenant.id, l]));
      const finished = new Set(done.map((d) => d.tenantId));
      work.provider ??= loadProvider();
      const provider = await work.provider;
      const policy = retryPolicyFromEnv();
      for (const job of jobs) {
        const tenant = byId.get(job.data.tenantId);
        if (job.data.runId !== run.id || !tenant || finished.has(job.data.tenantId)) {
          this.stats.skipped++;
          this.checkEnded(work, job);
          this.enqueueWrite(work, { job, outcome: null });
          continue;
        }
        void this.check(work, job, tenant, provider, policy);
      }
    })().catch((e: unknown) => {
      console.error(`verification run ${run.id}: ${e instanceof Error ? e.message : "error"}`);
      void this.release(work, jobs);
    });
  }

  private async check(work: RunWork, job: TenantJob, loaded: LoadedTenant, provider: ProviderInput, policy: ReturnType<typeof retryPolicyFromEnv>) {
    const { signal } = work.controller;
    if (signal.aborted) return this.release(work, [job]);
    work.checking.add(loaded.tenant.id);
    let outcome: VerificationOutcome | null = null;
    try {
      outcome = await runCheck(loaded, provider, { policy, signal });
    } catch (e) {
      if (!(e instanceof CallCancelledError) && !signal.aborted) console.error(`verification of ${loaded.tenant.id}: ${e instanceof Error ? e.name : "error"}`);
    } finally {
      work.checking.delete(loaded.tenant.id);
    }
    if (!outcome || signal.aborted) return this.release(work, [job]);
    this.checkEnded(work, job);
    this.enqueueWrite(work, { job, outcome });
  }

  /** The check is over: its slot goes back (at the next claim) while its result is being written. */
  private checkEnded(work: RunWork, job: TenantJob) {
    work.active--;
    work.ended.push(job.id);
    this.wake();
  }

  /** Write-through with coalescing: a batch is written as soon as the previous write ends. */
  private enqueueWrite(work: RunWork, item: Claimed) {
    work.pending.push(item);
    if (work.writing) return;
    work.writing = (async () => {
      while (work.pending.length > 0) {
        const batch = work.pending.splice(0, WRITE_BATCH);
        try {
          await this.write(work, batch);
        } catch (e) {
          if (!(e instanceof RunNotRunningError)) console.error(`verification run ${work.run.id}: write failed: ${e instanceof Error ? e.message : "error"}`);
          // Not written: hand the jobs back (a cancelled run's queue is gone, so this is a no-op there).
          await this.release(work, batch.map((b) => b.job), true);
        }
      }
      work.writing = null;
    })();
  }

  /**
   * Results and tenant statuses in one transaction that first locks the run row and requires it to be
   * RUNNING (cancel waits for it, and nothing is written after a cancel); then the jobs are completed
   * and unclaimed. A crash between the two leaves claimed jobs whose tenants have results: they are
   * retried elsewhere and skipped.
   */
  private async write(work: RunWork, batch: Claimed[]) {
    const runId = work.run.id;
    const withOutcome = batch.filter((b): b is Claimed & { outcome: VerificationOutcome } => b.outcome !== null);
    if (withOutcome.length > 0) {
      const outcomes = withOutcome.map((b) => b.outcome);
      const fence = () => db.verificationRun.update({ where: { id: runId, status: "RUNNING" }, data: { heartbeatAt: new Date() }, select: { id: true } });
      try {
        await db.$transaction([fence(), ...outcomeWrites(runId, outcomes)]);
      } catch (e) {
        if (isPrismaError(e, "P2025")) throw new RunNotRunningError();
        if (!isPrismaError(e, "P2002")) throw e;
        // A tenant already has a result in this run (a job taken over from a stalled instance): keep the others.
        for (const o of outcomes) {
          try {
            await db.$transaction([fence(), ...outcomeWrites(runId, [o])]);
          } catch (e2) {
            if (isPrismaError(e2, "P2025")) throw new RunNotRunningError();
            if (!isPrismaError(e2, "P2002")) throw e2;
          }
        }
      }
      this.stats.verified += outcomes.length;
    }
    // Completed first, then unclaimed (no transaction needed): a crash in between leaves a claim on a
    // completed job, which only keeps its slot until the lease expires.
    const ids = batch.map((b) => b.job.id);
    await settleJobs(this.boss, "complete", work.queue, ids, null, this.pool);
    await this.pool.query(`DELETE FROM ${this.s}.verify_claim WHERE job_id = ANY($1::uuid[]) AND instance_id = $2`, [ids, this.instanceId]);
    work.held -= batch.length;
    this.wake();
  }

  /** Hands jobs back to pg-boss for another attempt (by any instance) and drops their claims. */
  private async release(work: RunWork, jobs: TenantJob[], checksEnded = false) {
    if (jobs.length === 0) return;
    const ids = jobs.map((j) => j.id);
    await inTransaction(this.pool, async (client) => {
      await settleJobs(this.boss, "fail", work.queue, ids, { reason: "released" }, client);
      await client.query(`DELETE FROM ${this.s}.verify_claim WHERE job_id = ANY($1::uuid[]) AND instance_id = $2`, [ids, this.instanceId]);
    }).catch(() => {});
    this.stats.released += jobs.length;
    work.held -= jobs.length;
    if (!checksEnded) work.active -= jobs.length;
    this.wake();
  }

  /** Stops work on the current run here: checks are aborted and their jobs handed back. */
  private retire() {
    const work = this.current;
    if (!work) return;
    this.current = null;
    work.controller.abort();
    const settled = (async () => {
      const deadline = Date.now() + 10_000;
      while ((work.held > 0 || work.writing) && Date.now() < deadline) {
        await (work.writing ?? new Promise((r) => setTimeout(r, 20)));
      }
    })();
    this.retiring.add(settled);
    void settled.finally(() => this.retiring.delete(settled));
  }

  /**
   * The run is done when its queue has nothing waiting, retrying or running; first every tenant still
   * without a result is enqueued (covers an instance that died while enqueueing), then checked again.
   * One instance wins the status change and writes the counters and the audit event.
   */
  private async finishIfDone(work: RunWork) {
    if (Date.now() - work.lastFinishCheck < FINISH_CHECK_MS) return;
    work.lastFinishCheck = Date.now();
    const open = () => this.boss.getQueueSize(work.queue, { before: "completed" });
    if ((await open()) > 0) return;
    await this.enqueuePending(work.run);
    if ((await open()) > 0) return;
    const runId = work.run.id;
    const groups = await db.verificationResult.groupBy({ by: ["status"], where: { runId }, _count: { _all: true } });
    const n = (s: string) => groups.find((g) => g.status === s)?._count._all ?? 0;
    const counts = { verified: n("VERIFIED"), warnings: n("WARNING"), failed: n("FAILED") };
    const { count } = await db.verificationRun.updateMany({
      where: { id: runId, status: "RUNNING" },
      data: { ...counts, status: "COMPLETED", activeSlot: null, finishedAt: new Date() },
    });
    if (count === 1) {
      const run = await db.verificationRun.findUniqueOrThrow({ where: { id: runId }, select: { total: true } });
      await recordAudit({ action: "verification_run.completed", actor: systemActor, target: { type: "verification_run", id: runId }, details: { total: run.total, ...counts } });
      await this.dropRun(runId);
    }
    this.retire();
  }
}
