-- AlterTable
ALTER TABLE "Tenant" ADD COLUMN     "attention" BIGINT NOT NULL DEFAULT 29999999999999,
ADD COLUMN     "severity" INTEGER NOT NULL DEFAULT 2;

-- CreateTable
CREATE TABLE "SavedView" (
    "id" TEXT NOT NULL,
    "adminId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "query" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "SavedView_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "SavedView_adminId_name_key" ON "SavedView"("adminId", "name");

-- CreateIndex
CREATE INDEX "Tenant_severity_customerId_idx" ON "Tenant"("severity", "customerId");

-- CreateIndex
CREATE INDEX "Tenant_attention_customerId_idx" ON "Tenant"("attention", "customerId");

-- CreateIndex
CREATE INDEX "Tenant_lastStatus_lastStatusCode_cloud_authMethod_appRegist_idx" ON "Tenant"("lastStatus", "lastStatusCode", "cloud", "authMethod", "appRegistrationId", "appClientId");

-- AddForeignKey
ALTER TABLE "SavedView" ADD CONSTRAINT "SavedView_adminId_fkey" FOREIGN KEY ("adminId") REFERENCES "AdminUser"("id") ON DELETE CASCADE ON UPDATE CASCADE;


-- Hand-written. The Tenants page's orders (lib/tenants/attention.ts): "severity" is the status by
-- severity (Failed 0, Warning 1, Not verified 2, Verified 3), "attention" the "Needs attention" order,
-- severity × 10^13 plus accessBreaksAt in epoch milliseconds (none: 10^13 − 1, so after every date).
-- Plain indexed columns, so that either order is an index read with empty dates last on both databases.
-- Kept by a trigger, so every writer of lastStatus and accessBreaksAt keeps them without knowing of them.
CREATE FUNCTION "tenant_attention"() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
BEGIN
    NEW."severity" := CASE NEW."lastStatus" WHEN 'FAILED' THEN 0 WHEN 'WARNING' THEN 1 WHEN 'VERIFIED' THEN 3 ELSE 2 END;
    NEW."attention" := NEW."severity"::bigint * 10000000000000
        + COALESCE(round(EXTRACT(EPOCH FROM NEW."accessBreaksAt") * 1000)::bigint, 9999999999999);
    RETURN NEW;
END $$;

CREATE TRIGGER "Tenant_attention" BEFORE INSERT OR UPDATE OF "lastStatus", "accessBreaksAt" ON "Tenant"
    FOR EACH ROW EXECUTE FUNCTION "tenant_attention"();

UPDATE "Tenant" SET "lastStatus" = "lastStatus";
