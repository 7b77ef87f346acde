-- Hand-written (no Prisma model): the Tenants page's search index and its summary counts, kept in sync
-- by triggers on "Tenant", so that neither a search nor the counts read every tenant (docs/BENCHMARKS.md).
-- lib/data/tenant-index.ts reads them; scripts/db-schemas.ts lists them as objects outside the Prisma schema.
-- A later migration that redefines "Tenant" (Prisma's RedefineTables on SQLite) drops these triggers
-- with the old table: it must create them again (lib/data/tenant-index.test.ts fails otherwise).

-- Search: an FTS5 trigram index over the four searched columns gives substring matching (3 characters
-- or more), case-insensitive. Its rows are keyed by "TenantSearchKey"."key", an INTEGER PRIMARY KEY,
-- because "Tenant"'s own rowid may change on VACUUM (its primary key is text).
-- @see https://www.sqlite.org/fts5.html#the_trigram_tokenizer
CREATE TABLE "TenantSearchKey" (
    "key" INTEGER NOT NULL PRIMARY KEY,
    "tenantId" TEXT NOT NULL
);
CREATE UNIQUE INDEX "TenantSearchKey_tenantId_key" ON "TenantSearchKey"("tenantId");

-- Contentless (the text stays in "Tenant"), with deletes by rowid.
-- @see https://www.sqlite.org/fts5.html#contentless_delete_tables
CREATE VIRTUAL TABLE "TenantSearch" USING fts5("customerId", "displayName", "adminEmail", "primaryDomain", content = '', contentless_delete = 1, tokenize = 'trigram');

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

INSERT INTO "TenantSearchKey" ("tenantId") SELECT "id" FROM "Tenant" ORDER BY "customerId";
INSERT INTO "TenantSearch" (rowid, "customerId", "displayName", "adminEmail", "primaryDomain")
    SELECT k."key", t."customerId", t."displayName", t."adminEmail", t."primaryDomain" FROM "Tenant" t JOIN "TenantSearchKey" k ON k."tenantId" = t."id";

-- Summary counts: tenants per (status, method, cloud), at most 60 rows, so that the counts for any
-- status/method/cloud filter are a sum over this table. SQLite serializes writes, so one row per key
-- updated in place is safe here (PostgreSQL appends deltas instead: see its migration).
CREATE TABLE "TenantCount" (
    "lastStatus" TEXT NOT NULL,
    "authMethod" TEXT NOT NULL,
    "cloud" TEXT NOT NULL,
    "n" INTEGER NOT NULL,
    PRIMARY KEY ("lastStatus", "authMethod", "cloud")
) WITHOUT ROWID;

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

INSERT INTO "TenantCount" ("lastStatus", "authMethod", "cloud", "n") SELECT "lastStatus", "authMethod", "cloud", COUNT(*) FROM "Tenant" GROUP BY 1, 2, 3;
