-- AlterTable
ALTER TABLE "Tenant" ADD COLUMN     "failingSince" TIMESTAMP(3),
ADD COLUMN     "failureStreak" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "lastCheckAt" TIMESTAMP(3),
ADD COLUMN     "lastCheckCode" TEXT,
ADD COLUMN     "nextCheckAt" TIMESTAMP(3);

-- CreateIndex
CREATE INDEX "Tenant_nextCheckAt_idx" ON "Tenant"("nextCheckAt");


-- Existing tenants: their last verification was their last check; a failed one has failed once.
UPDATE "Tenant" SET "lastCheckAt" = "lastVerifiedAt";
UPDATE "Tenant" SET "failureStreak" = 1, "failingSince" = "lastVerifiedAt" WHERE "lastStatus" = 'FAILED';
