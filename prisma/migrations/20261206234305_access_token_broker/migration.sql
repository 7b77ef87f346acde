-- AlterTable
ALTER TABLE "TenantCredential" ADD COLUMN "refreshLockedBy" TEXT;
ALTER TABLE "TenantCredential" ADD COLUMN "refreshLockedUntil" DATETIME;

-- CreateTable
CREATE TABLE "AccessTokenGrant" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "apiTokenId" TEXT,
    "entraAppId" TEXT,
    "tenantScope" TEXT NOT NULL,
    "tenantIds" TEXT NOT NULL DEFAULT '[]',
    "tagIds" TEXT NOT NULL DEFAULT '[]',
    "resources" TEXT NOT NULL DEFAULT '[]',
    "scopes" TEXT NOT NULL DEFAULT '[]',
    "ratePerMinute" INTEGER NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "createdBy" TEXT NOT NULL,
    "updatedAt" DATETIME NOT NULL,
    "updatedBy" TEXT NOT NULL,
    CONSTRAINT "AccessTokenGrant_apiTokenId_fkey" FOREIGN KEY ("apiTokenId") REFERENCES "ApiToken" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "TenantAccessTokenBlock" (
    "tenantId" TEXT NOT NULL PRIMARY KEY,
    "blockedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "blockedBy" TEXT NOT NULL,
    CONSTRAINT "TenantAccessTokenBlock_tenantId_fkey" FOREIGN KEY ("tenantId") REFERENCES "Tenant" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateIndex
CREATE UNIQUE INDEX "AccessTokenGrant_apiTokenId_key" ON "AccessTokenGrant"("apiTokenId");

-- CreateIndex
CREATE UNIQUE INDEX "AccessTokenGrant_entraAppId_key" ON "AccessTokenGrant"("entraAppId");

