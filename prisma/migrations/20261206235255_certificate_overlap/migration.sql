-- AlterTable
ALTER TABLE "AppRegistration" ADD COLUMN "standbyCertificate" TEXT;
ALTER TABLE "AppRegistration" ADD COLUMN "standbyCertificateExpiresAt" DATETIME;
ALTER TABLE "AppRegistration" ADD COLUMN "standbyCertificateRetiredAt" DATETIME;
ALTER TABLE "AppRegistration" ADD COLUMN "standbyCertificateThumbprint" TEXT;

