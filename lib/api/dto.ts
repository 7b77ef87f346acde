import "server-only";
import type { StoredResultItem } from "@/lib/data/verification-runs";
import type { TenantDetail } from "@/lib/data/tenants";
import { shownAccessBreaksAt } from "@/lib/tenants/access-breaks";
import type { VerificationOutcome } from "@/lib/verification";

/**
 * Shapes data-layer results into the REST API's response shapes (lib/api/schemas.ts). The handler then
 * parses them with the declared schema, which drops anything undeclared.
 */

/** A verification outcome, fresh or stored (`runId` then set), as the API's VerificationResult. */
export function outcomeDto(o: VerificationOutcome & { runId?: string | null }, customerId: string) {
  const d = o.details;
  return {
    tenantId: o.tenantId,
    customerId,
    runId: o.runId ?? null,
    status: o.status,
    reasonCode: o.reasonCode,
    message: o.message,
    explanation: d.explanation,
    remediation: d.remediation,
    warnings: d.warnings,
    notes: d.notes,
    diagnostics: d.diagnostics ?? null,
    permissions: d.permissions ?? null,
    timings: d.timings,
    accessBreaksAt: shownAccessBreaksAt(o.status, o.accessBreaksAt),
    startedAt: o.startedAt,
    finishedAt: o.finishedAt,
    durationMs: o.durationMs,
  };
}

export function storedResultDto(r: StoredResultItem) {
  return outcomeDto(r, r.customerId);
}

export function tenantDetailDto(t: TenantDetail, last: StoredResultItem | null) {
  return { ...t, lastVerification: last ? storedResultDto(last) : null };
}

export function etagOf(version: number) {
  return `"${version}"`;
}
