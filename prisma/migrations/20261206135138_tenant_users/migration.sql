-- CreateTable
CREATE TABLE "TenantUser" (
    "tenantId" TEXT NOT NULL,
    "id" TEXT NOT NULL,
    "userPrincipalName" TEXT NOT NULL,
    "displayName" TEXT,
    "mail" TEXT,
    "accountEnabled" BOOLEAN,
    "userType" TEXT,
    "generation" INTEGER NOT NULL DEFAULT 0,

    PRIMARY KEY ("tenantId", "id"),
    CONSTRAINT "TenantUser_tenantId_fkey" FOREIGN KEY ("tenantId") REFERENCES "Tenant" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "TenantUserSync" (
    "tenantId" TEXT NOT NULL PRIMARY KEY,
    "status" TEXT NOT NULL DEFAULT 'NEVER',
    "userCount" INTEGER NOT NULL DEFAULT 0,
    "lastSyncAt" DATETIME,
    "lastSyncMode" TEXT,
    "reasonCode" TEXT,
    "message" TEXT,
    "deltaLink" TEXT,
    "generation" INTEGER NOT NULL DEFAULT 0,
    "runId" TEXT,
    "heartbeatAt" DATETIME,
    "startedAt" DATETIME,
    "finishedAt" DATETIME,
    "progressUsers" INTEGER NOT NULL DEFAULT 0,
    "progressPages" INTEGER NOT NULL DEFAULT 0,
    CONSTRAINT "TenantUserSync_tenantId_fkey" FOREIGN KEY ("tenantId") REFERENCES "Tenant" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateIndex
CREATE INDEX "TenantUser_tenantId_userPrincipalName_idx" ON "TenantUser"("tenantId", "userPrincipalName");

