import { env } from "@/lib/env";
import { getKeyring } from "@/lib/crypto/keyring";
import { getAuthSecret } from "@/lib/auth/secret";
import { migrateDatabase } from "@/lib/migrations";

/** Runs once per console server process, before it serves requests (instrumentation.ts). */
export async function onServerStart() {
  const result = await migrateDatabase(env.DATABASE_URL);
  if (result.applied.length) console.log(`[startup] applied migrations: ${result.applied.join(", ")}`);
  // Create the local keys now rather than on the first request that needs them.
  getKeyring();
  getAuthSecret();

  const { releaseRuns, resumeInterruptedRuns, startScheduler } = await import("@/lib/verification");
  // A run whose process died (crash, deploy) continues here with the tenants that have no result yet.
  const resumed = await resumeInterruptedRuns();
  if (resumed.length) console.log(`[startup] resumed verification run(s): ${resumed.join(", ")}`);
  // VERIFY_SCHEDULE_HOURS=0 turns off scheduled runs and the refresh-token keep-alive alike.
  if (env.VERIFY_SCHEDULE_HOURS > 0) startScheduler({ keepAlive: true });
  const stop = () => {
    void releaseRuns().finally(() => process.exit(0));
  };
  process.once("SIGTERM", stop);
  process.once("SIGINT", stop);
}
