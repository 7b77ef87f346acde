-- CreateTable
CREATE TABLE "Branding" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "mspName" TEXT NOT NULL DEFAULT '',
    "supportEmail" TEXT,
    "supportUrl" TEXT,
    "customText" TEXT,
    "logo" BLOB,
    "logoType" TEXT,
    "logoUpdatedAt" DATETIME,
    "inviteSubject" TEXT,
    "inviteText" TEXT,
    "version" INTEGER NOT NULL DEFAULT 1,
    "updatedAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "ConsentCampaign" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "name" TEXT NOT NULL,
    "delivery" TEXT NOT NULL,
    "channelId" TEXT,
    "reminderDays" TEXT NOT NULL DEFAULT '[2,5]',
    "linkDays" INTEGER NOT NULL,
    "createdBy" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "ConsentCampaign_channelId_fkey" FOREIGN KEY ("channelId") REFERENCES "NotificationChannel" ("id") ON DELETE SET NULL ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "Invitation" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "campaignId" TEXT NOT NULL,
    "tenantId" TEXT NOT NULL,
    "consentLinkId" TEXT NOT NULL,
    "email" TEXT NOT NULL,
    "state" TEXT NOT NULL,
    "sentAt" DATETIME,
    "deliveryFailedAt" DATETIME,
    "openedAt" DATETIME,
    "sentToMicrosoftAt" DATETIME,
    "consentedAt" DATETIME,
    "confirmingAt" DATETIME,
    "verifiedAt" DATETIME,
    "declinedAt" DATETIME,
    "declineReason" TEXT,
    "declineDetail" TEXT,
    "expiredAt" DATETIME,
    "revokedAt" DATETIME,
    "closedAt" DATETIME,
    "remindersSent" INTEGER NOT NULL DEFAULT 0,
    "nextReminderAt" DATETIME,
    "lastError" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "Invitation_campaignId_fkey" FOREIGN KEY ("campaignId") REFERENCES "ConsentCampaign" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "Invitation_tenantId_fkey" FOREIGN KEY ("tenantId") REFERENCES "Tenant" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "Invitation_consentLinkId_fkey" FOREIGN KEY ("consentLinkId") REFERENCES "ConsentLink" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_Notification" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "eventId" TEXT,
    "channelId" TEXT NOT NULL,
    "ruleId" TEXT,
    "status" TEXT NOT NULL DEFAULT 'PENDING',
    "digestOf" TEXT,
    "digestTitle" TEXT,
    "digestId" TEXT,
    "invitationId" TEXT,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "nextAttemptAt" DATETIME NOT NULL,
    "claimedBy" TEXT,
    "claimedUntil" DATETIME,
    "deliveredAt" DATETIME,
    "lastError" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "Notification_eventId_fkey" FOREIGN KEY ("eventId") REFERENCES "AlertEvent" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "Notification_channelId_fkey" FOREIGN KEY ("channelId") REFERENCES "NotificationChannel" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "Notification_invitationId_fkey" FOREIGN KEY ("invitationId") REFERENCES "Invitation" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
INSERT INTO "new_Notification" ("attempts", "channelId", "claimedBy", "claimedUntil", "createdAt", "deliveredAt", "digestId", "digestOf", "digestTitle", "eventId", "id", "lastError", "nextAttemptAt", "ruleId", "status", "updatedAt") SELECT "attempts", "channelId", "claimedBy", "claimedUntil", "createdAt", "deliveredAt", "digestId", "digestOf", "digestTitle", "eventId", "id", "lastError", "nextAttemptAt", "ruleId", "status", "updatedAt" FROM "Notification";
DROP TABLE "Notification";
ALTER TABLE "new_Notification" RENAME TO "Notification";
CREATE INDEX "Notification_invitationId_idx" ON "Notification"("invitationId");
CREATE INDEX "Notification_status_nextAttemptAt_idx" ON "Notification"("status", "nextAttemptAt");
CREATE INDEX "Notification_channelId_createdAt_idx" ON "Notification"("channelId", "createdAt");
CREATE UNIQUE INDEX "Notification_eventId_channelId_key" ON "Notification"("eventId", "channelId");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

-- CreateIndex
CREATE INDEX "ConsentCampaign_createdAt_idx" ON "ConsentCampaign"("createdAt");

-- CreateIndex
CREATE UNIQUE INDEX "Invitation_consentLinkId_key" ON "Invitation"("consentLinkId");

-- CreateIndex
CREATE INDEX "Invitation_campaignId_state_idx" ON "Invitation"("campaignId", "state");

-- CreateIndex
CREATE INDEX "Invitation_tenantId_idx" ON "Invitation"("tenantId");

-- CreateIndex
CREATE INDEX "Invitation_closedAt_nextReminderAt_idx" ON "Invitation"("closedAt", "nextReminderAt");

-- CreateIndex
CREATE UNIQUE INDEX "Invitation_campaignId_tenantId_key" ON "Invitation"("campaignId", "tenantId");

