-- One Entra tenant, one customer. The commands check it (lib/tenants/manage.ts); this unique index makes the
-- database hold it when two writers race for the same tenant. Tenant ids are stored in lower case. A tenant
-- stored twice before this index existed keeps its id on the oldest of its tenants; each later one loses
-- nothing: it keeps the id as its tenant reference (as its domain, when it has none, so it can still be
-- verified), is marked Failed with the reason (TENANT_MISMATCH) and gets an audit event naming both customers,
-- so an administrator sees which to delete.
UPDATE "Tenant" SET "entraTenantId" = lower("entraTenantId") WHERE "entraTenantId" <> lower("entraTenantId");

CREATE TEMP TABLE "tac_duplicate_entra" ON COMMIT DROP AS
SELECT t."id", t."customerId", t."entraTenantId", t."primaryDomain",
       (SELECT k."customerId" FROM "Tenant" k WHERE k."entraTenantId" = t."entraTenantId" ORDER BY k."createdAt", k."id" LIMIT 1) AS "keptBy"
FROM "Tenant" t
WHERE t."entraTenantId" IS NOT NULL
  AND EXISTS (SELECT 1 FROM "Tenant" o WHERE o."entraTenantId" = t."entraTenantId"
              AND (o."createdAt" < t."createdAt" OR (o."createdAt" = t."createdAt" AND o."id" < t."id")));

INSERT INTO "AuditEvent" ("id", "at", "action", "actorType", "actorLabel", "targetType", "targetId", "details")
SELECT 'migration-entra-id-unique-' || d."id", CURRENT_TIMESTAMP, 'tenant.entra_tenant_duplicate', 'system', 'migration',
       'tenant', d."id",
       json_build_object('customerId', d."customerId", 'entraTenantId', d."entraTenantId", 'alsoManagedAs', d."keptBy",
                   'keptAsDomain', d."primaryDomain" IS NULL)::text
FROM "tac_duplicate_entra" d;

UPDATE "Tenant"
SET "primaryDomain" = coalesce("primaryDomain", "entraTenantId"),
    "lastStatus" = 'FAILED',
    "lastStatusCode" = 'TENANT_MISMATCH',
    "lastStatusMessage" = 'Entra tenant ' || "entraTenantId" || ' is also managed as customer '
      || (SELECT d."keptBy" FROM "tac_duplicate_entra" d WHERE d."id" = "Tenant"."id")
      || '. One Entra tenant is managed as one customer: delete one of the two, or correct this one''s tenant ID or domain.',
    "entraTenantId" = NULL,
    "version" = "version" + 1,
    "updatedAt" = CURRENT_TIMESTAMP
WHERE "id" IN (SELECT "id" FROM "tac_duplicate_entra");

-- DropIndex
DROP INDEX "Tenant_entraTenantId_idx";

-- CreateIndex
CREATE UNIQUE INDEX "Tenant_entraTenantId_key" ON "Tenant"("entraTenantId");
