import "server-only";
import { randomUUID } from "node:crypto";
import { EventEmitter, setMaxListeners } from "node:events";
import { recordAudit, systemActor, type AuditActor } from "@/lib/audit";
import { db } from "@/lib/db";
import { isUniqueViolation } from "@/lib/db-client";
import type { JobRun } from "@/lib/generated/prisma/client";
import { newProgressState, type ProgressState } from "./progress";
import type { Chunk, JobStore } from "./store";
import { AUTOMATIC_TRIGGER, RunEndedError, type AnyJobKind, type Category, type KindName, type RunCounts, type RunRef } from "./types";

/**
 * The one job engine. A run is a JobRun row (one active run per slot, the kind unless the starter names
 * one: unique `activeSlot`); its items are
 * handed out in chunks by the store (./store.ts), processed here with the run's concurrency (this
 * process's share of it), and their results written in batches, each batch in one transaction with the
 * run's counters and a fence on the run's status (nothing is written once a run is cancelled). A chunk
 * is settled once every result of it is written, or handed back when an item could not be processed or
 * the work stops; a chunk that comes back skips the items already done (kind.load), so after a crash
 * only the items that were in flight are processed again. Whoever finds the run drained completes it.
 */

export type RunRow = JobRun;

export type StartRunInput = {
  kind: KindName;
  /**
   * One run is active per slot: the kind's name unless given. A kind that runs per item (one tenant's user
   * sync) names a slot per item, so runs for different items proceed side by side.
   */
  slot?: string;
  /** Item ids, or null/undefined for every item of the kind. */
  scope?: string[] | null;
  trigger: string;
  requestedBy: string;
  concurrency?: number;
  actor?: AuditActor;
  requestId?: string;
};

/** Heartbeats: every 2 s, and at least four times within the store's lease, so one slow beat loses nothing. */
export const HEARTBEAT_MS = 2_000;
/** How often every process looks for active runs to take part in (or to take over). */
export const WATCH_MS = 3_000;
const BATCH_SIZE = 200;
const IDLE_POLL_MS = 250;
/** How often a process checks that the runs it works on are still running (cancelled on another instance). */
const STATUS_CHECK_MS = 500;
const SHARE_REFRESH_MS = 100;

export function runRef(row: Pick<RunRow, "id" | "kind" | "scope" | "startedAt" | "requestedBy" | "trigger">): RunRef {
  return {
    id: row.id,
    kind: row.kind as KindName,
    scope: row.scope ? (JSON.parse(row.scope) as string[]) : null,
    startedAt: row.startedAt,
    requestedBy: row.requestedBy,
    trigger: row.trigger,
  };
}

type Held = { chunk: Chunk; unprocessed: number; unwritten: number; failed: boolean };
type Pending = { result: unknown; held: Held };

export class JobEngine {
  private readonly workers = new Map<string, Worker>();
  private readonly emitter = new EventEmitter();
  /** Progress reads shared by this process's callers (./progress.ts). */
  readonly progress: ProgressState = newProgressState();
  private watchdog: NodeJS.Timeout | null = null;
  private readonly schedules = new Set<NodeJS.Timeout>();
  private stopped = false;
  /** Set by crashForTest: work stops without handing anything back, like a killed process. */
  crashed = false;
  /** Items this process processed (a result came back) and handed back unprocessed. */
  readonly stats = { processed: 0, released: 0 };

  constructor(
    readonly store: JobStore,
    private readonly kinds: ReadonlyMap<KindName, AnyJobKind>,
  ) {
    this.emitter.setMaxListeners(0);
  }

  kind(name: string): AnyJobKind {
    const kind = this.kinds.get(name as KindName);
    if (!kind) throw new Error(`Unknown job kind: ${name}`);
    return kind;
  }

  /**
   * Looks for active runs now and every WATCH_MS from then on, whatever the scheduler does: a run whose
   * process died is resumed as soon as any process of the cluster runs this.
   */
  start(): Promise<string[]> {
    if (!this.watchdog && !this.stopped) {
      this.watchdog = setInterval(() => void this.watch().catch((e: unknown) => console.error(`[jobs] watch failed: ${errorName(e)}`)), WATCH_MS);
      this.watchdog.unref();
    }
    return this.watch();
  }

  /** Takes part in every active run this process may work on; returns the runs it joined now. */
  async watch(): Promise<string[]> {
    const active = await db.jobRun.findMany({ where: { status: "RUNNING" } });
    const joined: string[] = [];
    for (const row of active) if (await this.work(row)) joined.push(row.id);
    return joined;
  }

  private async work(row: RunRow): Promise<boolean> {
    if (this.stopped || this.workers.has(row.id) || row.status !== "RUNNING") return false;
    const kind = this.kind(row.kind);
    const run = runRef(row);
    if (!(await this.store.join(run, kind)) || this.workers.has(row.id) || this.stopped) return false;
    const worker = new Worker(this, run, kind, row.concurrency);
    this.workers.set(row.id, worker);
    worker.done = worker
      .execute()
      .catch((e: unknown) => console.error(`[jobs] ${row.kind} run ${row.id} stopped here: ${errorName(e)}`))
      .finally(() => {
        this.workers.delete(row.id);
        this.publish(row.id, true);
      });
    return true;
  }

  /**
   * Starts a run of the kind, or joins the one already active (two admins clicking together get the
   * same run).
   */
  async startRun(input: StartRunInput): Promise<{ run: RunRow; joined: boolean }> {
    const kind = this.kind(input.kind);
    const scope = input.scope ? [...new Set(input.scope)] : null;
    const concurrency = Math.max(1, Math.min(1024, Math.round(input.concurrency ?? kind.defaultConcurrency())));
    const slot = input.slot ?? input.kind;
    for (let attempt = 0; attempt < 5; attempt++) {
      const active = await db.jobRun.findUnique({ where: { activeSlot: slot } });
      if (active) {
        await this.work(active);
        return { run: active, joined: true };
      }
      const now = new Date();
      const total = await kind.count({ scope, trigger: input.trigger, startedAt: now });
      let row: RunRow;
      try {
        row = await db.jobRun.create({
          data: {
            id: randomUUID(),
            kind: input.kind,
            status: "RUNNING",
            activeSlot: slot,
            trigger: input.trigger,
            requestedBy: input.requestedBy,
            scope: scope ? JSON.stringify(scope) : null,
            total,
            concurrency,
            startedAt: now,
            heartbeatAt: now,
          },
        });
      } catch (e) {
        if (isUniqueViolation(e)) continue;
        throw e;
      }
      if (input.trigger !== AUTOMATIC_TRIGGER)
        await recordAudit({
          action: kind.audit.started,
          actor: input.actor ?? systemActor,
          requestId: input.requestId,
          target: { type: kind.audit.target, id: row.id },
          details: { trigger: input.trigger, total, concurrency, selection: scope !== null },
        });
      await this.store.prepare(runRef(row), kind, concurrency);
      await this.work(row);
      return { run: row, joined: false };
    }
    throw new Error(`Could not start or join a ${input.kind} run`);
  }

  async cancelRun(runId: string, options: { actor?: AuditActor; requestId?: string } = {}): Promise<boolean> {
    const row = await db.jobRun.findUnique({ where: { id: runId } });
    if (!row) return false;
    const { count } = await db.jobRun.updateMany({
      where: { id: runId, status: "RUNNING" },
      data: { status: "CANCELLED", activeSlot: null, finishedAt: new Date() },
    });
    this.workers.get(runId)?.abort();
    if (count === 1) {
      const kind = this.kind(row.kind);
      await this.ended(row);
      await recordAudit({
        action: kind.audit.cancelled,
        actor: options.actor ?? systemActor,
        requestId: options.requestId,
        target: { type: kind.audit.target, id: runId },
      });
      this.publish(runId, true);
    }
    return count === 1;
  }

  /** Called once by whoever ended the run (completed or cancelled). */
  async ended(row: RunRow) {
    await this.store.ended(runRef(row));
    await db.jobRunItem.deleteMany({ where: { runId: row.id } });
  }

  /** Resolves once the run is no longer running (wherever it ran), or this engine stopped. */
  async waitForRun(runId: string): Promise<void> {
    for (;;) {
      await this.workers.get(runId)?.done;
      const row = await db.jobRun.findUnique({ where: { id: runId }, select: { status: true } });
      if (!row || row.status !== "RUNNING" || this.stopped) return void this.progress.cache.delete(runId);
      await sleep(200);
    }
  }

  /** Items in flight in this process for the run. */
  localInFlight(runId: string): number {
    return this.workers.get(runId)?.inFlight ?? 0;
  }

  isWorking(runId: string): boolean {
    return this.workers.has(runId);
  }

  /**
   * Runs `tick` about every `everyMs`, once across every process sharing the database (either store):
   * each process looks every second or so, and only the one whose compare-and-set on the schedule's row
   * moves `lastAt` forward runs it. Returns a function that stops this process from looking.
   */
  every(name: string, everyMs: number, tick: () => Promise<unknown>): () => void {
    const due = async () => {
      const now = new Date();
      const { count } = await db.jobSchedule.updateMany({ where: { name, lastAt: { lte: new Date(now.getTime() - everyMs) } }, data: { lastAt: now } });
      if (count === 1) return true;
      try {
        await db.jobSchedule.create({ data: { name, lastAt: now } });
        return true;
      } catch (e) {
        if (isUniqueViolation(e)) return false;
        throw e;
      }
    };
    const look = () =>
      void due()
        .then((run) => run && tick())
        .catch((e: unknown) => console.error(`[jobs] ${name}: ${errorName(e)}`));
    const timer = setInterval(look, Math.max(100, Math.min(1_000, Math.floor(everyMs / 2))));
    timer.unref();
    this.schedules.add(timer);
    look();
    return () => {
      clearInterval(timer);
      this.schedules.delete(timer);
    };
  }

  /** Stops working on every run in this process, handing their chunks back; their status stays, others continue them. */
  async stop(): Promise<void> {
    for (const t of this.schedules) clearInterval(t);
    this.schedules.clear();
    this.stopped = true;
    if (this.watchdog) clearInterval(this.watchdog);
    this.watchdog = null;
    const all = [...this.workers.values()];
    for (const w of all) w.abort();
    await Promise.all(all.map((w) => w.done));
    await this.store.stop();
  }

  /** Test hook: dies like a killed process (nothing handed back, no lease given up), so the others must take over. */
  async crashForTest(): Promise<void> {
    this.crashed = true;
    this.stopped = true;
    if (this.watchdog) clearInterval(this.watchdog);
    this.watchdog = null;
    const all = [...this.workers.values()];
    for (const w of all) w.abort();
    await Promise.all(all.map((w) => w.done));
    const store = this.store as JobStore & { crashForTest?: () => Promise<void> };
    await store.crashForTest?.();
  }

  onProgress(runId: string, listener: (final: boolean) => void): () => void {
    this.emitter.on(runId, listener);
    return () => void this.emitter.off(runId, listener);
  }

  publish(runId: string, final = false) {
    // The run ended here: progress cached for the last half second is stale now.
    if (final) this.progress.cache.delete(runId);
    this.emitter.emit(runId, final);
  }
}

/** One run in this process: a pool of item processors fed by claimed chunks, and a batch writer. */
class Worker {
  readonly controller = new AbortController();
  /**
   * Each item in flight has a signal of its own, aborted with the run's: the listeners of its calls go on
   * it, so the run's signal holds one listener whatever the concurrency (an EventTarget looks through its
   * listeners for a duplicate on every add; with hundreds of calls in flight that was a measurable cost).
   */
  private readonly itemControllers = new Set<AbortController>();
  done: Promise<void> = Promise.resolve();
  /** Items being processed now (calls to Microsoft in flight). */
  inFlight = 0;
  /**
   * Results waiting to be written. An item keeps its slot of the run's concurrency until its result is
   * written, so after a crash no more than the concurrency is done again.
   */
  private unwritten = 0;
  private readonly queue: { item: { id: string }; held: Held }[] = [];
  private readonly held = new Set<Held>();
  private readonly writer: BatchWriter;
  private share = 1;
  private lastShareAt = 0;
  private wakeUp: (() => void) | null = null;
  private settling: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly engine: JobEngine,
    private readonly run: RunRef,
    private readonly kind: AnyJobKind,
    private readonly concurrency: number,
  ) {
    // Every in-flight call and Retry-After wait of the run listens to its item's signal, which this aborts.
    setMaxListeners(0, this.controller.signal);
    this.controller.signal.addEventListener("abort", () => {
      for (const c of this.itemControllers) c.abort(this.controller.signal.reason);
    });
    this.writer = new BatchWriter(run, kind, {
      written: (items) => {
        this.unwritten -= items.length;
        for (const { held } of items) {
          held.unwritten--;
          this.finishIfDone(held);
        }
        this.engine.publish(run.id);
        this.wake();
      },
      failed: (items, e) => {
        if (e instanceof RunEndedError) this.abort();
        else console.error(`[jobs] ${run.kind} run ${run.id}: write failed: ${errorName(e)}`);
        this.unwritten -= items.length;
        for (const { held } of items) {
          held.unwritten--;
          held.failed = true;
          this.finishIfDone(held);
        }
      },
    });
  }

  abort() {
    this.controller.abort();
    this.wake();
  }

  private wake() {
    const w = this.wakeUp;
    this.wakeUp = null;
    w?.();
  }

  private waitForWake(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.wakeUp = null;
        resolve();
      }, ms);
      this.wakeUp = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }

  async execute(): Promise<void> {
    const { store } = this.engine;
    const { signal } = this.controller;
    const shared = await this.kind.prepare(this.run);
    this.share = await store.share(this.run, this.concurrency, 0);
    const heartbeat = setInterval(() => void this.beat(), Math.min(HEARTBEAT_MS, Math.floor(store.leaseMs / 4)));
    heartbeat.unref();
    const statusCheck = setInterval(() => void this.checkStatus(), STATUS_CHECK_MS);
    statusCheck.unref();
    try {
      for (;;) {
        if (signal.aborted) return;
        while (this.inFlight + this.unwritten < this.share && this.queue.length > 0 && !signal.aborted) this.startNext(shared);
        if (this.queue.length < this.share && (await this.claim()) !== 0) continue;
        if (this.inFlight === 0 && this.queue.length === 0) {
          await this.writer.flush();
          await this.settling;
          if (this.held.size === 0) {
            if (signal.aborted) return;
            if (await store.drained(this.run, this.kind, this.concurrency)) return void (await this.complete());
          }
        }
        // Nothing to start here: this process may have no share yet (another holds the run's slots).
        if (this.share === 0 || (this.queue.length === 0 && this.inFlight === 0))
          this.share = await store.share(this.run, this.concurrency, this.inFlight + this.unwritten);
        await this.waitForWake(IDLE_POLL_MS);
      }
    } finally {
      clearInterval(heartbeat);
      clearInterval(statusCheck);
      await this.settleAll();
    }
  }

  /**
   * A fresh share at most every 100 ms while items finish: a process holding more than its fair share
   * (others joined) gives its idle slots back soon after its items end, not at its next heartbeat.
   */
  private refreshShare() {
    const now = Date.now();
    if (now - this.lastShareAt < SHARE_REFRESH_MS) return;
    this.lastShareAt = now;
    void this.engine.store
      .share(this.run, this.concurrency, this.inFlight + this.unwritten)
      .then((share) => {
        this.share = share;
        this.wake();
      })
      .catch(() => {});
  }

  /** Cancelled on any instance: stop here at once (the write fence already keeps anything more from being stored). */
  private async checkStatus() {
    const row = await db.jobRun.findUnique({ where: { id: this.run.id }, select: { status: true } }).catch(() => undefined);
    if (row !== undefined && row?.status !== "RUNNING") this.abort();
  }

  /** After the loop: in-flight items end (aborted ones with a cancellation), their results are written, the rest is handed back. */
  private async settleAll() {
    while (this.inFlight > 0) await this.waitForWake(50);
    if (this.engine.crashed) return this.writer.discard();
    await this.writer.flush().catch(() => {});
    await this.settling;
    const unfinished = [...this.held].map((h) => h.chunk);
    this.held.clear();
    this.queue.length = 0;
    if (unfinished.length) await this.engine.store.release(this.run, unfinished).catch(() => {});
    await this.engine.store.leave(this.run).catch(() => {});
  }

  private async beat() {
    try {
      const kept = await this.engine.store.heartbeat(this.run, this.inFlight);
      // Taken over elsewhere (our hold lapsed): stop here at once.
      if (!kept) return this.abort();
      this.share = await this.engine.store.share(this.run, this.concurrency, this.inFlight + this.unwritten);
      this.wake();
    } catch (e) {
      console.error(`[jobs] ${this.run.kind} run ${this.run.id}: heartbeat failed: ${errorName(e)}`);
    }
  }

  /**
   * Claims chunks for about a pool's worth of items beyond those waiting, and loads their items: how many
   * came, -1 for chunks whose items were all done already, 0 for no chunk.
   */
  private async claim(): Promise<number> {
    // A fresh share first: processes that joined or left since the last claim get their part at once.
    this.share = await this.engine.store.share(this.run, this.concurrency, this.inFlight + this.unwritten);
    if (this.queue.length >= this.share) return 0;
    const chunks = await this.engine.store.claim(this.run, this.kind, Math.max(1, this.share - this.queue.length));
    let items = 0;
    for (const chunk of chunks) {
      // Stopped meanwhile: the chunk goes back untouched (settling it would skip its items).
      if (this.controller.signal.aborted) {
        this.held.add({ chunk, unprocessed: chunk.itemIds.length, unwritten: 0, failed: true });
        continue;
      }
      const loaded = await this.kind.load(this.run, chunk.itemIds);
      const held: Held = { chunk, unprocessed: loaded.length, unwritten: 0, failed: false };
      this.held.add(held);
      for (const item of loaded) this.queue.push({ item, held });
      items += loaded.length;
      // Every item of it was done already (a chunk handed over after a crash): nothing to do but settle it.
      if (loaded.length === 0) this.finishIfDone(held);
    }
    return items > 0 ? items : chunks.length > 0 ? -1 : 0;
  }

  private startNext(shared: unknown) {
    const { item, held } = this.queue.shift()!;
    this.inFlight++;
    const own = new AbortController();
    setMaxListeners(0, own.signal);
    if (this.controller.signal.aborted) own.abort(this.controller.signal.reason);
    this.itemControllers.add(own);
    const signal = own.signal;
    void this.kind
      .process(item, { run: this.run, shared, signal })
      .then(
        (result) => {
          this.engine.stats.processed++;
          held.unwritten++;
          this.unwritten++;
          this.writer.add({ result, held });
        },
        (e: unknown) => {
          if (!signal.aborted) console.error(`[jobs] ${this.run.kind} item ${item.id}: ${errorName(e)}`);
          held.failed = true;
        },
      )
      .finally(() => {
        this.itemControllers.delete(own);
        this.inFlight--;
        held.unprocessed--;
        this.finishIfDone(held);
        this.refreshShare();
        this.wake();
      });
  }

  private finishIfDone(held: Held) {
    if (held.unprocessed > 0 || held.unwritten > 0 || !this.held.has(held)) return;
    this.held.delete(held);
    const { store } = this.engine;
    if (this.engine.crashed) return;
    if (held.failed) this.engine.stats.released += held.chunk.itemIds.length;
    const step = held.failed ? store.release(this.run, [held.chunk]) : store.settle(this.run, held.chunk);
    this.settling = Promise.all([
      this.settling,
      step.catch((e: unknown) => console.error(`[jobs] ${this.run.kind} run ${this.run.id}: chunk not settled: ${errorName(e)}`)),
    ]);
    this.wake();
  }

  private async complete() {
    const { count } = await db.jobRun.updateMany({
      where: { id: this.run.id, status: "RUNNING" },
      data: { status: "COMPLETED", activeSlot: null, finishedAt: new Date() },
    });
    if (count !== 1) return;
    const row = await db.jobRun.findUniqueOrThrow({ where: { id: this.run.id } });
    await this.engine.ended(row);
    if (row.trigger === AUTOMATIC_TRIGGER) return;
    await recordAudit({
      action: this.kind.audit.completed,
      actor: systemActor,
      target: { type: this.kind.audit.target, id: row.id },
      details: { total: row.total, ...countersOf(this.kind, row) },
    });
  }
}

/** The run's counters under the kind's names (verified/warnings/failed, reloaded/failed). */
export function countersOf(kind: AnyJobKind, row: Pick<RunRow, "ok" | "warnings" | "failed">): Record<string, number> {
  return { [kind.counterNames.ok]: row.ok, [kind.counterNames.warning]: row.warnings, [kind.counterNames.failed]: row.failed };
}

/**
 * Writes results as they come: a batch is written as soon as the previous write ended (everything that
 * arrived meanwhile, up to 200), each batch in one transaction with the run's counters and fence. Results
 * hold their items' slots until written (see Worker.unwritten), so a crash loses at most the concurrency.
 * A result arriving while nothing is being written waits for the end of the event loop's turn, so the
 * results of every response read in that turn share one transaction: on the embedded database a write
 * is synchronous and would otherwise commit each result alone (a commit costs more than a result).
 */
class BatchWriter {
  private buffer: Pending[] = [];
  private writing: Promise<void> | null = null;
  private scheduled: NodeJS.Immediate | null = null;

  constructor(
    private readonly run: RunRef,
    private readonly kind: AnyJobKind,
    private readonly on: { written: (items: Pending[]) => void; failed: (items: Pending[], e: unknown) => void },
  ) {}

  add(item: Pending) {
    this.buffer.push(item);
    // While a write is under way, its loop takes this one next.
    if (this.writing || this.scheduled) return;
    this.scheduled = setImmediate(() => void this.flush());
  }

  /** A crash (test hook): results not yet written are lost, as they would be. */
  discard() {
    this.unschedule();
    this.buffer.length = 0;
  }

  private unschedule() {
    if (this.scheduled) clearImmediate(this.scheduled);
    this.scheduled = null;
  }

  /** Resolves once everything added so far is written (or failed). */
  flush(): Promise<void> {
    this.unschedule();
    if (!this.writing) {
      if (this.buffer.length === 0) return Promise.resolve();
      this.writing = this.drain();
    }
    return this.writing;
  }

  private async drain() {
    try {
      while (this.buffer.length > 0) {
        const items = this.buffer.splice(0, BATCH_SIZE);
        await this.write(items).then(
          () => this.on.written(items),
          (e: unknown) => this.on.failed(items, e),
        );
      }
    } finally {
      this.writing = null;
    }
  }

  private async writeOnce(results: unknown[]) {
    const counts: RunCounts = { ok: 0, warnings: 0, failed: 0 };
    const field: Record<Category, keyof RunCounts> = { ok: "ok", warning: "warnings", failed: "failed" };
    for (const r of results) counts[field[this.kind.category(r)]]++;
    await this.kind.write(this.run, results, counts);
  }

  private async write(items: Pending[]) {
    try {
      await this.writeOnce(items.map((i) => i.result));
    } catch (e) {
      if (e instanceof RunEndedError || !retryOneByOne(e)) throw e;
      // An item already has its result in this run (its chunk was handed over while this process was
      // stalled), or its tenant was deleted meanwhile: write the others one by one, each counted once.
      for (const item of items) {
        try {
          await this.writeOnce([item.result]);
        } catch (e2) {
          if (e2 instanceof RunEndedError || !retryOneByOne(e2)) throw e2;
          // A conflict of the result's own (not a result already in the run): the kind says what to store instead.
          const instead = isUniqueViolation(e2) ? await this.kind.conflict?.(item.result) : undefined;
          if (instead === undefined) continue;
          item.result = instead;
          try {
            await this.writeOnce([instead]);
          } catch (e3) {
            if (e3 instanceof RunEndedError || !retryOneByOne(e3)) throw e3;
          }
        }
      }
    }
  }
}

/** A batch refused because of one of its items: a duplicate result (P2002) or an item gone (P2003). */
function retryOneByOne(e: unknown) {
  const code = (e as { code?: string } | null)?.code;
  return isUniqueViolation(e) || code === "P2003";
}

function sleep(ms: number) {
  return new Promise((r) => setTimeout(r, ms));
}

function errorName(e: unknown) {
  return e instanceof Error ? `${e.name}: ${e.message.slice(0, 200)}` : "error";
}
