import "server-only";
import { db } from "@/lib/db";
import { PROCESS_ID, processGone } from "./process";
import type { JobStore } from "./store";
import type { AnyJobKind, RunRef } from "./types";

/**
 * The embedded store (SQLite): one process drives a run, recorded on the run row (ownerId, heartbeatAt).
 * Another process takes the run over when its driver is gone (same host, no such pid) or its heartbeat
 * is older than the lease (VERIFY_LEASE_SECONDS). The driver pages through the run's items in id order; items handed back
 * are offered again first, a few times at most.
 */

export const STALE_AFTER_MS = 15_000;
const PAGE = 256;
const MAX_ATTEMPTS = 5;

type RunState = { cursor: string | null; exhausted: boolean; released: string[]; attempts: Map<string, number>; chunks: number };

export function createEmbeddedStore(options: { ownerId?: string; staleAfterMs?: number } = {}): JobStore {
  const ownerId = options.ownerId ?? PROCESS_ID;
  const staleAfterMs = options.staleAfterMs ?? STALE_AFTER_MS;
  const runs = new Map<string, RunState>();

  const stateOf = (runId: string) => {
    let s = runs.get(runId);
    if (!s) {
      s = { cursor: null, exhausted: false, released: [], attempts: new Map(), chunks: 0 };
      runs.set(runId, s);
    }
    return s;
  };

  return {
    name: "embedded",
    leaseMs: staleAfterMs,

    async join(run) {
      const now = new Date();
      const stale = new Date(now.getTime() - staleAfterMs);
      const row = await db.jobRun.findUnique({ where: { id: run.id }, select: { ownerId: true, status: true } });
      if (!row || row.status !== "RUNNING") return false;
      if (row.ownerId === ownerId) return true;
      // The owner as it was read: a compare-and-set, so two processes cannot both take the run over.
      const owner = row.ownerId === null || processGone(row.ownerId) ? { ownerId: row.ownerId } : { heartbeatAt: { lt: stale } };
      const { count } = await db.jobRun.updateMany({ where: { id: run.id, status: "RUNNING", ...owner }, data: { ownerId: ownerId, heartbeatAt: now } });
      if (count === 1) runs.delete(run.id);
      return count === 1;
    },

    async prepare() {},

    // One page at a time: a page holds more items than a share wants at once. Items handed back come first.
    async claim(run, kind: AnyJobKind) {
      const s = stateOf(run.id);
      let ids: string[] = [];
      if (s.released.length > 0) {
        ids = s.released.splice(0, PAGE);
      } else if (!s.exhausted) {
        ids = await kind.scopeIds(run, s.cursor, PAGE);
        if (ids.length < PAGE) s.exhausted = true;
        if (ids.length > 0) s.cursor = ids[ids.length - 1]!;
      }
      return ids.length > 0 ? [{ id: `${run.id}:${s.chunks++}`, itemIds: ids }] : [];
    },

    async settle() {},

    async release(run, chunks) {
      const s = stateOf(run.id);
      for (const id of chunks.flatMap((c) => c.itemIds)) {
        const attempts = (s.attempts.get(id) ?? 0) + 1;
        s.attempts.set(id, attempts);
        if (attempts < MAX_ATTEMPTS) s.released.push(id);
        else console.error(`[jobs] ${run.kind} run ${run.id}: item ${id} given up after ${attempts} attempts`);
      }
    },

    async drained(run) {
      const s = stateOf(run.id);
      return s.exhausted && s.released.length === 0;
    },

    async share(_run, concurrency) {
      return concurrency;
    },

    async heartbeat(run) {
      const { count } = await db.jobRun.updateMany({ where: { id: run.id, ownerId: ownerId, status: "RUNNING" }, data: { heartbeatAt: new Date() } });
      return count === 1;
    },

    async inFlight(_run, local) {
      return local;
    },

    async leave(run: RunRef) {
      runs.delete(run.id);
      // Let another process continue at once (a shutdown), instead of after the heartbeat goes stale.
      await db.jobRun.updateMany({ where: { id: run.id, ownerId: ownerId }, data: { ownerId: null } });
    },

    async ended(run) {
      runs.delete(run.id);
    },

    async stop() {},
  };
}
