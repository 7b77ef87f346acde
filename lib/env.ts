import path from "node:path";
import { z } from "zod";
// Relative, not "@/": next.config.ts loads this file, and its loader does not know the alias.
import { parseAllowList } from "./net/outbound-policy";

/**
 * The only reader of `process.env`. Every variable is validated once, at first import, and a bad value
 * stops the process with a message naming the variable. Defaults make a fresh clone run with nothing
 * configured. Documented in .env.example and README.md.
 */

const booleanString = z.enum(["true", "false", "1", "0", "yes", "no"]).transform((v) => v === "true" || v === "1" || v === "yes");

const base64Key = z.string().refine((v) => Buffer.from(v, "base64").length === 32, "must be 32 random bytes, base64-encoded");

const envSchema = z.object({
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
  /** Where the console keeps generated keys and the embedded database. */
  DATA_DIR: z.string().min(1).default(".data"),
  /** `file:` for the embedded SQLite database, `postgresql://` for PostgreSQL. */
  DATABASE_URL: z
    .string()
    .regex(/^(file:|postgres(ql)?:\/\/)/, "must start with file: or postgresql://")
    .optional(),
  /** Port of the console's HTTP server (`npm run start`, `npm run console`). */
  PORT: z.coerce.number().int().min(0).max(65_535).default(3000),
  /** Public base URL of the console (consent links and the OAuth redirect URL derive from it). */
  APP_URL: z.url().default("http://localhost:3000"),
  /** next-auth's signing/encryption secret; generated into DATA_DIR when unset. */
  AUTH_SECRET: z.string().min(32, "must be at least 32 characters").optional(),
  /** Current data-encryption master key (32 bytes, base64); generated into DATA_DIR when unset. */
  ENCRYPTION_KEY: base64Key.optional(),
  /** Identifier stored with every ciphertext made under ENCRYPTION_KEY. */
  ENCRYPTION_KEY_ID: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,32}$/, "letters, digits, - and _ only (at most 32)")
    .optional(),
  /** Previous keys still readable during a rotation: `id:base64,id:base64`. */
  ENCRYPTION_PREVIOUS_KEYS: z
    .string()
    .regex(/^([A-Za-z0-9_-]{1,32}:[A-Za-z0-9+/=]+)(,[A-Za-z0-9_-]{1,32}:[A-Za-z0-9+/=]+)*$/, "must be id:base64 pairs separated by commas")
    .optional(),
  /** Local email + password sign-in (the break-glass path once Entra sign-in is configured). */
  LOCAL_SIGN_IN_ENABLED: booleanString.default(true),
  /** Failed sign-ins per account and address before a temporary lock. */
  SIGN_IN_MAX_FAILURES: z.coerce.number().int().min(1).max(100).default(5),
  /** Lock duration (and counting window) after too many failed sign-ins, in seconds. */
  SIGN_IN_LOCK_SECONDS: z.coerce.number().int().min(1).max(86_400).default(900),
  /** Tenants verified at the same time by a Verify All run. */
  VERIFY_CONCURRENCY: z.coerce.number().int().min(1).max(1024).default(32),
  /** Time limit of one call to Microsoft (token endpoint or Graph), in seconds. */
  VERIFY_TIMEOUT_SECONDS: z.coerce.number().min(1).max(300).default(30),
  /** Retries of a throttled (429/503) or failed (5xx) call before the tenant is reported as failed. */
  VERIFY_MAX_RETRIES: z.coerce.number().int().min(0).max(10).default(4),
  /**
   * The failure policy (lib/tenants/failure-policy.ts): a transient failure (throttled, 5xx, timeout,
   * network) keeps the tenant's status until this many consecutive checks failed…
   */
  VERIFY_TRANSIENT_FAILURES: z.coerce.number().int().min(1).max(100).default(3),
  /** …over at least this many minutes; then the tenant turns Failed. */
  VERIFY_TRANSIENT_MINUTES: z.coerce
    .number()
    .int()
    .min(0)
    .max(7 * 24 * 60)
    .default(30),
  /** Hours between scheduled Verify All runs; 0 disables the scheduler. */
  VERIFY_SCHEDULE_HOURS: z.coerce
    .number()
    .min(0)
    .max(24 * 30)
    .default(24),
  /** Hours between scheduled user syncs of every reachable tenant (Users tab); 0 (the default) disables them. */
  USER_SYNC_SCHEDULE_HOURS: z.coerce
    .number()
    .min(0)
    .max(24 * 30)
    .default(0),
  /** Tenants whose users are synchronized at the same time by a scheduled sync of every tenant. */
  USER_SYNC_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(4),
  /**
   * PostgreSQL only: the schema of the job queue (pg-boss) that spreads Verify All over the instances.
   * Default `pgboss`, or `<schema>_pgboss` when DATABASE_URL names a schema other than public.
   */
  /**
   * PostgreSQL only: how long an instance that stopped renewing its lease (crashed, cut off) keeps its
   * Verify All jobs before the other instances take them over.
   */
  VERIFY_LEASE_SECONDS: z.coerce.number().int().min(3).max(600).default(15),
  PGBOSS_SCHEMA: z
    .string()
    .regex(/^[A-Za-z_][A-Za-z0-9_]{0,49}$/, "letters, digits and _ only (at most 50), not starting with a digit")
    .optional(),
  /**
   * Consent propagation: after a customer's admin consented, Entra answers "app not in tenant" (700016)
   * or consent missing (65001) for a few minutes while it replicates. For this many seconds after the
   * consent such answers are retried (the tenant shows "Consent received — confirming") instead of
   * failing it; then it turns Failed with the real reason.
   */
  CONSENT_CONFIRM_WINDOW_SECONDS: z.coerce.number().min(1).max(3_600).default(300),
  /** The first retry this many seconds after the consent; each next one waits twice as long… */
  CONSENT_CONFIRM_BACKOFF_SECONDS: z.coerce.number().min(0.1).max(600).default(5),
  /** …up to this many seconds. */
  CONSENT_CONFIRM_BACKOFF_MAX_SECONDS: z.coerce.number().min(0.1).max(3_600).default(60),
  /**
   * Alerts (lib/notify): how often incidents are reconciled, events detected and the outbox delivered
   * (once per interval across the cluster); 0 turns notifications off in this deployment.
   */
  NOTIFY_TICK_SECONDS: z.coerce.number().min(0).max(3_600).default(10),
  /** Attempts per notification before it is given up (its channel's delivery log says why). */
  NOTIFY_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(50).default(8),
  /** The first retry waits this many seconds, each next one twice as long (or the receiver's Retry-After when longer)… */
  NOTIFY_RETRY_BASE_SECONDS: z.coerce.number().min(0.1).max(3_600).default(30),
  /** …up to this many seconds. */
  NOTIFY_RETRY_MAX_SECONDS: z.coerce.number().min(1).max(86_400).default(3_600),
  /** One delivery attempt's time limit, in seconds. */
  NOTIFY_TIMEOUT_SECONDS: z.coerce.number().min(1).max(120).default(15),
  /**
   * Client-secret rotation of the MSP's app registrations (lib/provider/rotation.ts): tenants verified
   * with the new secret before it is stored (spread across clouds and methods; 0: only the home tenant's
   * token)…
   */
  ROTATION_CANARY_SIZE: z.coerce.number().int().min(0).max(50).default(5),
  /** …minutes the old secret is kept after the switch (long enough for a full Verify All to finish with it)… */
  ROTATION_GRACE_MINUTES: z.coerce.number().min(0).max(10_080).default(120),
  /** …and minutes to wait for Microsoft to accept a new secret (AADSTS7000215 while it replicates) before rolling back. */
  ROTATION_ACCEPT_TIMEOUT_MINUTES: z.coerce.number().min(0.1).max(1_440).default(15),
  /** Scheduled rotation: a registration's secret is rotated this many days before it expires (0: never automatically)… */
  ROTATION_DAYS_BEFORE_EXPIRY: z.coerce.number().int().min(0).max(365).default(30),
  /** …starting only inside this daily maintenance window, `HH:MM-HH:MM` in UTC (it may wrap past midnight). */
  ROTATION_WINDOW_UTC: z
    .string()
    .regex(/^([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-4]):[0-5]\d$/, "ROTATION_WINDOW_UTC must look like 01:00-05:00")
    .default("01:00-05:00"),
  /** How often the rotation steps are advanced (once per interval across the cluster); 0: never in this process. */
  ROTATION_TICK_SECONDS: z.coerce.number().min(0).max(3_600).default(5),
  /** Days a customer consent link stays valid. */
  CONSENT_LINK_DAYS: z.coerce.number().int().min(1).max(90).default(7),
  /** REST API requests per API token or Entra client per minute (fixed window, shared by every instance). */
  API_RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).max(1_000_000).default(600),
  /** Largest REST API request body, in bytes. */
  API_MAX_BODY_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .max(10 * 1024 * 1024)
    .default(256 * 1024),
  /**
   * Which peers are trusted reverse proxies: a number of hops, or a comma-separated list of addresses,
   * CIDRs or the names loopback, linklocal, uniquelocal. Unset: none; the socket's address is the
   * client's, and X-Forwarded-* headers are ignored.
   */
  TRUST_PROXY: z
    .string()
    .trim()
    .refine(
      (v) => v === "" || /^\d{1,2}$/.test(v) || v.split(",").every((p) => /^[0-9A-Za-z.:/_-]+$/.test(p.trim())),
      "a number of hops, or addresses/CIDRs separated by commas",
    )
    .optional(),
  /**
   * Hosts outbound calls to Microsoft may reach although they resolve to loopback, private or link-local
   * addresses (the emulator in tests and the demo): `host`, `host:port` or a CIDR, comma-separated.
   */
  OUTBOUND_ALLOW_HOSTS: z
    .string()
    .trim()
    .superRefine((v, ctx) => {
      const parsed = parseAllowList(v);
      if (!parsed.ok) ctx.addIssue({ code: "custom", message: parsed.error });
    })
    .optional(),
  /** Minutes without a request after which a console session ends. */
  SESSION_IDLE_MINUTES: z.coerce
    .number()
    .int()
    .min(1)
    .max(24 * 60)
    .default(60),
  /** Hours after sign-in at which a console session ends, whatever the activity. */
  SESSION_MAX_HOURS: z.coerce
    .number()
    .min(0.1)
    .max(24 * 30)
    .default(8),
  LOG_LEVEL: z.enum(["debug", "info", "warn", "error"]).default("info"),
});

export type Env = z.infer<typeof envSchema> & { DATABASE_URL: string; DATA_DIR: string };

function loadEnv(): Env {
  const parsed = envSchema.safeParse(process.env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join(".") || "(root)"}: ${i.message}`);
    throw new Error(`Invalid environment configuration:\n${lines.join("\n")}`);
  }
  const dataDir = path.resolve(parsed.data.DATA_DIR);
  return {
    ...parsed.data,
    DATA_DIR: dataDir,
    DATABASE_URL: parsed.data.DATABASE_URL ?? `file:${path.join(dataDir, "console.db")}`,
  };
}

export const env: Env = loadEnv();

/** Parses an environment object for tests of the validation rules themselves. */
export function parseEnvForTest(source: Record<string, string | undefined>) {
  return envSchema.safeParse(source);
}
