-- AlterTable
ALTER TABLE "AppRegistration" ADD COLUMN     "standbyCertificate" TEXT,
ADD COLUMN     "standbyCertificateExpiresAt" TIMESTAMP(3),
ADD COLUMN     "standbyCertificateRetiredAt" TIMESTAMP(3),
ADD COLUMN     "standbyCertificateThumbprint" TEXT;

