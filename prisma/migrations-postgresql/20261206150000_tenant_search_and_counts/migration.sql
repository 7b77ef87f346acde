-- Hand-written (no Prisma model): the Tenants page's search indexes and its summary counts, so that
-- neither a search nor the counts read every tenant (docs/BENCHMARKS.md). lib/data/tenant-index.ts
-- reads the counts; scripts/db-schemas.ts lists these objects as outside the Prisma schema.

-- Search: trigram GIN indexes serve the case-insensitive substring search (ILIKE '%…%') on each searched
-- column. pg_trgm ships with PostgreSQL (contrib) and is a trusted extension: a role with CREATE on the
-- database may install it; otherwise a DBA runs CREATE EXTENSION pg_trgm once. Installed once per
-- database, in "public" unless it already exists elsewhere; the advisory lock keeps two schemas migrating
-- at the same moment from both installing it. fastupdate = off: a new tenant goes into the index at once
-- instead of a pending list that every search would read until a vacuum merges it (tenants are added a
-- few hundred at a time at most, searched all day).
-- @see https://www.postgresql.org/docs/15/gin-implementation.html#GIN-FAST-UPDATE
-- @see https://www.postgresql.org/docs/15/pgtrgm.html#PGTRGM-INDEX
SELECT pg_advisory_xact_lock(hashtext('tac:create extension pg_trgm'));
CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA public;

DO $$
DECLARE
    ops text := (SELECT quote_ident(n.nspname) || '.gin_trgm_ops' FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'pg_trgm');
BEGIN
    EXECUTE format('CREATE INDEX "Tenant_customerId_trgm_idx" ON "Tenant" USING gin ("customerId" %s) WITH (fastupdate = off)', ops);
    EXECUTE format('CREATE INDEX "Tenant_displayName_trgm_idx" ON "Tenant" USING gin ("displayName" %s) WITH (fastupdate = off)', ops);
    EXECUTE format('CREATE INDEX "Tenant_adminEmail_trgm_idx" ON "Tenant" USING gin ("adminEmail" %s) WITH (fastupdate = off)', ops);
    EXECUTE format('CREATE INDEX "Tenant_primaryDomain_trgm_idx" ON "Tenant" USING gin ("primaryDomain" %s) WITH (fastupdate = off)', ops);
END $$;

-- Summary counts: tenants per (status, method, cloud) as deltas, appended by statement-level triggers
-- (one row per key a statement changes) and summed when read. Appending takes no row lock, so writers
-- never wait for one another or deadlock over a shared counter row, as they could updating one row per
-- key under READ COMMITTED; the reader folds the deltas into one row per key when they pile up
-- (compactTenantCounts in lib/data/tenant-index.ts).
CREATE TABLE "TenantCount" (
    "lastStatus" "VerificationStatus" NOT NULL,
    "authMethod" "AuthMethod" NOT NULL,
    "cloud" "Cloud" NOT NULL,
    "n" INTEGER NOT NULL
);

-- SET search_path FROM CURRENT: the functions run with the migrated schema, whatever the session's path
-- (Prisma's adapter qualifies its own statements instead of setting one).
CREATE FUNCTION "tenant_count_insert"() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
BEGIN
    INSERT INTO "TenantCount" ("lastStatus", "authMethod", "cloud", "n")
        SELECT "lastStatus", "authMethod", "cloud", COUNT(*) FROM new_rows GROUP BY 1, 2, 3;
    RETURN NULL;
END $$;

CREATE FUNCTION "tenant_count_update"() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
BEGIN
    INSERT INTO "TenantCount" ("lastStatus", "authMethod", "cloud", "n")
        SELECT "lastStatus", "authMethod", "cloud", SUM(d) FROM (
            SELECT "lastStatus", "authMethod", "cloud", 1 AS d FROM new_rows
            UNION ALL
            SELECT "lastStatus", "authMethod", "cloud", -1 AS d FROM old_rows
        ) changes GROUP BY 1, 2, 3 HAVING SUM(d) <> 0;
    RETURN NULL;
END $$;

CREATE FUNCTION "tenant_count_delete"() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
BEGIN
    INSERT INTO "TenantCount" ("lastStatus", "authMethod", "cloud", "n")
        SELECT "lastStatus", "authMethod", "cloud", -COUNT(*) FROM old_rows GROUP BY 1, 2, 3;
    RETURN NULL;
END $$;

CREATE TRIGGER "Tenant_count_insert" AFTER INSERT ON "Tenant" REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "tenant_count_insert"();
CREATE TRIGGER "Tenant_count_update" AFTER UPDATE ON "Tenant" REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "tenant_count_update"();
CREATE TRIGGER "Tenant_count_delete" AFTER DELETE ON "Tenant" REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION "tenant_count_delete"();

INSERT INTO "TenantCount" ("lastStatus", "authMethod", "cloud", "n") SELECT "lastStatus", "authMethod", "cloud", COUNT(*) FROM "Tenant" GROUP BY 1, 2, 3;
