/** Run progress, shared by the engine, the console pages and the REST API. The outcome of one check is ./outcome.ts. */

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
  /** Tenants finished per second over the last minute (or since the start). */
  ratePerSecond: number;
  etaSeconds: number | null;
  /** Tenants being verified right now: by this process on SQLite, by every instance on PostgreSQL. */
  inFlight: number;
  recentFailures: RecentFailure[];
  startedAt: Date;
  finishedAt: Date | null;
};
