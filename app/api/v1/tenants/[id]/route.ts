import { endpoints } from "@/lib/api/endpoints";
import { etagOf } from "@/lib/api/dto";
import { apiRoute } from "@/lib/api/handler";
import { checkIfMatch, tenantDetailOr404, tenantIdOr404 } from "@/lib/api/lookup";
import { ApiError, fieldErrorsFromRecord, fieldErrorsOf } from "@/lib/api/problem";
import { deleteTenant, STALE_VERSION_MESSAGE, updateTenant } from "@/lib/tenants/manage";
import { tenantUpdateSchema } from "@/lib/validations/tenant";

export const dynamic = "force-dynamic";

export const GET = apiRoute(endpoints.getTenant, async ({ params }) => {
  const tenant = await tenantDetailOr404(await tenantIdOr404(params.id));
  return { status: 200, body: tenant, headers: { ETag: etagOf(tenant.version) } };
});

export const PATCH = apiRoute(endpoints.updateTenant, async ({ params, body, ifMatch, actor, requestId }) => {
  const current = await tenantDetailOr404(await tenantIdOr404(params.id));
  checkIfMatch(ifMatch, current.version);
  // The patch over the current values, checked by the console's own update schema.
  const merged = tenantUpdateSchema.safeParse({
    id: current.id,
    version: current.version,
    customerId: current.customerId,
    displayName: current.displayName,
    tenantRef: current.entraTenantId ?? current.primaryDomain ?? undefined,
    adminEmail: current.adminEmail,
    authMethod: current.authMethod,
    cloud: current.cloud,
    ...body,
  });
  if (!merged.success) throw new ApiError("validation", "The request body is invalid.", { errors: fieldErrorsOf(merged.error) });
  const result = await updateTenant(merged.data, { actor, requestId });
  if (!result.ok) {
    if (result.fieldErrors) throw new ApiError("validation", result.error, { errors: fieldErrorsFromRecord(result.fieldErrors) });
    if (result.error === STALE_VERSION_MESSAGE) throw new ApiError("version-conflict", result.error);
    throw new ApiError("not-found", result.error);
  }
  const tenant = await tenantDetailOr404(current.id);
  return { status: 200, body: tenant, headers: { ETag: etagOf(tenant.version) } };
});

export const DELETE = apiRoute(endpoints.deleteTenant, async ({ params, ifMatch, actor, requestId }) => {
  const id = await tenantIdOr404(params.id);
  const result = await deleteTenant({ id, version: typeof ifMatch === "number" ? ifMatch : undefined }, { actor, requestId });
  if (!result.ok) throw result.error === STALE_VERSION_MESSAGE ? new ApiError("version-conflict", result.error) : new ApiError("not-found", result.error);
  return { status: 204 };
});
