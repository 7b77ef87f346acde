-- CreateTable
CREATE TABLE "SecretRotation" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "appRegistrationId" TEXT NOT NULL,
    "mode" TEXT NOT NULL,
    "state" TEXT NOT NULL,
    "trigger" TEXT NOT NULL DEFAULT 'manual',
    "requestedBy" TEXT NOT NULL,
    "newSecret" TEXT,
    "newKeyId" TEXT,
    "newHint" TEXT,
    "newExpiresAt" DATETIME,
    "oldKeyId" TEXT,
    "oldHint" TEXT,
    "registrationVersion" INTEGER NOT NULL,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "nextStepAt" DATETIME NOT NULL,
    "acceptDeadline" DATETIME,
    "switchedAt" DATETIME,
    "graceUntil" DATETIME,
    "error" TEXT,
    "timeline" TEXT NOT NULL DEFAULT '[]',
    "startedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finishedAt" DATETIME,
    "version" INTEGER NOT NULL DEFAULT 1,
    CONSTRAINT "SecretRotation_appRegistrationId_fkey" FOREIGN KEY ("appRegistrationId") REFERENCES "AppRegistration" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateIndex
CREATE INDEX "SecretRotation_state_nextStepAt_idx" ON "SecretRotation"("state", "nextStepAt");

-- CreateIndex
CREATE INDEX "SecretRotation_appRegistrationId_startedAt_idx" ON "SecretRotation"("appRegistrationId", "startedAt");

