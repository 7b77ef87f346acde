-- AlterTable
ALTER TABLE "Notification" ADD COLUMN     "invitationId" TEXT;

-- CreateTable
CREATE TABLE "Branding" (
    "id" TEXT NOT NULL,
    "mspName" TEXT NOT NULL DEFAULT '',
    "supportEmail" TEXT,
    "supportUrl" TEXT,
    "customText" TEXT,
    "logo" BYTEA,
    "logoType" TEXT,
    "logoUpdatedAt" TIMESTAMP(3),
    "inviteSubject" TEXT,
    "inviteText" TEXT,
    "version" INTEGER NOT NULL DEFAULT 1,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Branding_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ConsentCampaign" (
    "id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "delivery" TEXT NOT NULL,
    "channelId" TEXT,
    "reminderDays" TEXT NOT NULL DEFAULT '[2,5]',
    "linkDays" INTEGER NOT NULL,
    "createdBy" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ConsentCampaign_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Invitation" (
    "id" TEXT NOT NULL,
    "campaignId" TEXT NOT NULL,
    "tenantId" TEXT NOT NULL,
    "consentLinkId" TEXT NOT NULL,
    "email" TEXT NOT NULL,
    "state" TEXT NOT NULL,
    "sentAt" TIMESTAMP(3),
    "deliveryFailedAt" TIMESTAMP(3),
    "openedAt" TIMESTAMP(3),
    "sentToMicrosoftAt" TIMESTAMP(3),
    "consentedAt" TIMESTAMP(3),
    "confirmingAt" TIMESTAMP(3),
    "verifiedAt" TIMESTAMP(3),
    "declinedAt" TIMESTAMP(3),
    "declineReason" TEXT,
    "declineDetail" TEXT,
    "expiredAt" TIMESTAMP(3),
    "revokedAt" TIMESTAMP(3),
    "closedAt" TIMESTAMP(3),
    "remindersSent" INTEGER NOT NULL DEFAULT 0,
    "nextReminderAt" TIMESTAMP(3),
    "lastError" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Invitation_pkey" PRIMARY KEY ("id")
);

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

-- CreateIndex
CREATE INDEX "Notification_invitationId_idx" ON "Notification"("invitationId");

-- AddForeignKey
ALTER TABLE "Notification" ADD CONSTRAINT "Notification_invitationId_fkey" FOREIGN KEY ("invitationId") REFERENCES "Invitation"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ConsentCampaign" ADD CONSTRAINT "ConsentCampaign_channelId_fkey" FOREIGN KEY ("channelId") REFERENCES "NotificationChannel"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Invitation" ADD CONSTRAINT "Invitation_campaignId_fkey" FOREIGN KEY ("campaignId") REFERENCES "ConsentCampaign"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Invitation" ADD CONSTRAINT "Invitation_tenantId_fkey" FOREIGN KEY ("tenantId") REFERENCES "Tenant"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Invitation" ADD CONSTRAINT "Invitation_consentLinkId_fkey" FOREIGN KEY ("consentLinkId") REFERENCES "ConsentLink"("id") ON DELETE CASCADE ON UPDATE CASCADE;

