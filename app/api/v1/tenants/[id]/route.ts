import { endpoints } from "@/lib/api/endpoints";
import { etagOf } from "@/lib/api/dto";
import { apiRoute } from "@/lib/api/handler";
import { checkIfMatch, tenantDetailOr404, tenantIdOr404 } from "@/lib/api/lookup";
import { deleteTenantCommand, updateTenantCommand } from "@/lib/commands/tenants";

export const dynamic = "force-dynamic";

export const GET = apiRoute(endpoints.getTenant, async ({ params }) => {
  const tenant = await tenantDetailOr404(await tenantIdOr404(params.id));
  return { status: 200, body: tenant, headers: { ETag: etagOf(tenant.version) } };
});

export const PATCH = apiRoute(endpoints.updateTenant, async ({ params, body, ifMatch, run }) => {
  const current = await tenantDetailOr404(await tenantIdOr404(params.id));
  checkIfMatch(ifMatch, current.version);
  // The patch over the current values, as the console's edit form would send them.
  await run(updateTenantCommand, {
    id: current.id,
    version: current.version,
    customerId: current.customerId,
    displayName: current.displayName,
    tenantRef: current.entraTenantId ?? current.primaryDomain ?? "",
    adminEmail: current.adminEmail,
    authMethod: current.authMethod,
    cloud: current.cloud,
    ...body,
  });
  const tenant = await tenantDetailOr404(current.id);
  return { status: 200, body: tenant, headers: { ETag: etagOf(tenant.version) } };
});

export const DELETE = apiRoute(endpoints.deleteTenant, async ({ params, ifMatch, run }) => {
  const id = await tenantIdOr404(params.id);
  await run(deleteTenantCommand, { id, version: typeof ifMatch === "number" ? ifMatch : undefined });
  return { status: 204 };
});
