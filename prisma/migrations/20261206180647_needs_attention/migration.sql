-- CreateTable
CREATE TABLE "SavedView" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "adminId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "query" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "SavedView_adminId_fkey" FOREIGN KEY ("adminId") REFERENCES "AdminUser" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_Tenant" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "customerId" TEXT NOT NULL,
    "displayName" TEXT NOT NULL,
    "entraTenantId" TEXT,
    "primaryDomain" TEXT,
    "adminEmail" TEXT NOT NULL,
    "authMethod" TEXT NOT NULL,
    "cloud" TEXT NOT NULL DEFAULT 'GLOBAL',
    "appClientId" TEXT,
    "appRegistrationId" TEXT,
    "lastVerifiedAt" DATETIME,
    "lastStatus" TEXT NOT NULL DEFAULT 'NEVER',
    "lastStatusCode" TEXT,
    "lastStatusMessage" TEXT,
    "accessBreaksAt" DATETIME,
    "lastCheckAt" DATETIME,
    "lastCheckCode" TEXT,
    "failureStreak" INTEGER NOT NULL DEFAULT 0,
    "failingSince" DATETIME,
    "nextCheckAt" DATETIME,
    "consentConfirmingUntil" DATETIME,
    "severity" INTEGER NOT NULL DEFAULT 2,
    "attention" BIGINT NOT NULL DEFAULT 29999999999999,
    "version" INTEGER NOT NULL DEFAULT 1,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "Tenant_appRegistrationId_fkey" FOREIGN KEY ("appRegistrationId") REFERENCES "AppRegistration" ("id") ON DELETE SET NULL ON UPDATE CASCADE
);
INSERT INTO "new_Tenant" ("accessBreaksAt", "adminEmail", "appClientId", "appRegistrationId", "authMethod", "cloud", "consentConfirmingUntil", "createdAt", "customerId", "displayName", "entraTenantId", "failingSince", "failureStreak", "id", "lastCheckAt", "lastCheckCode", "lastStatus", "lastStatusCode", "lastStatusMessage", "lastVerifiedAt", "nextCheckAt", "primaryDomain", "updatedAt", "version") SELECT "accessBreaksAt", "adminEmail", "appClientId", "appRegistrationId", "authMethod", "cloud", "consentConfirmingUntil", "createdAt", "customerId", "displayName", "entraTenantId", "failingSince", "failureStreak", "id", "lastCheckAt", "lastCheckCode", "lastStatus", "lastStatusCode", "lastStatusMessage", "lastVerifiedAt", "nextCheckAt", "primaryDomain", "updatedAt", "version" FROM "Tenant";
DROP TABLE "Tenant";
ALTER TABLE "new_Tenant" RENAME TO "Tenant";
CREATE UNIQUE INDEX "Tenant_customerId_key" ON "Tenant"("customerId");
CREATE INDEX "Tenant_lastStatus_customerId_idx" ON "Tenant"("lastStatus", "customerId");
CREATE INDEX "Tenant_authMethod_customerId_idx" ON "Tenant"("authMethod", "customerId");
CREATE INDEX "Tenant_cloud_customerId_idx" ON "Tenant"("cloud", "customerId");
CREATE INDEX "Tenant_lastVerifiedAt_customerId_idx" ON "Tenant"("lastVerifiedAt", "customerId");
CREATE INDEX "Tenant_adminEmail_idx" ON "Tenant"("adminEmail");
CREATE INDEX "Tenant_displayName_idx" ON "Tenant"("displayName");
CREATE INDEX "Tenant_primaryDomain_idx" ON "Tenant"("primaryDomain");
CREATE INDEX "Tenant_accessBreaksAt_customerId_idx" ON "Tenant"("accessBreaksAt", "customerId");
CREATE INDEX "Tenant_entraTenantId_idx" ON "Tenant"("entraTenantId");
CREATE INDEX "Tenant_nextCheckAt_idx" ON "Tenant"("nextCheckAt");
CREATE INDEX "Tenant_appRegistrationId_idx" ON "Tenant"("appRegistrationId");
CREATE INDEX "Tenant_consentConfirmingUntil_idx" ON "Tenant"("consentConfirmingUntil");
CREATE INDEX "Tenant_severity_customerId_idx" ON "Tenant"("severity", "customerId");
CREATE INDEX "Tenant_attention_customerId_idx" ON "Tenant"("attention", "customerId");
CREATE INDEX "Tenant_lastStatus_lastStatusCode_cloud_authMethod_appRegistrationId_appClientId_idx" ON "Tenant"("lastStatus", "lastStatusCode", "cloud", "authMethod", "appRegistrationId", "appClientId");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

-- CreateIndex
CREATE UNIQUE INDEX "SavedView_adminId_name_key" ON "SavedView"("adminId", "name");


-- Hand-written. The Tenant table was rebuilt above, which dropped its triggers: the search index's and
-- the counts' (migration 20261206150000_tenant_search_and_counts) are created again, and their tables
-- rebuilt from "Tenant" as that migration fills them.
CREATE TRIGGER "Tenant_search_insert" AFTER INSERT ON "Tenant" BEGIN
    INSERT INTO "TenantSearchKey" ("tenantId") VALUES (NEW."id");
    INSERT INTO "TenantSearch" (rowid, "customerId", "displayName", "adminEmail", "primaryDomain")
        VALUES ((SELECT "key" FROM "TenantSearchKey" WHERE "tenantId" = NEW."id"), NEW."customerId", NEW."displayName", NEW."adminEmail", NEW."primaryDomain");
END;

CREATE TRIGGER "Tenant_search_update" AFTER UPDATE OF "id", "customerId", "displayName", "adminEmail", "primaryDomain" ON "Tenant" BEGIN
    UPDATE "TenantSearchKey" SET "tenantId" = NEW."id" WHERE "tenantId" = OLD."id";
    DELETE FROM "TenantSearch" WHERE rowid = (SELECT "key" FROM "TenantSearchKey" WHERE "tenantId" = NEW."id");
    INSERT INTO "TenantSearch" (rowid, "customerId", "displayName", "adminEmail", "primaryDomain")
        VALUES ((SELECT "key" FROM "TenantSearchKey" WHERE "tenantId" = NEW."id"), NEW."customerId", NEW."displayName", NEW."adminEmail", NEW."primaryDomain");
END;

CREATE TRIGGER "Tenant_search_delete" AFTER DELETE ON "Tenant" BEGIN
    DELETE FROM "TenantSearch" WHERE rowid = (SELECT "key" FROM "TenantSearchKey" WHERE "tenantId" = OLD."id");
    DELETE FROM "TenantSearchKey" WHERE "tenantId" = OLD."id";
END;

DELETE FROM "TenantSearch";
DELETE FROM "TenantSearchKey";
INSERT INTO "TenantSearchKey" ("tenantId") SELECT "id" FROM "Tenant" ORDER BY "customerId";
INSERT INTO "TenantSearch" (rowid, "customerId", "displayName", "adminEmail", "primaryDomain")
    SELECT k."key", t."customerId", t."displayName", t."adminEmail", t."primaryDomain" FROM "Tenant" t JOIN "TenantSearchKey" k ON k."tenantId" = t."id";

CREATE TRIGGER "Tenant_count_insert" AFTER INSERT ON "Tenant" BEGIN
    INSERT INTO "TenantCount" ("lastStatus", "authMethod", "cloud", "n") VALUES (NEW."lastStatus", NEW."authMethod", NEW."cloud", 1)
        ON CONFLICT DO UPDATE SET "n" = "n" + 1;
END;

CREATE TRIGGER "Tenant_count_update" AFTER UPDATE OF "lastStatus", "authMethod", "cloud" ON "Tenant"
    WHEN OLD."lastStatus" IS NOT NEW."lastStatus" OR OLD."authMethod" IS NOT NEW."authMethod" OR OLD."cloud" IS NOT NEW."cloud" BEGIN
    UPDATE "TenantCount" SET "n" = "n" - 1 WHERE "lastStatus" = OLD."lastStatus" AND "authMethod" = OLD."authMethod" AND "cloud" = OLD."cloud";
    INSERT INTO "TenantCount" ("lastStatus", "authMethod", "cloud", "n") VALUES (NEW."lastStatus", NEW."authMethod", NEW."cloud", 1)
        ON CONFLICT DO UPDATE SET "n" = "n" + 1;
END;

CREATE TRIGGER "Tenant_count_delete" AFTER DELETE ON "Tenant" BEGIN
    UPDATE "TenantCount" SET "n" = "n" - 1 WHERE "lastStatus" = OLD."lastStatus" AND "authMethod" = OLD."authMethod" AND "cloud" = OLD."cloud";
END;

DELETE FROM "TenantCount";
INSERT INTO "TenantCount" ("lastStatus", "authMethod", "cloud", "n") SELECT "lastStatus", "authMethod", "cloud", COUNT(*) FROM "Tenant" GROUP BY 1, 2, 3;

-- The Tenants page's orders (lib/tenants/attention.ts): "severity" is the status by severity (Failed 0,
-- Warning 1, Not verified 2, Verified 3), "attention" the "Needs attention" order, severity × 10^13 plus
-- accessBreaksAt in epoch milliseconds (none: 10^13 − 1, so after every date). Plain indexed columns, so
-- that either order is an index read with empty dates last on both databases (SQLite sorts NULL first,
-- PostgreSQL last, and an enum alphabetically on SQLite, in declared order on PostgreSQL). Kept here by
-- triggers, so every writer of lastStatus and accessBreaksAt keeps them without knowing of them.
CREATE TRIGGER "Tenant_attention_insert" AFTER INSERT ON "Tenant"
    WHEN NEW."lastStatus" <> 'NEVER' OR NEW."accessBreaksAt" IS NOT NULL BEGIN
    UPDATE "Tenant" SET
        "severity" = CASE NEW."lastStatus" WHEN 'FAILED' THEN 0 WHEN 'WARNING' THEN 1 WHEN 'VERIFIED' THEN 3 ELSE 2 END,
        "attention" = (CASE NEW."lastStatus" WHEN 'FAILED' THEN 0 WHEN 'WARNING' THEN 1 WHEN 'VERIFIED' THEN 3 ELSE 2 END) * 10000000000000
            + COALESCE(CAST(round((julianday(NEW."accessBreaksAt") - 2440587.5) * 86400000) AS INTEGER), 9999999999999)
        WHERE "id" = NEW."id";
END;

CREATE TRIGGER "Tenant_attention_update" AFTER UPDATE OF "lastStatus", "accessBreaksAt" ON "Tenant"
    WHEN OLD."lastStatus" IS NOT NEW."lastStatus" OR OLD."accessBreaksAt" IS NOT NEW."accessBreaksAt" BEGIN
    UPDATE "Tenant" SET
        "severity" = CASE NEW."lastStatus" WHEN 'FAILED' THEN 0 WHEN 'WARNING' THEN 1 WHEN 'VERIFIED' THEN 3 ELSE 2 END,
        "attention" = (CASE NEW."lastStatus" WHEN 'FAILED' THEN 0 WHEN 'WARNING' THEN 1 WHEN 'VERIFIED' THEN 3 ELSE 2 END) * 10000000000000
            + COALESCE(CAST(round((julianday(NEW."accessBreaksAt") - 2440587.5) * 86400000) AS INTEGER), 9999999999999)
        WHERE "id" = NEW."id";
END;

UPDATE "Tenant" SET
    "severity" = CASE "lastStatus" WHEN 'FAILED' THEN 0 WHEN 'WARNING' THEN 1 WHEN 'VERIFIED' THEN 3 ELSE 2 END,
    "attention" = (CASE "lastStatus" WHEN 'FAILED' THEN 0 WHEN 'WARNING' THEN 1 WHEN 'VERIFIED' THEN 3 ELSE 2 END) * 10000000000000
        + COALESCE(CAST(round((julianday("accessBreaksAt") - 2440587.5) * 86400000) AS INTEGER), 9999999999999);
