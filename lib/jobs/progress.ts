import "server-only";
import { db } from "@/lib/db";
import { runRef, type JobEngine, type RunRow } from "./engine";

/**
 * A run's progress, the same for every kind and store: counters from the run row (kept with the results),
 * items in flight from the store (every instance on PostgreSQL), and a rate measured here from how the
 * done count moved over the last minute, so the ETA follows the run's real pace.
 */

export type JobProgress = {
  id: string;
  kind: string;
  status: RunRow["status"];
  trigger: string;
  requestedBy: string;
  concurrency: number;
  total: number;
  done: number;
  ok: number;
  warnings: number;
  failed: number;
  remaining: number;
  /** Items finished per second over the last minute (or since the start). */
  ratePerSecond: number;
  etaSeconds: number | null;
  inFlight: number;
  startedAt: Date;
  finishedAt: Date | null;
};

const RATE_WINDOW_MS = 60_000;
const SAMPLE_EVERY_MS = 250;

/**
 * What this module keeps between calls, held by the process's engine: Next.js bundles a module once per
 * route, so module-level state here would be one copy per route, while the engine is one per process.
 */
export type ProgressState = {
  samples: Map<string, { t: number; done: number }[]>;
  cache: Map<string, { at: number; value: Promise<JobProgress | null> }>;
};

export function newProgressState(): ProgressState {
  return { samples: new Map(), cache: new Map() };
}

/** Tenants per second from this process's samples of the done count; the run's average until a few exist. */
function rateOf(samples: ProgressState["samples"], row: RunRow, done: number, now: number): number {
  let list = samples.get(row.id);
  if (!list) {
    list = [];
    samples.set(row.id, list);
    if (samples.size > 50) samples.delete(samples.keys().next().value!);
  }
  const last = list[list.length - 1];
  if (!last || now - last.t >= SAMPLE_EVERY_MS) list.push({ t: now, done });
  while (list.length > 2 && now - list[0]!.t > RATE_WINDOW_MS) list.shift();
  const first = list[0]!;
  if (now - first.t >= 2_000 && done > first.done) return (done - first.done) / ((now - first.t) / 1000);
  const elapsed = now - row.startedAt.getTime();
  return elapsed > 0 ? done / (elapsed / 1000) : 0;
}

export async function readProgress(engine: JobEngine, runId: string): Promise<JobProgress | null> {
  const row = await db.jobRun.findUnique({ where: { id: runId } });
  if (!row) return null;
  const done = row.ok + row.warnings + row.failed;
  const remaining = Math.max(0, row.total - done);
  const running = row.status === "RUNNING";
  const now = Date.now();
  let ratePerSecond: number;
  const { samples } = engine.progress;
  if (running) {
    ratePerSecond = rateOf(samples, row, done, now);
  } else {
    samples.delete(row.id);
    const elapsed = ((row.finishedAt ?? new Date()).getTime() - row.startedAt.getTime()) / 1000;
    ratePerSecond = elapsed > 0 ? done / elapsed : 0;
  }
  const inFlight = running ? await engine.store.inFlight(runRef(row), engine.localInFlight(row.id)) : 0;
  return {
    id: row.id,
    kind: row.kind,
    status: row.status,
    trigger: row.trigger,
    requestedBy: row.requestedBy,
    concurrency: row.concurrency,
    total: row.total,
    done,
    ok: row.ok,
    warnings: row.warnings,
    failed: row.failed,
    remaining,
    ratePerSecond: Math.round(ratePerSecond * 10) / 10,
    etaSeconds: !running ? 0 : ratePerSecond > 0 ? Math.ceil(remaining / ratePerSecond) : null,
    inFlight,
    startedAt: row.startedAt,
    finishedAt: row.finishedAt,
  };
}

const CACHE_MS = 500;

/**
 * Progress shared by every caller of this process for half a second, so many browsers watching a run
 * do not slow it down. `fresh` skips the cache (the run just ended).
 */
export function getProgress(engine: JobEngine, runId: string, fresh = false): Promise<JobProgress | null> {
  const { cache } = engine.progress;
  const hit = cache.get(runId);
  if (!fresh && hit && Date.now() - hit.at < CACHE_MS) return hit.value;
  const value = readProgress(engine, runId);
  cache.set(runId, { at: Date.now(), value });
  value.catch(() => cache.delete(runId));
  if (cache.size > 100) cache.delete(cache.keys().next().value!);
  return value;
}

const PUBLISH_MIN_MS = 250;

/**
 * Progress events for a run: pushed as results are written in this process (at most every 250 ms) and
 * polled once a second, so runs driven elsewhere are followed too; a last event when the run ends.
 */
export function subscribeProgress(engine: JobEngine, runId: string, listener: (p: JobProgress) => void): () => void {
  let closed = false;
  let lastStatus: string | null = null;
  let lastPush = 0;
  const deliver = (p: JobProgress | null) => {
    if (!p || closed || (lastStatus !== null && lastStatus !== "RUNNING")) return;
    lastStatus = p.status;
    if (p.status !== "RUNNING") stop();
    listener(p);
  };
  const off = engine.onProgress(runId, (final) => {
    const now = Date.now();
    if (!final && now - lastPush < PUBLISH_MIN_MS) return;
    lastPush = now;
    void getProgress(engine, runId, final)
      .then(deliver)
      .catch(() => {});
  });
  const poll = setInterval(
    () =>
      void getProgress(engine, runId)
        .then(deliver)
        .catch(() => {}),
    1000,
  );
  poll.unref();
  const stop = () => {
    clearInterval(poll);
    off();
  };
  void getProgress(engine, runId)
    .then(deliver)
    .catch(() => {});
  return () => {
    closed = true;
    stop();
  };
}
