import type { RunSummary } from "@/lib/jobs/progress";

/** Run progress, shared by the engine, the console pages and the REST API. The outcome of one check is ./outcome.ts. */

/**
 * What a run did to the tenants' statuses (lib/tenants/failure-policy.ts, summaryKey): verified (working,
 * and not Failed before), recovered (Failed before, working now), newly failed, still failing, blocked by a
 * rejected app registration credential, and retrying (the check failed but the status was kept: transient,
 * or consent still being confirmed). They add up to the tenants done. Declared once, with the run's counters.
 */
export type { RunSummary };

export type RecentFailure = {
  tenantId: string;
  customerId: string;
  displayName: string;
  reasonCode: string;
  message: string;
  finishedAt: Date;
};

export type RunProgress = {
  id: string;
  status: "RUNNING" | "COMPLETED" | "CANCELLED" | "FAILED";
  trigger: string;
  requestedBy: string;
  concurrency: number;
  total: number;
  done: number;
  verified: number;
  warnings: number;
  failed: number;
  remaining: number;
  /** Tenants finished per second, smoothed (lib/jobs/eta.ts); the run's average once it ended. */
  ratePerSecond: number;
  etaSeconds: number | null;
  /** Tenants being verified right now: by this process on SQLite, by every instance on PostgreSQL. */
  inFlight: number;
  recentFailures: RecentFailure[];
  summary: RunSummary;
  startedAt: Date;
  finishedAt: Date | null;
};
