-- AlterTable
ALTER TABLE "TenantCredential" ADD COLUMN "expiryCheck" TEXT;

-- AlterTable
ALTER TABLE "AppRegistration" ADD COLUMN "expiryCheck" TEXT;
ALTER TABLE "AppRegistration" ADD COLUMN "expiryCheckedAt" DATETIME;

