-- AlterTable
ALTER TABLE "Tenant" ADD COLUMN "consentConfirmingUntil" DATETIME;

-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_JobRun" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "kind" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'RUNNING',
    "activeSlot" TEXT,
    "trigger" TEXT NOT NULL,
    "requestedBy" TEXT NOT NULL,
    "scope" TEXT,
    "total" INTEGER NOT NULL DEFAULT 0,
    "ok" INTEGER NOT NULL DEFAULT 0,
    "warnings" INTEGER NOT NULL DEFAULT 0,
    "failed" INTEGER NOT NULL DEFAULT 0,
    "summaryVerified" INTEGER NOT NULL DEFAULT 0,
    "summaryRecovered" INTEGER NOT NULL DEFAULT 0,
    "summaryNewlyFailed" INTEGER NOT NULL DEFAULT 0,
    "summaryStillFailing" INTEGER NOT NULL DEFAULT 0,
    "summaryBlocked" INTEGER NOT NULL DEFAULT 0,
    "summaryRetrying" INTEGER NOT NULL DEFAULT 0,
    "concurrency" INTEGER NOT NULL,
    "startedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finishedAt" DATETIME,
    "heartbeatAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "ownerId" TEXT
);
INSERT INTO "new_JobRun" ("activeSlot", "concurrency", "failed", "finishedAt", "heartbeatAt", "id", "kind", "ok", "ownerId", "requestedBy", "scope", "startedAt", "status", "total", "trigger", "warnings") SELECT "activeSlot", "concurrency", "failed", "finishedAt", "heartbeatAt", "id", "kind", "ok", "ownerId", "requestedBy", "scope", "startedAt", "status", "total", "trigger", "warnings" FROM "JobRun";
DROP TABLE "JobRun";
ALTER TABLE "new_JobRun" RENAME TO "JobRun";
CREATE UNIQUE INDEX "JobRun_activeSlot_key" ON "JobRun"("activeSlot");
CREATE INDEX "JobRun_kind_status_startedAt_idx" ON "JobRun"("kind", "status", "startedAt");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

-- CreateIndex
CREATE INDEX "Tenant_consentConfirmingUntil_idx" ON "Tenant"("consentConfirmingUntil");

