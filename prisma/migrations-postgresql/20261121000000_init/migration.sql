-- CreateEnum
CREATE TYPE "AuthMethod" AS ENUM ('PASSWORD', 'AUTH_TOKEN', 'APP_REGISTRATION');

-- CreateEnum
CREATE TYPE "Cloud" AS ENUM ('GLOBAL', 'USGOV', 'USGOV_DOD', 'CHINA', 'CUSTOM');

-- CreateEnum
CREATE TYPE "VerificationStatus" AS ENUM ('NEVER', 'VERIFIED', 'WARNING', 'FAILED');

-- CreateEnum
CREATE TYPE "CredentialKind" AS ENUM ('PASSWORD', 'MSAL_CACHE', 'CLIENT_SECRET', 'CERTIFICATE');

-- CreateEnum
CREATE TYPE "AdminRole" AS ENUM ('ADMINISTRATOR', 'OPERATOR', 'VIEWER');

-- CreateEnum
CREATE TYPE "RunStatus" AS ENUM ('RUNNING', 'COMPLETED', 'CANCELLED', 'FAILED');

-- CreateEnum
CREATE TYPE "ConsentFlow" AS ENUM ('ADMIN_CONSENT', 'AUTH_CODE');

-- CreateTable
CREATE TABLE "Tenant" (
    "id" TEXT NOT NULL,
    "customerId" TEXT NOT NULL,
    "displayName" TEXT NOT NULL,
    "entraTenantId" TEXT,
    "primaryDomain" TEXT,
    "adminEmail" TEXT NOT NULL,
    "authMethod" "AuthMethod" NOT NULL,
    "cloud" "Cloud" NOT NULL DEFAULT 'GLOBAL',
    "appClientId" TEXT,
    "lastVerifiedAt" TIMESTAMP(3),
    "lastStatus" "VerificationStatus" NOT NULL DEFAULT 'NEVER',
    "lastStatusCode" TEXT,
    "lastStatusMessage" TEXT,
    "accessBreaksAt" TIMESTAMP(3),
    "version" INTEGER NOT NULL DEFAULT 1,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Tenant_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "TenantCredential" (
    "id" TEXT NOT NULL,
    "tenantId" TEXT NOT NULL,
    "kind" "CredentialKind" NOT NULL,
    "label" TEXT,
    "hint" TEXT,
    "expiresAt" TIMESTAMP(3),
    "secret" TEXT NOT NULL,
    "version" INTEGER NOT NULL DEFAULT 1,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "TenantCredential_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ProviderSettings" (
    "id" TEXT NOT NULL,
    "clientId" TEXT,
    "clientSecret" TEXT,
    "clientSecretHint" TEXT,
    "clientSecretExpiresAt" TIMESTAMP(3),
    "certificate" TEXT,
    "certificateThumbprint" TEXT,
    "redirectUrl" TEXT,
    "cloud" "Cloud" NOT NULL DEFAULT 'GLOBAL',
    "customAuthorityHost" TEXT,
    "customGraphHost" TEXT,
    "tokenVersion" TEXT NOT NULL DEFAULT 'v2',
    "resource" TEXT,
    "scopes" TEXT,
    "requiredAppPermissions" TEXT NOT NULL DEFAULT 'Organization.Read.All User.Read.All',
    "requestOfflineAccess" BOOLEAN NOT NULL DEFAULT true,
    "homeTenantId" TEXT,
    "version" INTEGER NOT NULL DEFAULT 1,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "ProviderSettings_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "AdminUser" (
    "id" TEXT NOT NULL,
    "email" TEXT NOT NULL,
    "name" TEXT,
    "passwordHash" TEXT,
    "role" "AdminRole" NOT NULL DEFAULT 'ADMINISTRATOR',
    "disabled" BOOLEAN NOT NULL DEFAULT false,
    "sessionVersion" INTEGER NOT NULL DEFAULT 1,
    "lastSignInAt" TIMESTAMP(3),
    "entraObjectId" TEXT,
    "entraGroupIds" TEXT,
    "entraGroupsAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "AdminUser_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "EntraAuthSettings" (
    "id" TEXT NOT NULL,
    "enabled" BOOLEAN NOT NULL DEFAULT false,
    "tenantId" TEXT NOT NULL DEFAULT '',
    "clientId" TEXT NOT NULL DEFAULT '',
    "audience" TEXT NOT NULL DEFAULT 'https://database.windows.net/',
    "issuer" TEXT NOT NULL DEFAULT 'https://sts.windows.net/{TenantId}/',
    "authority" TEXT NOT NULL DEFAULT 'https://login.microsoftonline.com/{TenantId}/',
    "metadataAddress" TEXT NOT NULL DEFAULT 'https://login.microsoftonline.com/{TenantId}/v2.0/.well-known/openid-configuration',
    "requiredClaims" TEXT NOT NULL DEFAULT 'tid={TenantId};',
    "clockSkew" TEXT NOT NULL DEFAULT '00:05:00',
    "jwksCacheDuration" TEXT NOT NULL DEFAULT '01:00:00',
    "certificateThumbprint" TEXT NOT NULL DEFAULT '',
    "groupCacheDuration" TEXT NOT NULL DEFAULT '00:30:00',
    "localSignInEnabled" BOOLEAN NOT NULL DEFAULT true,
    "version" INTEGER NOT NULL DEFAULT 1,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "EntraAuthSettings_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "EntraGroupRole" (
    "id" TEXT NOT NULL,
    "groupId" TEXT NOT NULL,
    "role" "AdminRole" NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "EntraGroupRole_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "SignInThrottle" (
    "key" TEXT NOT NULL,
    "failures" INTEGER NOT NULL DEFAULT 0,
    "windowStart" TIMESTAMP(3) NOT NULL,
    "lockedUntil" TIMESTAMP(3),

    CONSTRAINT "SignInThrottle_pkey" PRIMARY KEY ("key")
);

-- CreateTable
CREATE TABLE "AuditEvent" (
    "id" TEXT NOT NULL,
    "at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "action" TEXT NOT NULL,
    "actorType" TEXT NOT NULL,
    "actorId" TEXT,
    "actorLabel" TEXT NOT NULL,
    "targetType" TEXT,
    "targetId" TEXT,
    "requestId" TEXT,
    "details" TEXT NOT NULL DEFAULT '{}',

    CONSTRAINT "AuditEvent_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "VerificationRun" (
    "id" TEXT NOT NULL,
    "status" "RunStatus" NOT NULL DEFAULT 'RUNNING',
    "activeSlot" TEXT,
    "trigger" TEXT NOT NULL,
    "requestedBy" TEXT NOT NULL,
    "scope" TEXT,
    "total" INTEGER NOT NULL DEFAULT 0,
    "verified" INTEGER NOT NULL DEFAULT 0,
    "warnings" INTEGER NOT NULL DEFAULT 0,
    "failed" INTEGER NOT NULL DEFAULT 0,
    "concurrency" INTEGER NOT NULL,
    "startedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finishedAt" TIMESTAMP(3),
    "heartbeatAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "ownerId" TEXT,

    CONSTRAINT "VerificationRun_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "VerificationResult" (
    "id" TEXT NOT NULL,
    "runId" TEXT,
    "tenantId" TEXT NOT NULL,
    "status" "VerificationStatus" NOT NULL,
    "reasonCode" TEXT NOT NULL,
    "message" TEXT NOT NULL,
    "details" TEXT NOT NULL DEFAULT '{}',
    "durationMs" INTEGER NOT NULL,
    "startedAt" TIMESTAMP(3) NOT NULL,
    "finishedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "VerificationResult_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ConsentLink" (
    "id" TEXT NOT NULL,
    "tenantId" TEXT NOT NULL,
    "flow" "ConsentFlow" NOT NULL,
    "tokenHash" TEXT NOT NULL,
    "expiresAt" TIMESTAMP(3) NOT NULL,
    "revokedAt" TIMESTAMP(3),
    "lastUsedAt" TIMESTAMP(3),
    "completedAt" TIMESTAMP(3),
    "createdBy" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ConsentLink_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "OAuthState" (
    "id" TEXT NOT NULL,
    "stateHash" TEXT NOT NULL,
    "tenantId" TEXT NOT NULL,
    "consentLinkId" TEXT,
    "flow" "ConsentFlow" NOT NULL,
    "codeVerifier" TEXT,
    "nonce" TEXT,
    "redirectUri" TEXT NOT NULL,
    "expiresAt" TIMESTAMP(3) NOT NULL,
    "usedAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "OAuthState_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "Tenant_customerId_key" ON "Tenant"("customerId");

-- CreateIndex
CREATE INDEX "Tenant_lastStatus_customerId_idx" ON "Tenant"("lastStatus", "customerId");

-- CreateIndex
CREATE INDEX "Tenant_authMethod_customerId_idx" ON "Tenant"("authMethod", "customerId");

-- CreateIndex
CREATE INDEX "Tenant_cloud_customerId_idx" ON "Tenant"("cloud", "customerId");

-- CreateIndex
CREATE INDEX "Tenant_lastVerifiedAt_customerId_idx" ON "Tenant"("lastVerifiedAt", "customerId");

-- CreateIndex
CREATE INDEX "Tenant_adminEmail_idx" ON "Tenant"("adminEmail");

-- CreateIndex
CREATE INDEX "Tenant_displayName_idx" ON "Tenant"("displayName");

-- CreateIndex
CREATE INDEX "Tenant_primaryDomain_idx" ON "Tenant"("primaryDomain");

-- CreateIndex
CREATE INDEX "Tenant_accessBreaksAt_customerId_idx" ON "Tenant"("accessBreaksAt", "customerId");

-- CreateIndex
CREATE INDEX "Tenant_entraTenantId_idx" ON "Tenant"("entraTenantId");

-- CreateIndex
CREATE UNIQUE INDEX "TenantCredential_tenantId_kind_key" ON "TenantCredential"("tenantId", "kind");

-- CreateIndex
CREATE UNIQUE INDEX "AdminUser_email_key" ON "AdminUser"("email");

-- CreateIndex
CREATE UNIQUE INDEX "AdminUser_entraObjectId_key" ON "AdminUser"("entraObjectId");

-- CreateIndex
CREATE UNIQUE INDEX "EntraGroupRole_groupId_key" ON "EntraGroupRole"("groupId");

-- CreateIndex
CREATE INDEX "AuditEvent_at_idx" ON "AuditEvent"("at");

-- CreateIndex
CREATE INDEX "AuditEvent_action_at_idx" ON "AuditEvent"("action", "at");

-- CreateIndex
CREATE INDEX "AuditEvent_actorLabel_at_idx" ON "AuditEvent"("actorLabel", "at");

-- CreateIndex
CREATE INDEX "AuditEvent_targetType_targetId_at_idx" ON "AuditEvent"("targetType", "targetId", "at");

-- CreateIndex
CREATE UNIQUE INDEX "VerificationRun_activeSlot_key" ON "VerificationRun"("activeSlot");

-- CreateIndex
CREATE INDEX "VerificationRun_status_startedAt_idx" ON "VerificationRun"("status", "startedAt");

-- CreateIndex
CREATE INDEX "VerificationResult_tenantId_finishedAt_idx" ON "VerificationResult"("tenantId", "finishedAt");

-- CreateIndex
CREATE INDEX "VerificationResult_runId_status_idx" ON "VerificationResult"("runId", "status");

-- CreateIndex
CREATE UNIQUE INDEX "VerificationResult_runId_tenantId_key" ON "VerificationResult"("runId", "tenantId");

-- CreateIndex
CREATE UNIQUE INDEX "ConsentLink_tokenHash_key" ON "ConsentLink"("tokenHash");

-- CreateIndex
CREATE INDEX "ConsentLink_tenantId_createdAt_idx" ON "ConsentLink"("tenantId", "createdAt");

-- CreateIndex
CREATE UNIQUE INDEX "OAuthState_stateHash_key" ON "OAuthState"("stateHash");

-- CreateIndex
CREATE INDEX "OAuthState_expiresAt_idx" ON "OAuthState"("expiresAt");

-- AddForeignKey
ALTER TABLE "TenantCredential" ADD CONSTRAINT "TenantCredential_tenantId_fkey" FOREIGN KEY ("tenantId") REFERENCES "Tenant"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "VerificationResult" ADD CONSTRAINT "VerificationResult_runId_fkey" FOREIGN KEY ("runId") REFERENCES "VerificationRun"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "VerificationResult" ADD CONSTRAINT "VerificationResult_tenantId_fkey" FOREIGN KEY ("tenantId") REFERENCES "Tenant"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ConsentLink" ADD CONSTRAINT "ConsentLink_tenantId_fkey" FOREIGN KEY ("tenantId") REFERENCES "Tenant"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "OAuthState" ADD CONSTRAINT "OAuthState_tenantId_fkey" FOREIGN KEY ("tenantId") REFERENCES "Tenant"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "OAuthState" ADD CONSTRAINT "OAuthState_consentLinkId_fkey" FOREIGN KEY ("consentLinkId") REFERENCES "ConsentLink"("id") ON DELETE SET NULL ON UPDATE CASCADE;

