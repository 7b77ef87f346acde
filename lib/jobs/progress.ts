import "server-only";
import { db } from "@/lib/db";
import { runRef, type JobEngine, type RunRow } from "./engine";
import { etaSeconds, nextRate, type RateEstimate } from "./eta";

/**
 * A run's progress, the same for every kind and store: counters from the run row (kept with the results),
 * items in flight from the store (every instance on PostgreSQL), and a rate measured here from how the
 * done count moves (smoothed, ./eta.ts), so the ETA follows the run's real pace.
 */

/** A verification run's summary (JobRun.summary…; zero for other kinds): see lib/tenants/failure-policy.ts, summaryKey. */
export type RunSummary = { verified: number; recovered: number; newlyFailed: number; stillFailing: number; blocked: number; retrying: number };

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
  /** Items finished per second, smoothed over about the last 15 s (./eta.ts; the run's average once it ended). */
  ratePerSecond: number;
  etaSeconds: number | null;
  inFlight: number;
  summary: RunSummary;
  startedAt: Date;
  finishedAt: Date | null;
};

/**
 * What this module keeps between calls, held by the process's engine: Next.js bundles a module once per
 * route, so module-level state here would be one copy per route, while the engine is one per process.
 */
export type ProgressState = {
  samples: Map<string, RateEstimate>;
  cache: Map<string, { at: number; value: Promise<JobProgress | null> }>;
};

export function newProgressState(): ProgressState {
  return { samples: new Map(), cache: new Map() };
}

/** Items per second from this process's smoothed estimate of the run (./eta.ts). */
function rateOf(samples: ProgressState["samples"], row: RunRow, done: number, now: number): number {
  const next = nextRate(samples.get(row.id) ?? null, { t: now, done }, row.startedAt.getTime());
  samples.delete(row.id);
  samples.set(row.id, next);
  if (samples.size > 50) samples.delete(samples.keys().next().value!);
  return next.rate;
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
    etaSeconds: running ? etaSeconds(remaining, ratePerSecond) : 0,
    inFlight,
    summary: {
      verified: row.summaryVerified,
      recovered: row.summaryRecovered,
      newlyFailed: row.summaryNewlyFailed,
      stillFailing: row.summaryStillFailing,
      blocked: row.summaryBlocked,
      retrying: row.summaryRetrying,
    },
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
