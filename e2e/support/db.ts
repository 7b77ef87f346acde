import path from "node:path";
import { createDatabaseClient } from "../../lib/db-client";

/** Direct database access for specs that seed their own data (the console under test uses the same file). */
export const E2E_DATA_DIR = path.resolve(".data/e2e");
export const e2eDb = createDatabaseClient(`file:${path.join(E2E_DATA_DIR, "console.db")}`);

/**
 * One Entra tenant, one customer (a unique index on Tenant.entraTenantId): a spec seeding a tenant of an
 * emulator directory first deletes the tenant an earlier spec of the run seeded for it.
 */
export async function releaseEntraTenants(entraTenantIds: string[]): Promise<void> {
  await e2eDb.tenant.deleteMany({ where: { entraTenantId: { in: entraTenantIds } } });
}
