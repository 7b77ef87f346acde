import { endpoints } from "@/lib/api/endpoints";
import { apiRoute } from "@/lib/api/handler";
import { tenantRefOr404 } from "@/lib/api/lookup";
import { tenantUsersQuery } from "@/lib/commands/users";

export const dynamic = "force-dynamic";

export const GET = apiRoute(endpoints.listTenantUsers, async ({ params, query, run }) => {
  const tenant = await tenantRefOr404(params.id);
  return { status: 200, body: await run(tenantUsersQuery, { id: tenant.id, ...query }) };
});
