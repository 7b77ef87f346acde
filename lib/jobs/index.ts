import "server-only";
import { env } from "@/lib/env";
import { isPostgresUrl } from "@/lib/db-client";
import { JobEngine } from "./engine";
import { jobKinds } from "./kinds";
import { createEmbeddedStore } from "./store-embedded";
import type { JobStore } from "./store";
import { createPostgresStore } from "./store-postgres";

/**
 * This process's job engine. The store is chosen here and nowhere else: PostgreSQL (pg-boss, every
 * instance works on every run) for a postgresql:// DATABASE_URL, the embedded store otherwise. On both,
 * a process that stops renewing its hold for VERIFY_LEASE_SECONDS is taken over, and one of this host
 * that is gone at once.
 */

export { JobEngine, type RunRow, type StartRunInput } from "./engine";
export { getProgress, subscribeProgress, type JobProgress } from "./progress";
export type { KindName } from "./types";

export type JobStoreOptions = {
  /** This process's name in the store (default: host, pid and a random part). */
  instanceId?: string;
  /** How long work held by a process that stopped renewing stays with it before others take it over. */
  leaseTtlMs?: number;
  /** PostgreSQL: items per enqueued page and pages enqueued ahead of the work (tests make them small). */
  enqueuePage?: number;
  windowPages?: number;
};

const holder = globalThis as unknown as { tacJobEngine?: JobEngine; tacJobStoreOptions?: JobStoreOptions };

/** The store for this database: the one place it is chosen. */
export function createJobStore(options: JobStoreOptions = {}): JobStore {
  const leaseTtlMs = options.leaseTtlMs ?? env.VERIFY_LEASE_SECONDS * 1000;
  return isPostgresUrl(env.DATABASE_URL)
    ? createPostgresStore({
        databaseUrl: env.DATABASE_URL,
        schema: env.PGBOSS_SCHEMA,
        leaseTtlMs,
        instanceId: options.instanceId,
        enqueuePage: options.enqueuePage,
        windowPages: options.windowPages,
      })
    : createEmbeddedStore({ ownerId: options.instanceId, staleAfterMs: leaseTtlMs });
}

/** Options for this process's store (tests and child instances), before the engine's first use. */
export function configureJobStore(options: JobStoreOptions) {
  if (holder.tacJobEngine) throw new Error("the job engine of this process has already started");
  holder.tacJobStoreOptions = options;
}

export function jobEngine(): JobEngine {
  holder.tacJobEngine ??= new JobEngine(createJobStore(holder.tacJobStoreOptions), jobKinds);
  return holder.tacJobEngine;
}

/** Stops this process's engine (its work goes back to the others at once); the next use starts a new one. */
export async function stopJobEngine() {
  const engine = holder.tacJobEngine;
  holder.tacJobEngine = undefined;
  await engine?.stop();
}
