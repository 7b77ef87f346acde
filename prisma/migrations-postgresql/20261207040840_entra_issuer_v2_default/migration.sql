-- AlterTable
ALTER TABLE "EntraAuthSettings" ALTER COLUMN "issuer" SET DEFAULT 'https://login.microsoftonline.com/{TenantId}/v2.0';

