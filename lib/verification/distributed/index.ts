import "server-only";
import { env } from "@/lib/env";
import { DistributedEngine, type EngineOptions } from "./engine";

/**
 * The PostgreSQL side of lib/verification/runs.ts: runs.ts keeps the run rows, the single active run
 * (unique activeSlot), cancel and progress, and hands the work to this process's engine, which shares
 * it with every other instance on the same database. On SQLite nothing here is loaded.
 */

export { DistributedEngine, type EngineOptions } from "./engine";

const store = globalThis as unknown as { tacVerifyEngine?: DistributedEngine; tacVerifyEngineOptions?: Partial<EngineOptions> };

/** Options for this process's engine (tests and child instances), before its first use. */
export function configureProcessEngine(options: Partial<EngineOptions>) {
  if (store.tacVerifyEngine) throw new Error("the verification engine of this process has already started");
  store.tacVerifyEngineOptions = options;
}

export function processEngine(): DistributedEngine {
  store.tacVerifyEngine ??= new DistributedEngine({
    databaseUrl: env.DATABASE_URL,
    schema: env.PGBOSS_SCHEMA,
    leaseTtlMs: env.VERIFY_LEASE_SECONDS * 1000,
    // Several renewals fit in one lease, so one slow round trip does not cost an instance its jobs.
    heartbeatMs: Math.min(2_000, Math.floor((env.VERIFY_LEASE_SECONDS * 1000) / 4)),
    ...store.tacVerifyEngineOptions,
  });
  return store.tacVerifyEngine;
}

/** Stops this process's engine (its jobs go back to the others at once); the next use starts a new one. */
export async function stopProcessEngine() {
  const engine = store.tacVerifyEngine;
  store.tacVerifyEngine = undefined;
  await engine?.stop();
}
