import { endpoints } from "@/lib/api/endpoints";
import { outcomeDto } from "@/lib/api/dto";
import { apiRoute } from "@/lib/api/handler";
import { tenantRefOr404 } from "@/lib/api/lookup";
import { verifyTenantCommand } from "@/lib/commands/tenants";

export const dynamic = "force-dynamic";

export const POST = apiRoute(endpoints.verifyTenant, async ({ params, run }) => {
  const tenant = await tenantRefOr404(params.id);
  return { status: 200, body: outcomeDto(await run(verifyTenantCommand, { id: tenant.id }), tenant.customerId) };
});
