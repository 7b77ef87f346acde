import { z } from "zod";
import { reasonCodes, reasons, remediationActions } from "@/lib/entra/reasons";
import type { Prisma } from "@/lib/generated/prisma/client";
import { parseJsonObject } from "@/lib/json";
import { methodIds, remediationFor, type MethodId } from "@/lib/methods";

/**
 * A verification outcome, declared once. The engine builds it, lib/tenants/status.ts stores it (a
 * VerificationResult row and the tenant's status), and every view derives from this schema: the stored
 * result read back (`outcomeFromRow`), the REST API's VerificationResult (lib/api/schemas.ts), the
 * tenant page and the connection test. No secret ever appears in it.
 */

export const resultStatuses = ["VERIFIED", "WARNING", "FAILED"] as const;

export const diagnosticsSchema = z
  .object({
    endpoint: z.string().optional(),
    httpStatus: z.number().int().optional(),
    error: z.string().optional(),
    errorCodes: z.array(z.number().int()).optional(),
    suberror: z.string().optional(),
    graphCode: z.string().optional(),
    traceId: z.string().optional(),
    correlationId: z.string().optional(),
    requestId: z.string().optional(),
    timestamp: z.string().optional(),
    attempts: z.number().int().optional(),
    retryAfterSeconds: z.number().optional(),
    libraryCode: z.string().optional(),
  })
  .describe("What Microsoft answered, for a support case with Microsoft.");

export const outcomeDetailsSchema = z.object({
  method: z.enum(methodIds),
  explanation: z.string(),
  remediation: z.object({ action: z.enum(remediationActions), text: z.string() }),
  /** Warnings on a working tenant (secret expiring, legacy method, account mismatch). */
  warnings: z.array(z.enum(reasonCodes)),
  /** Extra facts for the reason, e.g. "secret expires 2026-12-01". */
  notes: z.array(z.string()),
  diagnostics: diagnosticsSchema.optional(),
  permissions: z.object({ granted: z.array(z.string()), required: z.array(z.string()), missing: z.array(z.string()) }).optional(),
  organization: z.object({ id: z.string(), displayName: z.string(), defaultDomain: z.string().nullable() }).optional(),
  signedInUser: z.object({ userPrincipalName: z.string().nullable(), mail: z.string().nullable(), matchesStoredEmail: z.boolean() }).optional(),
  userCount: z.number().int().nullable().optional(),
  app: z.object({ clientId: z.string(), kind: z.enum(["provider", "tenant"]), credential: z.enum(["secret", "certificate"]) }).optional(),
  timings: z.object({
    tokenMs: z.number().optional(),
    graphMs: z.number().optional(),
    totalMs: z.number(),
    graphRoundTrips: z.number().int().optional(),
    tokenAttempts: z.number().int().optional(),
  }),
});

export const verificationOutcomeSchema = z.object({
  tenantId: z.string(),
  status: z.enum(resultStatuses),
  reasonCode: z.enum(reasonCodes),
  /** The reason's title, plus specifics (missing permission names) where they help. */
  message: z.string(),
  details: outcomeDetailsSchema,
  /** Earliest known moment access breaks: secret/certificate expiry or refresh-token inactivity deadline. */
  accessBreaksAt: z.coerce.date().nullable(),
  startedAt: z.coerce.date(),
  finishedAt: z.coerce.date(),
  durationMs: z.number().int(),
});

export type VerificationOutcome = z.infer<typeof verificationOutcomeSchema>;
export type OutcomeDetails = z.infer<typeof outcomeDetailsSchema>;
export type ResultStatus = VerificationOutcome["status"];

/**
 * A stored result: the outcome as written, with its row id and run. The access deadline belongs to the
 * tenant (Tenant.accessBreaksAt), not to each result, so a stored one reads back as null.
 */
export type StoredOutcome = VerificationOutcome & { id: string; runId: string | null };

/** The VerificationResult row of an outcome. */
export function outcomeRow(outcome: VerificationOutcome, runId: string | null): Prisma.VerificationResultCreateManyInput {
  return {
    id: crypto.randomUUID(),
    runId,
    tenantId: outcome.tenantId,
    status: outcome.status,
    reasonCode: outcome.reasonCode,
    message: outcome.message,
    details: JSON.stringify(outcome.details),
    durationMs: outcome.durationMs,
    startedAt: outcome.startedAt,
    finishedAt: outcome.finishedAt,
  };
}

export const storedResultSelect = {
  id: true,
  runId: true,
  tenantId: true,
  status: true,
  reasonCode: true,
  message: true,
  details: true,
  durationMs: true,
  startedAt: true,
  finishedAt: true,
} as const satisfies Prisma.VerificationResultSelect;

type StoredRow = Prisma.VerificationResultGetPayload<{ select: typeof storedResultSelect }>;

/**
 * A VerificationResult row read back. A row the schema does not accept (written by an older version,
 * or altered) still reads: its status and message as stored, its details reduced to what the reason says.
 */
export function outcomeFromRow(row: StoredRow, method: MethodId): StoredOutcome {
  const candidate = { ...row, details: parseJsonObject(row.details), accessBreaksAt: null };
  const parsed = verificationOutcomeSchema.safeParse(candidate);
  if (parsed.success) return { ...parsed.data, id: row.id, runId: row.runId };
  const code = reasonCodes.find((c) => c === row.reasonCode) ?? "UNKNOWN";
  return {
    id: row.id,
    runId: row.runId,
    tenantId: row.tenantId,
    status: row.status === "VERIFIED" || row.status === "WARNING" ? row.status : "FAILED",
    reasonCode: code,
    message: row.message,
    details: {
      method,
      explanation: reasons[code].explanation,
      remediation: remediationFor(method, code),
      warnings: [],
      notes: [],
      timings: { totalMs: row.durationMs },
    },
    accessBreaksAt: null,
    startedAt: row.startedAt,
    finishedAt: row.finishedAt,
    durationMs: row.durationMs,
  };
}
