import "server-only";
import { db } from "@/lib/db";
import type { Prisma } from "@/lib/generated/prisma/client";
import { parseJsonObject } from "@/lib/json";
import type { Page } from "@/lib/pagination";

/** Stored verification results, for the REST API's run results and a tenant's latest result. */

export type StoredResultItem = {
  id: string;
  runId: string | null;
  tenantId: string;
  customerId: string;
  status: "VERIFIED" | "WARNING" | "FAILED";
  reasonCode: string;
  message: string;
  /** The engine's outcome details: explanation, remediation, diagnostics, timings (never secrets). */
  details: Record<string, unknown>;
  durationMs: number;
  startedAt: Date;
  finishedAt: Date;
};

const resultSelect = {
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
  tenant: { select: { customerId: true } },
} as const;

type ResultRow = Prisma.VerificationResultGetPayload<{ select: typeof resultSelect }>;

function toItem(r: ResultRow): StoredResultItem {
  return {
    id: r.id,
    runId: r.runId,
    tenantId: r.tenantId,
    customerId: r.tenant.customerId,
    status: r.status as StoredResultItem["status"],
    reasonCode: r.reasonCode,
    message: r.message,
    details: parseJsonObject(r.details),
    durationMs: r.durationMs,
    startedAt: r.startedAt,
    finishedAt: r.finishedAt,
  };
}

export async function verificationRunExists(runId: string): Promise<boolean> {
  return (await db.jobRun.count({ where: { id: runId, kind: "verify" } })) > 0;
}

/** A run's results by customer id; the (runId, status) index serves the status filter. */
export async function listRunResults(
  runId: string,
  { page, pageSize, status }: { page: number; pageSize: number; status?: StoredResultItem["status"][] },
): Promise<Page<StoredResultItem>> {
  const where: Prisma.VerificationResultWhereInput = { runId, ...(status?.length ? { status: { in: status } } : {}) };
  const [rows, total] = await Promise.all([
    db.verificationResult.findMany({ where, select: resultSelect, orderBy: [{ tenant: { customerId: "asc" } }, { id: "asc" }], skip: (page - 1) * pageSize, take: pageSize }),
    db.verificationResult.count({ where }),
  ]);
  return { items: rows.map(toItem), total, page, pageSize };
}

export async function latestTenantResult(tenantId: string): Promise<StoredResultItem | null> {
  const row = await db.verificationResult.findFirst({ where: { tenantId }, orderBy: { finishedAt: "desc" }, select: resultSelect });
  return row ? toItem(row) : null;
}
