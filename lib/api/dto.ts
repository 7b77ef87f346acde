import "server-only";
import type { StoredResultItem } from "@/lib/data/verification-runs";
import type { TenantDetail } from "@/lib/data/tenants";
import type { VerificationOutcome } from "@/lib/verification";

/**
 * Shapes data-layer results into the REST API's response shapes (lib/api/schemas.ts). The handler then
 * parses them with the declared schema, which drops anything undeclared.
 */

function record(value: unknown): Record<string, unknown> {
  return value && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : [];
}

/** One verification result, from a fresh outcome or a stored result row (whose details are the outcome's). */
function resultDto(r: {
  tenantId: string;
  customerId: string;
  runId: string | null;
  status: string;
  reasonCode: string;
  message: string;
  details: Record<string, unknown>;
  accessBreaksAt: Date | null;
  startedAt: Date;
  finishedAt: Date;
  durationMs: number;
}) {
  const d = r.details;
  const remediation = record(d.remediation);
  const timings = record(d.timings);
  return {
    tenantId: r.tenantId,
    customerId: r.customerId,
    runId: r.runId,
    status: r.status,
    reasonCode: r.reasonCode,
    message: r.message,
    explanation: typeof d.explanation === "string" ? d.explanation : "",
    remediation: { action: typeof remediation.action === "string" ? remediation.action : "none", text: typeof remediation.text === "string" ? remediation.text : "" },
    warnings: strings(d.warnings),
    notes: strings(d.notes),
    diagnostics: d.diagnostics ? record(d.diagnostics) : null,
    permissions: d.permissions ? record(d.permissions) : null,
    timings: { ...timings, totalMs: typeof timings.totalMs === "number" ? timings.totalMs : r.durationMs },
    accessBreaksAt: r.accessBreaksAt,
    startedAt: r.startedAt,
    finishedAt: r.finishedAt,
    durationMs: r.durationMs,
  };
}

export function outcomeDto(outcome: VerificationOutcome, customerId: string) {
  return resultDto({ ...outcome, customerId, runId: null, details: outcome.details as unknown as Record<string, unknown> });
}

export function storedResultDto(r: StoredResultItem) {
  return resultDto({ ...r, accessBreaksAt: null });
}

export function tenantDetailDto(t: TenantDetail, last: StoredResultItem | null) {
  return { ...t, lastVerification: last ? storedResultDto(last) : null };
}

export function etagOf(version: number) {
  return `"${version}"`;
}
