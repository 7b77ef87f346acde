import { endpoints } from "@/lib/api/endpoints";
import { etagOf } from "@/lib/api/dto";
import { apiRoute, apiUrl } from "@/lib/api/handler";
import { tenantDetailOr404 } from "@/lib/api/lookup";
import { ApiError, fieldErrorsFromRecord } from "@/lib/api/problem";
import { listTenants } from "@/lib/data/tenants";
import { createTenant } from "@/lib/tenants/manage";

export const dynamic = "force-dynamic";

export const GET = apiRoute(endpoints.listTenants, async ({ query }) => {
  const { order, ...filters } = query;
  return { status: 200, body: await listTenants({ ...filters, dir: order }) };
});

export const POST = apiRoute(endpoints.createTenant, async ({ body, actor, requestId }) => {
  const result = await createTenant(body, { actor, requestId });
  if (!result.ok) throw new ApiError("validation", result.error, { errors: fieldErrorsFromRecord(result.fieldErrors ?? {}) });
  const tenant = await tenantDetailOr404(result.data.id);
  return { status: 201, body: tenant, headers: { Location: apiUrl("/tenants/{id}", { id: tenant.id }), ETag: etagOf(tenant.version) } };
});
