-- CreateTable
CREATE TABLE "SecretRotation" (
    "id" TEXT NOT NULL,
    "appRegistrationId" TEXT NOT NULL,
    "mode" TEXT NOT NULL,
    "state" TEXT NOT NULL,
    "trigger" TEXT NOT NULL DEFAULT 'manual',
    "requestedBy" TEXT NOT NULL,
    "newSecret" TEXT,
    "newKeyId" TEXT,
    "newHint" TEXT,
    "newExpiresAt" TIMESTAMP(3),
    "oldKeyId" TEXT,
    "oldHint" TEXT,
    "registrationVersion" INTEGER NOT NULL,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "nextStepAt" TIMESTAMP(3) NOT NULL,
    "acceptDeadline" TIMESTAMP(3),
    "switchedAt" TIMESTAMP(3),
    "graceUntil" TIMESTAMP(3),
    "error" TEXT,
    "timeline" TEXT NOT NULL DEFAULT '[]',
    "startedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finishedAt" TIMESTAMP(3),
    "version" INTEGER NOT NULL DEFAULT 1,

    CONSTRAINT "SecretRotation_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "SecretRotation_state_nextStepAt_idx" ON "SecretRotation"("state", "nextStepAt");

-- CreateIndex
CREATE INDEX "SecretRotation_appRegistrationId_startedAt_idx" ON "SecretRotation"("appRegistrationId", "startedAt");

-- AddForeignKey
ALTER TABLE "SecretRotation" ADD CONSTRAINT "SecretRotation_appRegistrationId_fkey" FOREIGN KEY ("appRegistrationId") REFERENCES "AppRegistration"("id") ON DELETE CASCADE ON UPDATE CASCADE;

