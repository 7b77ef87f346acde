-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_Tenant" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "customerId" TEXT NOT NULL,
    "displayName" TEXT NOT NULL,
    "entraTenantId" TEXT,
    "primaryDomain" TEXT,
    "adminEmail" TEXT NOT NULL,
    "authMethod" TEXT NOT NULL,
    "cloud" TEXT NOT NULL DEFAULT 'GLOBAL',
    "appClientId" TEXT,
    "appRegistrationId" TEXT,
    "lastVerifiedAt" DATETIME,
    "lastStatus" TEXT NOT NULL DEFAULT 'NEVER',
    "lastStatusCode" TEXT,
    "lastStatusMessage" TEXT,
    "accessBreaksAt" DATETIME,
    "lastCheckAt" DATETIME,
    "lastCheckCode" TEXT,
    "failureStreak" INTEGER NOT NULL DEFAULT 0,
    "failingSince" DATETIME,
    "nextCheckAt" DATETIME,
    "version" INTEGER NOT NULL DEFAULT 1,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "Tenant_appRegistrationId_fkey" FOREIGN KEY ("appRegistrationId") REFERENCES "AppRegistration" ("id") ON DELETE SET NULL ON UPDATE CASCADE
);
INSERT INTO "new_Tenant" ("accessBreaksAt", "adminEmail", "appClientId", "appRegistrationId", "authMethod", "cloud", "createdAt", "customerId", "displayName", "entraTenantId", "id", "lastStatus", "lastStatusCode", "lastStatusMessage", "lastVerifiedAt", "primaryDomain", "updatedAt", "version") SELECT "accessBreaksAt", "adminEmail", "appClientId", "appRegistrationId", "authMethod", "cloud", "createdAt", "customerId", "displayName", "entraTenantId", "id", "lastStatus", "lastStatusCode", "lastStatusMessage", "lastVerifiedAt", "primaryDomain", "updatedAt", "version" FROM "Tenant";
DROP TABLE "Tenant";
ALTER TABLE "new_Tenant" RENAME TO "Tenant";
CREATE UNIQUE INDEX "Tenant_customerId_key" ON "Tenant"("customerId");
CREATE INDEX "Tenant_lastStatus_customerId_idx" ON "Tenant"("lastStatus", "customerId");
CREATE INDEX "Tenant_authMethod_customerId_idx" ON "Tenant"("authMethod", "customerId");
CREATE INDEX "Tenant_cloud_customerId_idx" ON "Tenant"("cloud", "customerId");
CREATE INDEX "Tenant_lastVerifiedAt_customerId_idx" ON "Tenant"("lastVerifiedAt", "customerId");
CREATE INDEX "Tenant_adminEmail_idx" ON "Tenant"("adminEmail");
CREATE INDEX "Tenant_displayName_idx" ON "Tenant"("displayName");
CREATE INDEX "Tenant_primaryDomain_idx" ON "Tenant"("primaryDomain");
CREATE INDEX "Tenant_accessBreaksAt_customerId_idx" ON "Tenant"("accessBreaksAt", "customerId");
CREATE INDEX "Tenant_entraTenantId_idx" ON "Tenant"("entraTenantId");
CREATE INDEX "Tenant_nextCheckAt_idx" ON "Tenant"("nextCheckAt");
CREATE INDEX "Tenant_appRegistrationId_idx" ON "Tenant"("appRegistrationId");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;


-- Existing tenants: their last verification was their last check; a failed one has failed once.
UPDATE "Tenant" SET "lastCheckAt" = "lastVerifiedAt";
UPDATE "Tenant" SET "failureStreak" = 1, "failingSince" = "lastVerifiedAt" WHERE "lastStatus" = 'FAILED';
