import "server-only";
import { db } from "@/lib/db";
import { isPrismaError } from "@/lib/db-client";
import type { Prisma } from "@/lib/generated/prisma/client";
import { RunEndedError, type RunCounts, type RunRef } from "./types";

/**
 * A kind's batch written through Prisma: its operations in one transaction with the run's counters,
 * behind a fence on the run's status (an update that matches only while the run is RUNNING; no match,
 * P2025, means the run ended and nothing is written).
 */
export async function runPrismaBatch(run: RunRef, counts: RunCounts, writes: Prisma.PrismaPromise<unknown>[]): Promise<void> {
  const fence = db.jobRun.update({
    where: { id: run.id, status: "RUNNING" },
    data: { ok: { increment: counts.ok }, warnings: { increment: counts.warnings }, failed: { increment: counts.failed } },
    select: { id: true },
  });
  try {
    await db.$transaction([fence, ...writes]);
  } catch (e) {
    if (isPrismaError(e, "P2025")) throw new RunEndedError();
    throw e;
  }
}
