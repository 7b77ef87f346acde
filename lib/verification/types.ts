import type { Diagnostics } from "@/lib/entra/classify";
import type { ReasonCode, RemediationAction } from "@/lib/entra/reasons";

/** Shapes shared by the engine, the console pages and the REST API. No secrets ever appear here. */

export type VerificationStatusValue = "VERIFIED" | "WARNING" | "FAILED";
export type MethodValue = "PASSWORD" | "AUTH_TOKEN" | "APP_REGISTRATION";

export type OutcomeDetails = {
  method: MethodValue;
  explanation: string;
  remediation: { action: RemediationAction; text: string };
  /** Warnings on a working tenant (secret expiring, legacy method, account mismatch). */
  warnings: ReasonCode[];
  /** Extra facts for the reason, e.g. "secret expires 2026-12-01". */
  notes: string[];
  diagnostics?: Diagnostics;
  permissions?: { granted: string[]; required: string[]; missing: string[] };
  organization?: { id: string; displayName: string; defaultDomain: string | null };
  signedInUser?: { userPrincipalName: string | null; mail: string | null; matchesStoredEmail: boolean };
  userCount?: number | null;
  app?: { clientId: string; kind: "provider" | "tenant"; credential: "secret" | "certificate" };
  timings: { tokenMs?: number; graphMs?: number; totalMs: number; graphRoundTrips?: number; tokenAttempts?: number };
};

export type VerificationOutcome = {
  tenantId: string;
  status: VerificationStatusValue;
  reasonCode: ReasonCode;
  /** The reason's title, plus specifics (missing permission names) where they help. */
  message: string;
  details: OutcomeDetails;
  /** Earliest known moment access breaks: secret/certificate expiry or refresh-token inactivity deadline. */
  accessBreaksAt: Date | null;
  startedAt: Date;
  finishedAt: Date;
  durationMs: number;
};

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
