-- Hand-edited: one JobRun table for Verify All (kind "verify") and Reload All (kind "reload-directory"),
-- keeping every run and result.

-- CreateTable
CREATE TABLE "JobRun" (
    "id" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "status" "RunStatus" NOT NULL DEFAULT 'RUNNING',
    "activeSlot" TEXT,
    "trigger" TEXT NOT NULL,
    "requestedBy" TEXT NOT NULL,
    "scope" TEXT,
    "total" INTEGER NOT NULL DEFAULT 0,
    "ok" INTEGER NOT NULL DEFAULT 0,
    "warnings" INTEGER NOT NULL DEFAULT 0,
    "failed" INTEGER NOT NULL DEFAULT 0,
    "concurrency" INTEGER NOT NULL,
    "startedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finishedAt" TIMESTAMP(3),
    "heartbeatAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "ownerId" TEXT,

    CONSTRAINT "JobRun_pkey" PRIMARY KEY ("id")
);

INSERT INTO "JobRun" ("id", "kind", "status", "activeSlot", "trigger", "requestedBy", "scope", "total", "ok", "warnings", "failed", "concurrency", "startedAt", "finishedAt", "heartbeatAt", "ownerId")
SELECT "id", 'verify', "status", CASE WHEN "activeSlot" IS NULL THEN NULL ELSE 'verify' END, "trigger", "requestedBy", "scope", "total", "verified", "warnings", "failed", "concurrency", "startedAt", "finishedAt", "heartbeatAt", "ownerId" FROM "VerificationRun";

INSERT INTO "JobRun" ("id", "kind", "status", "activeSlot", "trigger", "requestedBy", "scope", "total", "ok", "warnings", "failed", "concurrency", "startedAt", "finishedAt", "heartbeatAt", "ownerId")
SELECT "id", 'reload-directory', "status", CASE WHEN "activeSlot" IS NULL THEN NULL ELSE 'reload-directory' END, 'manual', "requestedBy", NULL, "total", "reloaded", 0, "failed", 8, "startedAt", "finishedAt", "heartbeatAt", "ownerId" FROM "DirectoryReload";

-- DropForeignKey
ALTER TABLE "VerificationResult" DROP CONSTRAINT "VerificationResult_runId_fkey";

-- DropTable
DROP TABLE "VerificationRun";

-- DropTable
DROP TABLE "DirectoryReload";

-- CreateIndex
CREATE UNIQUE INDEX "JobRun_activeSlot_key" ON "JobRun"("activeSlot");

-- CreateIndex
CREATE INDEX "JobRun_kind_status_startedAt_idx" ON "JobRun"("kind", "status", "startedAt");

-- AddForeignKey
ALTER TABLE "VerificationResult" ADD CONSTRAINT "VerificationResult_runId_fkey" FOREIGN KEY ("runId") REFERENCES "JobRun"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- CreateTable
CREATE TABLE "JobRunItem" (
    "runId" TEXT NOT NULL,
    "itemId" TEXT NOT NULL,

    CONSTRAINT "JobRunItem_pkey" PRIMARY KEY ("runId","itemId")
);

-- AddForeignKey
ALTER TABLE "JobRunItem" ADD CONSTRAINT "JobRunItem_runId_fkey" FOREIGN KEY ("runId") REFERENCES "JobRun"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- CreateTable
CREATE TABLE "JobSchedule" (
    "name" TEXT NOT NULL,
    "lastAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "JobSchedule_pkey" PRIMARY KEY ("name")
);

