-- AlterTable
ALTER TABLE "TenantCredential" ADD COLUMN     "refreshLockedBy" TEXT,
ADD COLUMN     "refreshLockedUntil" TIMESTAMP(3);

-- CreateTable
CREATE TABLE "AccessTokenGrant" (
    "id" TEXT NOT NULL,
    "apiTokenId" TEXT,
    "entraAppId" TEXT,
    "tenantScope" TEXT NOT NULL,
    "tenantIds" TEXT NOT NULL DEFAULT '[]',
    "tagIds" TEXT NOT NULL DEFAULT '[]',
    "resources" TEXT NOT NULL DEFAULT '[]',
    "scopes" TEXT NOT NULL DEFAULT '[]',
    "ratePerMinute" INTEGER NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "createdBy" TEXT NOT NULL,
    "updatedAt" TIMESTAMP(3) NOT NULL,
    "updatedBy" TEXT NOT NULL,

    CONSTRAINT "AccessTokenGrant_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "TenantAccessTokenBlock" (
    "tenantId" TEXT NOT NULL,
    "blockedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "blockedBy" TEXT NOT NULL,

    CONSTRAINT "TenantAccessTokenBlock_pkey" PRIMARY KEY ("tenantId")
);

-- CreateIndex
CREATE UNIQUE INDEX "AccessTokenGrant_apiTokenId_key" ON "AccessTokenGrant"("apiTokenId");

-- CreateIndex
CREATE UNIQUE INDEX "AccessTokenGrant_entraAppId_key" ON "AccessTokenGrant"("entraAppId");

-- AddForeignKey
ALTER TABLE "AccessTokenGrant" ADD CONSTRAINT "AccessTokenGrant_apiTokenId_fkey" FOREIGN KEY ("apiTokenId") REFERENCES "ApiToken"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "TenantAccessTokenBlock" ADD CONSTRAINT "TenantAccessTokenBlock_tenantId_fkey" FOREIGN KEY ("tenantId") REFERENCES "Tenant"("id") ON DELETE CASCADE ON UPDATE CASCADE;

