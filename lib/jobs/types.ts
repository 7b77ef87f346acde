import type { AuditAction, AuditTarget } from "@/lib/audit";

/**
 * A job kind declares its items, how one item is processed and its concurrency; the engine
 * (./engine.ts) owns everything else: claiming, leases, heartbeats, retries, progress, cancel,
 * completion and counters. Items are ids (tenant ids for every kind so far), handed out in id order.
 */

/** The kinds of lib/jobs/kinds.ts; any other name is a kind of a test suite. */
export type KindName = "verify" | "reload-directory" | "user-sync" | (string & {});

/** Where a result counts: the run's `ok`, `warnings` or `failed` counter. */
export type Category = "ok" | "warning" | "failed";

/**
 * The trigger of runs nobody asked for just now (a schedule). Their start and end are not audited (the
 * audit log records people's actions and status changes, not every automatic recheck), and a kind may
 * leave out items not due.
 */
export const AUTOMATIC_TRIGGER = "schedule";

/**
 * What a run covers: its scope (item ids, or null for every item of the kind), how it was started
 * ("schedule" for automatic runs, which may leave out items not due) and when.
 */
export type RunSelection = { scope: string[] | null; trigger: string; startedAt: Date };

export type RunRef = RunSelection & { id: string; kind: KindName; requestedBy: string };

export type ProcessContext<Shared> = {
  run: RunRef;
  /** What kind.prepare() loaded once for the run in this process (settings, retry policy). */
  shared: Shared;
  /** Aborted when the run is cancelled, taken over elsewhere, or this process stops. */
  signal: AbortSignal;
};

export type JobKind<Item extends { id: string } = { id: string }, Result = unknown, Shared = unknown> = {
  name: KindName;
  /** The run's concurrency when its starter gives none. */
  defaultConcurrency(): number;
  /** Items of a run of this selection, for its total. */
  count(selection: RunSelection): Promise<number>;
  /** Ids of the selection's items in id order after `after` (done or not): what the run covers. */
  scopeIds(selection: RunSelection, after: string | null, limit: number): Promise<string[]>;
  /**
   * Loads the items to process, in the order given, leaving out those already done in this run (a chunk
   * handed over after a crash) and those that no longer exist.
   */
  load(run: RunRef, ids: string[]): Promise<Item[]>;
  /** Loaded once per run and process. */
  prepare(run: RunRef): Promise<Shared>;
  /**
   * Processes one item. An item's own failure is a result (category "failed"), not an exception; an
   * exception means "not processed" and the item is handed back.
   */
  process(item: Item, context: ProcessContext<Shared>): Promise<Result>;
  category(result: Result): Category;
  /** What the run's three counters are called for this kind, in audit details and progress (verified, warnings, failed). */
  counterNames: Record<Category, string>;
  /**
   * Stores a batch of results and marks their items done in the run, in one transaction that also adds
   * `counts` to the run's counters, and only while the run is RUNNING: otherwise nothing is written and it
   * throws RunEndedError (nothing is stored after a cancel). An item that already has its result in the run
   * must fail the batch with a unique violation (code P2002), an item that no longer exists with P2003: the
   * engine then writes the batch one result at a time, skipping those. `runPrismaBatch` (./prisma-batch.ts)
   * does all this for writes expressed as Prisma operations.
   */
  write(run: RunRef, results: Result[], counts: RunCounts): Promise<void>;
  /**
   * A result that, written alone, a unique index refused: what to store instead when the conflict is the
   * result's own (Reload All: another tenant took the same Entra tenant meanwhile, so this one fails with
   * the reason), or undefined when the item already has its result in the run (skipped, as without it).
   */
  conflict?(result: Result): Promise<Result | undefined>;
  /** Audit actions of the run's life; details are the engine's (trigger, total, counters). */
  audit: { target: AuditTarget["type"]; started: AuditAction; completed: AuditAction; cancelled: AuditAction };
};

export type AnyJobKind = JobKind<{ id: string }, unknown, unknown>;

/** What a batch adds to the run's counters. */
export type RunCounts = { ok: number; warnings: number; failed: number };

/** The run is no longer RUNNING (cancelled, or completed elsewhere): nothing was written. */
export class RunEndedError extends Error {
  constructor() {
    super("The run is no longer running");
    this.name = "RunEndedError";
  }
}
