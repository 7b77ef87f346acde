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

  const { releaseRuns, resumeInterruptedRuns, startConsentConfirmation, startScheduler } = await import("@/lib/verification");
  // Every process watches for active runs from now on, whatever the scheduler setting: a run whose
  // process died (crash, deploy) continues here at once with the items that have no result yet.
  const resumed = await resumeInterruptedRuns();
  if (resumed.length) console.log(`[startup] resumed run(s): ${resumed.join(", ")}`);
  // VERIFY_SCHEDULE_HOURS=0 turns off scheduled runs and the refresh-token keep-alive alike.
  if (env.VERIFY_SCHEDULE_HOURS > 0) startScheduler({ keepAlive: true });
  // Consents received but not confirmed yet are checked on their backoff in every case (a few minutes each).
  startConsentConfirmation();
  if (env.USER_SYNC_SCHEDULE_HOURS > 0) (await import("@/lib/users")).startUserSyncSchedule();
  // Incidents, alert events and the notification outbox (NOTIFY_TICK_SECONDS=0: off).
  (await import("@/lib/notify")).startNotifier();
  // Client-secret rotations advance step by step on the job engine (ROTATION_TICK_SECONDS=0: not here).
  (await import("@/lib/provider/rotation")).startRotationTicks();
  const stop = () => {
    void releaseRuns().finally(() => process.exit(0));
  };
  process.once("SIGTERM", stop);
  process.once("SIGINT", stop);
}
