-- CreateEnum
CREATE TYPE "UserSyncStatus" AS ENUM ('NEVER', 'RUNNING', 'SUCCEEDED', 'FAILED', 'CANCELLED');

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

    CONSTRAINT "TenantUser_pkey" PRIMARY KEY ("tenantId","id")
);

-- CreateTable
CREATE TABLE "TenantUserSync" (
    "tenantId" TEXT NOT NULL,
    "status" "UserSyncStatus" NOT NULL DEFAULT 'NEVER',
    "userCount" INTEGER NOT NULL DEFAULT 0,
    "lastSyncAt" TIMESTAMP(3),
    "lastSyncMode" TEXT,
    "reasonCode" TEXT,
    "message" TEXT,
    "deltaLink" TEXT,
    "generation" INTEGER NOT NULL DEFAULT 0,
    "runId" TEXT,
    "heartbeatAt" TIMESTAMP(3),
    "startedAt" TIMESTAMP(3),
    "finishedAt" TIMESTAMP(3),
    "progressUsers" INTEGER NOT NULL DEFAULT 0,
    "progressPages" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "TenantUserSync_pkey" PRIMARY KEY ("tenantId")
);

-- CreateIndex
CREATE INDEX "TenantUser_tenantId_userPrincipalName_idx" ON "TenantUser"("tenantId", "userPrincipalName");

-- AddForeignKey
ALTER TABLE "TenantUser" ADD CONSTRAINT "TenantUser_tenantId_fkey" FOREIGN KEY ("tenantId") REFERENCES "Tenant"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "TenantUserSync" ADD CONSTRAINT "TenantUserSync_tenantId_fkey" FOREIGN KEY ("tenantId") REFERENCES "Tenant"("id") ON DELETE CASCADE ON UPDATE CASCADE;

