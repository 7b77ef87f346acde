-- AlterTable
ALTER TABLE "Tenant" ADD COLUMN     "consentConfirmingUntil" TIMESTAMP(3);

-- AlterTable
ALTER TABLE "JobRun" ADD COLUMN     "summaryBlocked" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "summaryNewlyFailed" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "summaryRecovered" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "summaryRetrying" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "summaryStillFailing" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "summaryVerified" INTEGER NOT NULL DEFAULT 0;

-- CreateIndex
CREATE INDEX "Tenant_consentConfirmingUntil_idx" ON "Tenant"("consentConfirmingUntil");

