import "server-only";
import { env } from "@/lib/env";
import { isPostgresUrl } from "@/lib/db-client";
import { JobEngine } from "./engine";
import { jobKinds } from "./kinds";
import { createEmbeddedStore } from "./store-embedded";
import { createPostgresStore, type PostgresStoreOptions } from "./store-postgres";

/**
 * This process's job engine. The store is chosen here and nowhere else: PostgreSQL (pg-boss, every
 * instance works on every run) for a postgresql:// DATABASE_URL, the embedded store otherwise.
 */

export { JobEngine, type RunRow, type StartRunInput } from "./engine";
export { getProgress, subscribeProgress, type JobProgress } from "./progress";
export type { KindName } from "./types";

const holder = globalThis as unknown as { tacJobEngine?: JobEngine; tacJobStoreOptions?: Partial<PostgresStoreOptions> };

/** Options for this process's PostgreSQL store (tests and child instances), before the engine's first use. */
export function configureJobStore(options: Partial<PostgresStoreOptions>) {
  if (holder.tacJobEngine) throw new Error("the job engine of this process has already started");
  holder.tacJobStoreOptions = options;
}

export function jobEngine(): JobEngine {
  holder.tacJobEngine ??= new JobEngine(
    isPostgresUrl(env.DATABASE_URL)
      ? createPostgresStore({
          databaseUrl: env.DATABASE_URL,
          schema: env.PGBOSS_SCHEMA,
          leaseTtlMs: env.VERIFY_LEASE_SECONDS * 1000,
          ...holder.tacJobStoreOptions,
        })
      : createEmbeddedStore(),
    jobKinds,
  );
  return holder.tacJobEngine;
}

/** Stops this process's engine (its work goes back to the others at once); the next use starts a new one. */
export async function stopJobEngine() {
  const engine = holder.tacJobEngine;
  holder.tacJobEngine = undefined;
  await engine?.stop();
}
