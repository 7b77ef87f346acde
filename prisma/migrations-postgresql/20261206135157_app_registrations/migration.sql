-- AlterTable
ALTER TABLE "Tenant" ADD COLUMN     "appRegistrationId" TEXT;

-- CreateTable
CREATE TABLE "AppRegistration" (
    "id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "defaultForCloud" "Cloud",
    "clientId" TEXT,
    "clientSecret" TEXT,
    "clientSecretHint" TEXT,
    "clientSecretExpiresAt" TIMESTAMP(3),
    "certificate" TEXT,
    "certificateThumbprint" TEXT,
    "certificateExpiresAt" TIMESTAMP(3),
    "redirectUrl" TEXT,
    "cloud" "Cloud" NOT NULL DEFAULT 'GLOBAL',
    "customAuthorityHost" TEXT,
    "customGraphHost" TEXT,
    "customGraphResource" TEXT,
    "tokenVersion" TEXT NOT NULL DEFAULT 'v2',
    "resource" TEXT,
    "scopes" TEXT,
    "requiredAppPermissions" TEXT NOT NULL DEFAULT 'Organization.Read.All User.Read.All',
    "requestOfflineAccess" BOOLEAN NOT NULL DEFAULT true,
    "loginParameters" TEXT NOT NULL DEFAULT '{}',
    "homeTenantId" TEXT,
    "version" INTEGER NOT NULL DEFAULT 1,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "AppRegistration_pkey" PRIMARY KEY ("id")
);

-- The former single provider settings row becomes the default registration of its cloud, ciphertexts
-- copied unchanged (their encryption binding name stays "ProviderSettings", see lib/crypto/fields.ts).
INSERT INTO "AppRegistration" ("id", "name", "defaultForCloud", "clientId", "clientSecret", "clientSecretHint", "clientSecretExpiresAt", "certificate", "certificateThumbprint", "redirectUrl", "cloud", "customAuthorityHost", "customGraphHost", "tokenVersion", "resource", "scopes", "requiredAppPermissions", "requestOfflineAccess", "homeTenantId", "version", "createdAt", "updatedAt")
SELECT "id", 'Default', "cloud", "clientId", "clientSecret", "clientSecretHint", "clientSecretExpiresAt", "certificate", "certificateThumbprint", "redirectUrl", "cloud", "customAuthorityHost", "customGraphHost", "tokenVersion", "resource", "scopes", "requiredAppPermissions", "requestOfflineAccess", "homeTenantId", "version", "updatedAt", "updatedAt"
FROM "ProviderSettings" WHERE "id" = 'provider';

-- DropTable
DROP TABLE "ProviderSettings";

-- CreateIndex
CREATE UNIQUE INDEX "AppRegistration_defaultForCloud_key" ON "AppRegistration"("defaultForCloud");

-- CreateIndex
CREATE INDEX "AppRegistration_cloud_name_idx" ON "AppRegistration"("cloud", "name");

-- CreateIndex
CREATE INDEX "Tenant_appRegistrationId_idx" ON "Tenant"("appRegistrationId");

-- AddForeignKey
ALTER TABLE "Tenant" ADD CONSTRAINT "Tenant_appRegistrationId_fkey" FOREIGN KEY ("appRegistrationId") REFERENCES "AppRegistration"("id") ON DELETE SET NULL ON UPDATE CASCADE;

