import { endpoints } from "@/lib/api/endpoints";
import { outcomeDto } from "@/lib/api/dto";
import { apiRoute } from "@/lib/api/handler";
import { tenantRefOr404 } from "@/lib/api/lookup";
import { ApiError } from "@/lib/api/problem";
import { TenantNotFoundError, verifyTenant } from "@/lib/verification";

export const dynamic = "force-dynamic";

export const POST = apiRoute(endpoints.verifyTenant, async ({ params, actor, requestId }) => {
  const tenant = await tenantRefOr404(params.id);
  try {
    return { status: 200, body: outcomeDto(await verifyTenant(tenant.id, { actor, requestId }), tenant.customerId) };
  } catch (e) {
    if (e instanceof TenantNotFoundError) throw new ApiError("not-found", "The tenant no longer exists.");
    throw e;
  }
});
