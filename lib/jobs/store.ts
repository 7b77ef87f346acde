import type { AnyJobKind, RunRef } from "./types";

/**
 * Where a run's work lives between processes: the one seam between the embedded store (SQLite, one
 * process drives a run) and the PostgreSQL store (pg-boss jobs shared by every instance). The engine
 * (./engine.ts) holds all the logic that is the same for both — processing, batching, the run's counters,
 * fencing, completion, cancel, progress — and asks the store only what differs. ./contract.test.ts runs
 * the same suite against whichever store the test database selects.
 */

/** A slice of a run's items, claimed by one process. */
export type Chunk = { id: string; itemIds: string[] };

export type JobStore = {
  readonly name: "embedded" | "postgres";
  /** How long a process's hold lasts without a heartbeat; the engine beats several times within it. */
  readonly leaseMs: number;
  /**
   * Whether this process works on the run now. Embedded: it becomes the run's only driver when the run has
   * none alive (no owner, a stale heartbeat, or an owner process that is gone). PostgreSQL: always (every
   * instance takes a share).
   */
  join(run: RunRef, kind: AnyJobKind): Promise<boolean>;
  /** Done once by whoever creates the run, and repeatable: PostgreSQL enqueues the run's chunks. */
  prepare(run: RunRef, kind: AnyJobKind, concurrency: number): Promise<void>;
  /** Chunks holding about `items` items (at least one chunk) for this process; none when there is nothing to take right now. */
  claim(run: RunRef, kind: AnyJobKind, items: number): Promise<Chunk[]>;
  /** Every item of the chunk was processed and its result written. */
  settle(run: RunRef, chunk: Chunk): Promise<void>;
  /** Hands chunks back unfinished (cancel, shutdown, an item that could not be processed); their done items are skipped when they come back. */
  release(run: RunRef, chunks: Chunk[]): Promise<void>;
  /**
   * Nothing of the run is waiting, retrying or held anywhere (this process's chunks included). PostgreSQL:
   * a run whose chunks are not all enqueued (its starter is still at it, or died doing it) is not drained;
   * whichever process gets the run's enqueue lock first finishes enqueueing it, at the run's concurrency.
   */
  drained(run: RunRef, kind: AnyJobKind, concurrency: number): Promise<boolean>;
  /**
   * How many of the run's items this process may have in use (processing, or waiting for their result to
   * be written) from now on, given `inUse` now. The shares of all processes never add up to more than the
   * run's concurrency: a process gives up a slot only once it is idle.
   */
  share(run: RunRef, concurrency: number, inUse: number): Promise<number>;
  /**
   * Renews this process's hold on the run (every heartbeat), reporting its items in flight. False when
   * the hold was lost (another process took the run over): stop working on it at once.
   */
  heartbeat(run: RunRef, inFlight: number): Promise<boolean>;
  /** Items in flight for the run across every process. */
  inFlight(run: RunRef, local: number): Promise<number>;
  /** This process stops working on the run (its chunks were released). */
  leave(run: RunRef): Promise<void>;
  /** The run ended (completed or cancelled): its leftovers are dropped. */
  ended(run: RunRef): Promise<void>;
  /** Leaves the cluster (releases everything this process holds). */
  stop(): Promise<void>;
};
