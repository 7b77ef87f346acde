-- CreateTable
CREATE TABLE "Tenant" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "customerId" TEXT NOT NULL,
    "displayName" TEXT NOT NULL,
    "entraTenantId" TEXT,
    "primaryDomain" TEXT,
    "adminEmail" TEXT NOT NULL,
    "authMethod" TEXT NOT NULL,
    "cloud" TEXT NOT NULL DEFAULT 'GLOBAL',
    "appClientId" TEXT,
    "lastVerifiedAt" DATETIME,
    "lastStatus" TEXT NOT NULL DEFAULT 'NEVER',
    "lastStatusCode" TEXT,
    "lastStatusMessage" TEXT,
    "accessBreaksAt" DATETIME,
    "version" INTEGER NOT NULL DEFAULT 1,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "TenantCredential" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "tenantId" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "label" TEXT,
    "hint" TEXT,
    "expiresAt" DATETIME,
    "secret" TEXT NOT NULL,
    "version" INTEGER NOT NULL DEFAULT 1,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "TenantCredential_tenantId_fkey" FOREIGN KEY ("tenantId") REFERENCES "Tenant" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "ProviderSettings" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "clientId" TEXT,
    "clientSecret" TEXT,
    "clientSecretHint" TEXT,
    "clientSecretExpiresAt" DATETIME,
    "certificate" TEXT,
    "certificateThumbprint" TEXT,
    "redirectUrl" TEXT,
    "cloud" TEXT NOT NULL DEFAULT 'GLOBAL',
    "customAuthorityHost" TEXT,
    "customGraphHost" TEXT,
    "tokenVersion" TEXT NOT NULL DEFAULT 'v2',
    "resource" TEXT,
    "scopes" TEXT,
    "requiredAppPermissions" TEXT NOT NULL DEFAULT 'Organization.Read.All User.Read.All',
    "requestOfflineAccess" BOOLEAN NOT NULL DEFAULT true,
    "homeTenantId" TEXT,
    "version" INTEGER NOT NULL DEFAULT 1,
    "updatedAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "AdminUser" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "email" TEXT NOT NULL,
    "name" TEXT,
    "passwordHash" TEXT,
    "role" TEXT NOT NULL DEFAULT 'ADMINISTRATOR',
    "disabled" BOOLEAN NOT NULL DEFAULT false,
    "sessionVersion" INTEGER NOT NULL DEFAULT 1,
    "lastSignInAt" DATETIME,
    "entraObjectId" TEXT,
    "entraGroupIds" TEXT,
    "entraGroupsAt" DATETIME,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "EntraAuthSettings" (
    "id" TEXT NOT NULL PRIMARY KEY,
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
    "updatedAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "EntraGroupRole" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "groupId" TEXT NOT NULL,
    "role" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- CreateTable
CREATE TABLE "SignInThrottle" (
    "key" TEXT NOT NULL PRIMARY KEY,
    "failures" INTEGER NOT NULL DEFAULT 0,
    "windowStart" DATETIME NOT NULL,
    "lockedUntil" DATETIME
);

-- CreateTable
CREATE TABLE "AuditEvent" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "at" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "action" TEXT NOT NULL,
    "actorType" TEXT NOT NULL,
    "actorId" TEXT,
    "actorLabel" TEXT NOT NULL,
    "targetType" TEXT,
    "targetId" TEXT,
    "requestId" TEXT,
    "details" TEXT NOT NULL DEFAULT '{}'
);

-- CreateTable
CREATE TABLE "VerificationRun" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "status" TEXT NOT NULL DEFAULT 'RUNNING',
    "activeSlot" TEXT,
    "trigger" TEXT NOT NULL,
    "requestedBy" TEXT NOT NULL,
    "scope" TEXT,
    "total" INTEGER NOT NULL DEFAULT 0,
    "verified" INTEGER NOT NULL DEFAULT 0,
    "warnings" INTEGER NOT NULL DEFAULT 0,
    "failed" INTEGER NOT NULL DEFAULT 0,
    "concurrency" INTEGER NOT NULL,
    "startedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finishedAt" DATETIME,
    "heartbeatAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "ownerId" TEXT
);

-- CreateTable
CREATE TABLE "VerificationResult" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "runId" TEXT,
    "tenantId" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "reasonCode" TEXT NOT NULL,
    "message" TEXT NOT NULL,
    "details" TEXT NOT NULL DEFAULT '{}',
    "durationMs" INTEGER NOT NULL,
    "startedAt" DATETIME NOT NULL,
    "finishedAt" DATETIME NOT NULL,
    CONSTRAINT "VerificationResult_runId_fkey" FOREIGN KEY ("runId") REFERENCES "VerificationRun" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "VerificationResult_tenantId_fkey" FOREIGN KEY ("tenantId") REFERENCES "Tenant" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "ConsentLink" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "tenantId" TEXT NOT NULL,
    "flow" TEXT NOT NULL,
    "tokenHash" TEXT NOT NULL,
    "expiresAt" DATETIME NOT NULL,
    "revokedAt" DATETIME,
    "lastUsedAt" DATETIME,
    "completedAt" DATETIME,
    "createdBy" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "ConsentLink_tenantId_fkey" FOREIGN KEY ("tenantId") REFERENCES "Tenant" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "OAuthState" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "stateHash" TEXT NOT NULL,
    "tenantId" TEXT NOT NULL,
    "consentLinkId" TEXT,
    "flow" TEXT NOT NULL,
    "codeVerifier" TEXT,
    "nonce" TEXT,
    "redirectUri" TEXT NOT NULL,
    "expiresAt" DATETIME NOT NULL,
    "usedAt" DATETIME,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "OAuthState_tenantId_fkey" FOREIGN KEY ("tenantId") REFERENCES "Tenant" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "OAuthState_consentLinkId_fkey" FOREIGN KEY ("consentLinkId") REFERENCES "ConsentLink" ("id") ON DELETE SET NULL ON UPDATE CASCADE
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

