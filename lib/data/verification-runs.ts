import "server-only";
import { db } from "@/lib/db";
import type { Prisma } from "@/lib/generated/prisma/client";
import type { Page } from "@/lib/pagination";
import { outcomeFromRow, storedResultSelect, type ResultStatus, type StoredOutcome } from "@/lib/verification/outcome";

/** Stored verification results, for the REST API's run results and a tenant's latest result. */

export type StoredResultItem = StoredOutcome & { customerId: string };

const resultSelect = { ...storedResultSelect, tenant: { select: { customerId: true, authMethod: true } } } as const;

type ResultRow = Prisma.VerificationResultGetPayload<{ select: typeof resultSelect }>;

function toItem({ tenant, ...row }: ResultRow): StoredResultItem {
  return { ...outcomeFromRow(row, tenant.authMethod), customerId: tenant.customerId };
}

export async function verificationRunExists(runId: string): Promise<boolean> {
  return (await db.jobRun.count({ where: { id: runId, kind: "verify" } })) > 0;
}

/** A run's results by customer id; the (runId, status) index serves the status filter. */
export async function listRunResults(
  runId: string,
  { page, pageSize, status }: { page: number; pageSize: number; status?: ResultStatus[] },
): Promise<Page<StoredResultItem>> {
  const where: Prisma.VerificationResultWhereInput = { runId, ...(status?.length ? { status: { in: status } } : {}) };
  const [rows, total] = await Promise.all([
    db.verificationResult.findMany({
      where,
      select: resultSelect,
      orderBy: [{ tenant: { customerId: "asc" } }, { id: "asc" }],
      skip: (page - 1) * pageSize,
      take: pageSize,
    }),
    db.verificationResult.count({ where }),
  ]);
  return { items: rows.map(toItem), total, page, pageSize };
}

export async function latestTenantResult(tenantId: string): Promise<StoredResultItem | null> {
  const row = await db.verificationResult.findFirst({ where: { tenantId }, orderBy: { finishedAt: "desc" }, select: resultSelect });
  return row ? toItem(row) : null;
}
