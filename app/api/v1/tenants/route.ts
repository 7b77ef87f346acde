import { endpoints } from "@/lib/api/endpoints";
import { etagOf } from "@/lib/api/dto";
import { apiRoute, apiUrl } from "@/lib/api/handler";
import { tenantDetailOr404 } from "@/lib/api/lookup";
import { createTenantCommand } from "@/lib/commands/tenants";
import { listTenants } from "@/lib/data/tenants";

export const dynamic = "force-dynamic";

export const GET = apiRoute(endpoints.listTenants, async ({ query }) => {
  const { order, ...filters } = query;
  return { status: 200, body: await listTenants({ ...filters, dir: order }) };
});

export const POST = apiRoute(endpoints.createTenant, async ({ body, run }) => {
  const { id } = await run(createTenantCommand, body);
  const tenant = await tenantDetailOr404(id);
  return { status: 201, body: tenant, headers: { Location: apiUrl("/tenants/{id}", { id: tenant.id }), ETag: etagOf(tenant.version) } };
});
