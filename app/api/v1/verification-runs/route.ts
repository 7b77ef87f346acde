import { endpoints } from "@/lib/api/endpoints";
import { apiRoute, apiUrl } from "@/lib/api/handler";
import { ApiError } from "@/lib/http/problem";
import { startVerificationRunCommand } from "@/lib/commands/runs";
import { resolveTenantRefs } from "@/lib/data/tenants";

export const dynamic = "force-dynamic";

export const POST = apiRoute(endpoints.startRun, async ({ body, run }) => {
  let tenantIds: string[] | undefined;
  if (body.tenantIds) {
    // The API names tenants by internal id or customer id; the command takes internal ids.
    const resolved = await resolveTenantRefs(body.tenantIds);
    if (resolved.unknown.length) {
      throw new ApiError("validation", "Some tenant ids name no tenant.", {
        errors: resolved.unknown.slice(0, 100).map((i) => ({ path: `tenantIds.${i}`, message: "No tenant has this id or customer id." })),
      });
    }
    tenantIds = resolved.ids;
  }
  const { progress, joined } = await run(startVerificationRunCommand, { tenantIds });
  return { status: 202, body: { ...progress, joined }, headers: { Location: apiUrl("/verification-runs/{id}", { id: progress.id }) } };
});
