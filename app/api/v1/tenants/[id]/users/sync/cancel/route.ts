import { endpoints } from "@/lib/api/endpoints";
import { apiRoute } from "@/lib/api/handler";
import { tenantRefOr404 } from "@/lib/api/lookup";
import { cancelUserSyncCommand } from "@/lib/commands/users";

export const dynamic = "force-dynamic";

export const POST = apiRoute(endpoints.cancelTenantUserSync, async ({ params, run }) => {
  const tenant = await tenantRefOr404(params.id);
  return { status: 200, body: await run(cancelUserSyncCommand, { id: tenant.id }) };
});
