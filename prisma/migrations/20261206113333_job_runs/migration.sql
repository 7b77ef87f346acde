-- Hand-edited: one JobRun table for Verify All (kind "verify") and Reload All (kind "reload-directory"),
-- keeping every run and result. Inside the migration runner's transaction SQLite keeps foreign keys on,
-- so the old run table is dropped only after the results point at JobRun (dropping it first would
-- cascade to every VerificationResult).

-- CreateTable
CREATE TABLE "JobRun" (
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
    "concurrency" INTEGER NOT NULL,
    "startedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finishedAt" DATETIME,
    "heartbeatAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "ownerId" TEXT
);

INSERT INTO "JobRun" ("id", "kind", "status", "activeSlot", "trigger", "requestedBy", "scope", "total", "ok", "warnings", "failed", "concurrency", "startedAt", "finishedAt", "heartbeatAt", "ownerId")
SELECT "id", 'verify', "status", CASE WHEN "activeSlot" IS NULL THEN NULL ELSE 'verify' END, "trigger", "requestedBy", "scope", "total", "verified", "warnings", "failed", "concurrency", "startedAt", "finishedAt", "heartbeatAt", "ownerId" FROM "VerificationRun";

INSERT INTO "JobRun" ("id", "kind", "status", "activeSlot", "trigger", "requestedBy", "scope", "total", "ok", "warnings", "failed", "concurrency", "startedAt", "finishedAt", "heartbeatAt", "ownerId")
SELECT "id", 'reload-directory', "status", CASE WHEN "activeSlot" IS NULL THEN NULL ELSE 'reload-directory' END, 'manual', "requestedBy", NULL, "total", "reloaded", 0, "failed", 8, "startedAt", "finishedAt", "heartbeatAt", "ownerId" FROM "DirectoryReload";

-- RedefineTables
CREATE TABLE "new_VerificationResult" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "runId" TEXT,
    "tenantId" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "reasonCode" TEXT NOT NULL,
    "message" TEXT NOT NULL,
    "details" TEXT NOT NULL DEFAULT '{}',
    "durationMs" INTEGER NOT NULL,
    "startedAt" DATETIME NOT NULL,
    "finishedAt" DATETIME NOT NULL,
    CONSTRAINT "VerificationResult_runId_fkey" FOREIGN KEY ("runId") REFERENCES "JobRun" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "VerificationResult_tenantId_fkey" FOREIGN KEY ("tenantId") REFERENCES "Tenant" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
INSERT INTO "new_VerificationResult" ("details", "durationMs", "finishedAt", "id", "message", "reasonCode", "runId", "startedAt", "status", "tenantId") SELECT "details", "durationMs", "finishedAt", "id", "message", "reasonCode", "runId", "startedAt", "status", "tenantId" FROM "VerificationResult";
DROP TABLE "VerificationResult";
ALTER TABLE "new_VerificationResult" RENAME TO "VerificationResult";
CREATE INDEX "VerificationResult_tenantId_finishedAt_idx" ON "VerificationResult"("tenantId", "finishedAt");
CREATE INDEX "VerificationResult_runId_status_idx" ON "VerificationResult"("runId", "status");
CREATE UNIQUE INDEX "VerificationResult_runId_tenantId_key" ON "VerificationResult"("runId", "tenantId");

-- DropTable
DROP TABLE "VerificationRun";
DROP TABLE "DirectoryReload";

-- CreateIndex
CREATE UNIQUE INDEX "JobRun_activeSlot_key" ON "JobRun"("activeSlot");

-- CreateIndex
CREATE INDEX "JobRun_kind_status_startedAt_idx" ON "JobRun"("kind", "status", "startedAt");

-- CreateTable
CREATE TABLE "JobRunItem" (
    "runId" TEXT NOT NULL,
    "itemId" TEXT NOT NULL,

    PRIMARY KEY ("runId", "itemId"),
    CONSTRAINT "JobRunItem_runId_fkey" FOREIGN KEY ("runId") REFERENCES "JobRun" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "JobSchedule" (
    "name" TEXT NOT NULL PRIMARY KEY,
    "lastAt" DATETIME NOT NULL
);

