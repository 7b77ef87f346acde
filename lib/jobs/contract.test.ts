import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { dropSchema, testOnPostgres } from "@/lib/testing/postgres";
import { prepareDatabase } from "@/lib/verification/testing";
import { runPrismaBatch } from "./prisma-batch";
import type { AnyJobKind, JobKind, RunRef } from "./types";

/**
 * The job engine's contract, one suite for both stores: it runs unchanged against the store the test
 * database selects (createJobStore: embedded on SQLite in `npm run test:unit`, PostgreSQL on pg-boss in
 * `test:unit:pg`). "Processes" are engines of their own in this process, each with its own name in the
 * store, over a kind whose items are tenant rows and whose processing is recorded here.
 */

type Db = (typeof import("@/lib/db"))["db"];
type Jobs = typeof import("./index");
type Engine = import("./engine").JobEngine;

const N = 60;
/** Items per enqueued page on PostgreSQL: N makes six pages, two of them enqueued ahead. */
const ENQUEUE_PAGE = 10;
const LEASE_MS = 1_500;
let db: Db;
let jobs: Jobs;
let schema: string | null = null;
const engines: Engine[] = [];
let names = 0;

/** What the test kind saw: attempts per item, items in flight now and at most. */
const seen = {
  attempts: new Map<string, number>(),
  inFlight: 0,
  peak: 0,
  delayMs: 20,
  failOnce: new Set<string>(),
  starts: [] as number[],
  /** Items whose result a unique index refuses (the write takes another tenant's customer id). */
  conflicting: new Set<string>(),
};

function resetSeen() {
  seen.attempts.clear();
  seen.inFlight = 0;
  seen.peak = 0;
  seen.delayMs = 20;
  seen.failOnce.clear();
  seen.starts = [];
  seen.conflicting.clear();
}

function sleep(ms: number, signal: AbortSignal) {
  return new Promise<void>((resolve, reject) => {
    if (signal.aborted) return reject(new Error("aborted"));
    const t = setTimeout(resolve, ms);
    signal.addEventListener("abort", () => (clearTimeout(t), reject(new Error("aborted"))), { once: true });
  });
}

type ContractResult = { id: string; ok: boolean; conflicted?: true };

const contractKind: JobKind<{ id: string }, ContractResult, null> = {
  name: "contract",
  defaultConcurrency: () => 4,
  count: ({ scope }) => (scope ? db.tenant.count({ where: { id: { in: scope } } }) : db.tenant.count()),
  async scopeIds({ scope }, after, limit) {
    const rows = await db.tenant.findMany({
      where: { id: { ...(after ? { gt: after } : {}), ...(scope ? { in: scope } : {}) } },
      orderBy: { id: "asc" },
      take: limit,
      select: { id: true },
    });
    return rows.map((r) => r.id);
  },
  async load(run, ids) {
    const done = new Set((await db.jobRunItem.findMany({ where: { runId: run.id, itemId: { in: ids } }, select: { itemId: true } })).map((d) => d.itemId));
    return ids.filter((id) => !done.has(id)).map((id) => ({ id }));
  },
  prepare: async () => null,
  async process(item, { signal }) {
    seen.attempts.set(item.id, (seen.attempts.get(item.id) ?? 0) + 1);
    seen.starts.push(Date.now());
    seen.peak = Math.max(seen.peak, ++seen.inFlight);
    try {
      await sleep(seen.delayMs, signal);
      if (seen.failOnce.delete(item.id)) throw new Error("transient trouble");
      return { id: item.id, ok: !item.id.endsWith("7") };
    } finally {
      seen.inFlight--;
    }
  },
  category: (r) => (r.ok ? "ok" : "failed"),
  counterNames: { ok: "ok", warning: "warnings", failed: "failed" },
  write: (run: RunRef, results, counts) =>
    runPrismaBatch(run, counts, [
      db.jobRunItem.createMany({ data: results.map((r) => ({ runId: run.id, itemId: r.id })) }),
      ...results.filter((r) => seen.conflicting.has(r.id) && !r.conflicted).map((r) => db.tenant.update({ where: { id: r.id }, data: { customerId: "c-0" } })),
    ]),
  conflict: async (r) => (seen.conflicting.has(r.id) && !r.conflicted ? { id: r.id, ok: false, conflicted: true } : undefined),
  audit: { target: "verification_run", started: "verification_run.started", completed: "verification_run.completed", cancelled: "verification_run.cancelled" },
};

/**
 * A "process": an engine of its own over the store this database selects. The short lease makes takeover
 * tests fast; tests of live processes sharing a run pass a longer one, so that a heartbeat delayed by a busy
 * machine does not count as a crash (which hands the items in flight to the other process, by design).
 */
async function process_(leaseTtlMs = LEASE_MS): Promise<Engine> {
  const { JobEngine } = await import("./engine");
  const engine = new JobEngine(
    // On PostgreSQL the run is enqueued a window of small pages at a time, so every test here also moves it on.
    jobs.createJobStore({ instanceId: `contract-${++names}`, leaseTtlMs, enqueuePage: ENQUEUE_PAGE, windowPages: 2 }),
    new Map([["contract", contractKind as unknown as AnyJobKind]]),
  );
  engines.push(engine);
  return engine;
}

async function start(engine: Engine, concurrency = 4) {
  return (await engine.startRun({ kind: "contract", trigger: "manual", requestedBy: "contract test", concurrency })).run;
}

function attemptsOver(n: number) {
  return [...seen.attempts.values()].filter((a) => a > n).length;
}

describe(`the job engine's contract (${testOnPostgres ? "PostgreSQL store" : "embedded store"})`, () => {
  beforeAll(async () => {
    await prepareDatabase("tac-jobs-");
    db = (await import("@/lib/db")).db;
    jobs = await import("./index");
    // The stores' job schema: beside the database lib/env.ts read (the test file's, lib/testing/setup-env.ts).
    if (testOnPostgres) schema = (await import("./store-postgres")).jobSchemaFor((await import("@/lib/env")).env.DATABASE_URL);
    await db.tenant.createMany({
      data: Array.from({ length: N }, (_, i) => ({
        id: `t-${String(i).padStart(3, "0")}`,
        customerId: `c-${i}`,
        displayName: `Customer ${i}`,
        adminEmail: `a${i}@x.example`,
        authMethod: "APP_REGISTRATION" as const,
      })),
    });
  });

  afterEach(async () => {
    for (const e of engines.splice(0)) await e.stop().catch(() => {});
    await db.jobRun.updateMany({ where: { status: "RUNNING" }, data: { status: "CANCELLED", activeSlot: null } });
    resetSeen();
  });

  afterAll(async () => {
    if (schema) await dropSchema(schema);
  });

  it("processes every item once within the concurrency, keeps the counters with the results, and completes once", async () => {
    const a = await process_();
    const run = await start(a, 5);
    await a.waitForRun(run.id);
    const row = await db.jobRun.findUniqueOrThrow({ where: { id: run.id } });
    expect(row).toMatchObject({ status: "COMPLETED", activeSlot: null, total: N, ok: N - 6, failed: 6 });
    expect(seen.attempts.size).toBe(N);
    expect(attemptsOver(1)).toBe(0);
    expect(seen.peak).toBeLessThanOrEqual(5);
    expect(seen.peak).toBeGreaterThanOrEqual(2);
    // Done markers live only while the run does.
    expect(await db.jobRunItem.count({ where: { runId: run.id } })).toBe(0);
    expect(await db.auditEvent.count({ where: { targetId: run.id, action: "verification_run.completed" } })).toBe(1);
  });

  it("stores the kind's conflict result, counted once, for a result a unique index refuses", async () => {
    seen.conflicting = new Set(["t-011", "t-022"]);
    const a = await process_();
    const run = await start(a, 5);
    await a.waitForRun(run.id);
    // t-011 and t-022 would have been ok: their conflict results are failures, each counted once.
    expect(await db.jobRun.findUniqueOrThrow({ where: { id: run.id } })).toMatchObject({ status: "COMPLETED", total: N, ok: N - 8, failed: 8 });
    expect(attemptsOver(1)).toBe(0);
    expect(await db.tenant.findMany({ where: { id: { in: ["t-011", "t-022"] } }, select: { customerId: true }, orderBy: { id: "asc" } })).toEqual([
      { customerId: "c-11" },
      { customerId: "c-22" },
    ]);
  });

  it("gives everyone starting at the same moment the same run", async () => {
    const [a, b] = [await process_(), await process_()];
    const runs = await Promise.all([
      a.startRun({ kind: "contract", trigger: "manual", requestedBy: "a" }),
      b.startRun({ kind: "contract", trigger: "manual", requestedBy: "b" }),
    ]);
    expect(runs.filter((r) => !r.joined)).toHaveLength(1);
    expect(runs[0].run.id).toBe(runs[1].run.id);
    await a.waitForRun(runs[0].run.id);
    expect(seen.attempts.size).toBe(N);
    expect(attemptsOver(1)).toBe(0);
  });

  it("shares a run between the processes that work on it within its concurrency, each item once", async () => {
    // Long enough that the second process, joining a moment after the first started, gets slots on a busy machine.
    seen.delayMs = 150;
    const [a, b] = [await process_(15_000), await process_(15_000)];
    const run = await start(a, 6);
    await b.watch();
    await a.waitForRun(run.id);
    expect(seen.attempts.size).toBe(N);
    expect(attemptsOver(1)).toBe(0);
    // A process's share is counted against the run's concurrency, wherever the items run.
    expect(seen.peak).toBeLessThanOrEqual(6);
    if (testOnPostgres) expect(Math.min(a.stats.processed, b.stats.processed)).toBeGreaterThan(0);
    else expect(b.stats.processed).toBe(0);
  });

  it.runIf(testOnPostgres)(
    "puts every item in exactly one chunk however starter and joiners interleave, and never enqueues a run again once it ended",
    async () => {
      const { createPostgresStore, queueOf } = await import("./store-postgres");
      const { runRef } = await import("./engine");
      const { env } = await import("@/lib/env");
      const stores = ["starter", "joiner", "late"].map((name) => createPostgresStore({ databaseUrl: env.DATABASE_URL, instanceId: `enqueue-${name}` }));
      const [starter, joiner, late] = stores as [
        ReturnType<typeof createPostgresStore>,
        ReturnType<typeof createPostgresStore>,
        ReturnType<typeof createPostgresStore>,
      ];
      const chunksOf = async (runId: string) =>
        (
          await starter.pool.query<{ ids: string[] }>(`SELECT data->'ids' AS ids FROM "${schema}".job WHERE name = $1 AND data->>'runId' = $2`, [
            queueOf("contract"),
            runId,
          ])
        ).rows.map((r) => r.ids);
      const newRun = (n: number) =>
        db.jobRun.create({
          data: {
            id: `race-${n}`,
            kind: "contract",
            status: "RUNNING",
            activeSlot: `race-${n}`,
            trigger: "manual",
            requestedBy: "contract test",
            total: N,
            concurrency: 4,
            startedAt: new Date(),
            heartbeatAt: new Date(),
          },
        });
      const kind = contractKind as unknown as AnyJobKind;
      try {
        // A joiner that finds the run before its starter enqueued anything enqueues it itself; the
        // starter's own enqueueing then adds nothing. Then both at the same moment, on a second run.
        const first = runRef(await newRun(1));
        expect(await joiner.drained(first, kind, 4)).toBe(false);
        await starter.prepare(first, kind, 4);
        const second = runRef(await newRun(2));
        await Promise.all([starter.prepare(second, kind, 4), joiner.drained(second, kind, 4), late.drained(second, kind, 4)]);
        for (const run of [first, second]) {
          const ids = (await chunksOf(run.id)).flat().sort();
          expect(ids).toHaveLength(N);
          expect(new Set(ids).size).toBe(N);
        }
        // Ended (completed elsewhere): a process still finishing its loop finds it drained and enqueues nothing.
        await db.jobRun.update({ where: { id: first.id }, data: { status: "COMPLETED", activeSlot: null } });
        await starter.ended(first);
        expect(await late.drained(first, kind, 4)).toBe(true);
        expect(await chunksOf(first.id)).toEqual([]);
      } finally {
        for (const store of stores) await store.stop();
      }
    },
  );

  it.runIf(testOnPostgres)(
    "enqueues a run a window at a time: the chunks waiting stay within it, whatever the run's size, and every item runs once",
    async () => {
      const { queueOf } = await import("./store-postgres");
      const a = await process_();
      const pool = new (await import("pg")).default.Pool({
        connectionString: (await import("@/lib/db-client")).postgresConnection((await import("@/lib/env")).env.DATABASE_URL).connectionString,
        max: 1,
      });
      try {
        const run = await start(a, 4);
        // Concurrency 4 makes chunks of one item: a page is 10 chunks, the window 2 pages and the one its first claim adds.
        let peak = 0;
        let samples = 0;
        const finished = a.waitForRun(run.id).then(() => true);
        while (!(await Promise.race([finished, new Promise<false>((r) => setTimeout(() => r(false), 10))]))) {
          const { rows } = await pool.query<{ n: number }>(
            `SELECT count(*)::int AS n FROM "${schema}".job WHERE name = $1 AND state < 'active' AND data->>'runId' = $2`,
            [queueOf("contract"), run.id],
          );
          peak = Math.max(peak, rows[0]!.n);
          samples++;
        }
        expect(samples).toBeGreaterThan(5);
        expect(peak).toBeGreaterThan(0);
        expect(peak).toBeLessThanOrEqual(3 * ENQUEUE_PAGE);
        expect(seen.attempts.size).toBe(N);
        expect(attemptsOver(1)).toBe(0);
        expect(await db.jobRun.findUniqueOrThrow({ where: { id: run.id } })).toMatchObject({ status: "COMPLETED", total: N });
      } finally {
        await pool.end();
      }
    },
  );

  it.runIf(testOnPostgres)("an instance starting while others claim does not wait for their transactions (no DDL once the tables exist)", async () => {
    const { createPostgresStore } = await import("./store-postgres");
    const { env } = await import("@/lib/env");
    const first = createPostgresStore({ databaseUrl: env.DATABASE_URL, instanceId: "ddl-first" });
    const second = createPostgresStore({ databaseUrl: env.DATABASE_URL, instanceId: "ddl-second" });
    const run = { id: "ddl-run", kind: "contract" } as Parameters<typeof first.join>[0];
    const holder = await first.pool.connect();
    try {
      await first.join(run, contractKind as unknown as AnyJobKind);
      // A claim in flight: its transaction holds a ROW EXCLUSIVE lock on job_claim (CREATE INDEX, even
      // IF NOT EXISTS, would wait for it with a SHARE lock).
      await holder.query("BEGIN");
      await holder.query(`INSERT INTO "${schema}".job_claim (job_id, run_id, queue, instance_id) VALUES (gen_random_uuid(), $1, 'contract', 'ddl-first')`, [
        run.id,
      ]);
      const started = Date.now();
      const joined = await Promise.race([
        second.join(run, contractKind as unknown as AnyJobKind).then(() => "joined"),
        new Promise((r) => setTimeout(() => r("waited"), 5_000)),
      ]);
      expect(joined).toBe("joined");
      expect(Date.now() - started).toBeLessThan(5_000);
    } finally {
      await holder.query("ROLLBACK").catch(() => {});
      holder.release();
      await first.pool.query(`DELETE FROM "${schema}".job_lease WHERE run_id = $1`, [run.id]);
      await first.stop();
      await second.stop();
    }
  });

  it("hands back an item whose processing failed and does it again", async () => {
    seen.failOnce.add("t-011").add("t-042");
    const a = await process_();
    const run = await start(a, 4);
    await a.waitForRun(run.id);
    expect(seen.attempts.get("t-011")).toBe(2);
    expect(seen.attempts.get("t-042")).toBe(2);
    expect(attemptsOver(2)).toBe(0);
    expect(await db.jobRun.findUniqueOrThrow({ where: { id: run.id } })).toMatchObject({ status: "COMPLETED", ok: N - 6, failed: 6 });
  });

  it("cancels on every process: nothing more is processed or written, and the slot is free", async () => {
    seen.delayMs = 40;
    const [a, b] = [await process_(), await process_()];
    const run = await start(a, 4);
    await b.watch();
    await expect
      .poll(() => db.jobRun.findUniqueOrThrow({ where: { id: run.id } }).then((r) => r.ok + r.failed), { timeout: 10_000, interval: 20 })
      .toBeGreaterThanOrEqual(8);
    expect(await b.cancelRun(run.id)).toBe(true);
    const cancelledAt = Date.now();
    const counted = await db.jobRun.findUniqueOrThrow({ where: { id: run.id } });
    await a.waitForRun(run.id);
    await new Promise((r) => setTimeout(r, 2_000));
    // The other process stops starting items within a second (it checks the run twice a second)...
    expect(seen.starts.filter((t) => t > cancelledAt + 1_000)).toEqual([]);
    // ...and nothing at all is written after the cancel.
    const after = await db.jobRun.findUniqueOrThrow({ where: { id: run.id } });
    expect(after).toMatchObject({ status: "CANCELLED", activeSlot: null, ok: counted.ok, failed: counted.failed });
    expect(a.isWorking(run.id) || b.isWorking(run.id)).toBe(false);
    expect((await start(a, 4)).id).not.toBe(run.id);
  });

  it("a process that stops hands its work back at once; another finishes it, repeating only the items in flight", async () => {
    seen.delayMs = 40;
    const [a, b] = [await process_(), await process_()];
    const run = await start(a, 4);
    await expect.poll(() => db.jobRunItem.count({ where: { runId: run.id } }), { timeout: 10_000, interval: 20 }).toBeGreaterThanOrEqual(10);
    await a.stop();
    expect(await b.watch()).toEqual([run.id]);
    await b.waitForRun(run.id);
    expect(await db.jobRun.findUniqueOrThrow({ where: { id: run.id } })).toMatchObject({ status: "COMPLETED", ok: N - 6, failed: 6 });
    expect(seen.attempts.size).toBe(N);
    expect(attemptsOver(1)).toBeLessThanOrEqual(4);
  });

  it("a process that dies is taken over once its lease runs out, repeating only the items it had in flight", async () => {
    seen.delayMs = 40;
    const [a, b] = [await process_(), await process_()];
    const run = await start(a, 4);
    if (testOnPostgres) await b.watch();
    await expect.poll(() => db.jobRunItem.count({ where: { runId: run.id } }), { timeout: 10_000, interval: 20 }).toBeGreaterThanOrEqual(10);
    // It dies holding work: an item in flight (on PostgreSQL the other process shares the run, and a
    // process that happened to hold nothing at that instant would leave nothing to take over).
    await expect.poll(() => a.localInFlight(run.id), { timeout: 10_000, interval: 2 }).toBeGreaterThan(0);
    const diedAt = Date.now();
    await a.crashForTest();
    // Embedded: the run is still the dead process's until its heartbeat is older than the lease.
    if (!testOnPostgres) {
      expect(await b.watch()).toEqual([]);
      await expect.poll(() => b.watch(), { timeout: 10_000, interval: 200 }).toEqual([run.id]);
    }
    await b.waitForRun(run.id);
    // Not before its last renewal (at most a quarter of the lease before it died) ran out.
    expect(Date.now() - diedAt).toBeGreaterThanOrEqual((LEASE_MS * 3) / 4 - 100);
    expect(await db.jobRun.findUniqueOrThrow({ where: { id: run.id } })).toMatchObject({ status: "COMPLETED", ok: N - 6, failed: 6 });
    expect(seen.attempts.size).toBe(N);
    expect(attemptsOver(1)).toBeLessThanOrEqual(4);
  });

  it("reports progress: done, in flight across the processes, a rate and an ETA", async () => {
    seen.delayMs = 60;
    const a = await process_();
    const run = await start(a, 4);
    let sawInFlight = false;
    let sawRate = false;
    const off = jobs.subscribeProgress(a, run.id, (p) => {
      if (p.status === "RUNNING" && p.inFlight > 0) sawInFlight = true;
      if (p.status === "RUNNING" && p.ratePerSecond > 0 && p.etaSeconds !== null) sawRate = true;
    });
    await a.waitForRun(run.id);
    off();
    expect(sawInFlight).toBe(true);
    expect(sawRate).toBe(true);
    expect(await jobs.getProgress(a, run.id, true)).toMatchObject({ status: "COMPLETED", total: N, done: N, remaining: 0, inFlight: 0, etaSeconds: 0 });
  });
});
