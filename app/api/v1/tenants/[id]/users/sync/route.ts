import { endpoints } from "@/lib/api/endpoints";
import { apiRoute } from "@/lib/api/handler";
import { tenantRefOr404 } from "@/lib/api/lookup";
import { syncTenantUsersCommand } from "@/lib/commands/users";

export const dynamic = "force-dynamic";

export const POST = apiRoute(endpoints.syncTenantUsers, async ({ params, run }) => {
  const tenant = await tenantRefOr404(params.id);
  return { status: 202, body: await run(syncTenantUsersCommand, { id: tenant.id }) };
});
