-- AlterTable
ALTER TABLE "TenantCredential" ADD COLUMN     "expiryCheck" TEXT;

-- AlterTable
ALTER TABLE "AppRegistration" ADD COLUMN     "expiryCheck" TEXT,
ADD COLUMN     "expiryCheckedAt" TIMESTAMP(3);

