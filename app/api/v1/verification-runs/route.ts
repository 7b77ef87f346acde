import { endpoints } from "@/lib/api/endpoints";
import { apiRoute, apiUrl } from "@/lib/api/handler";
import { ApiError } from "@/lib/api/problem";
import { resolveTenantRefs } from "@/lib/data/tenants";
import { getRunProgress, startVerificationRun } from "@/lib/verification";

export const dynamic = "force-dynamic";

export const POST = apiRoute(endpoints.startRun, async ({ body, principal, actor, requestId }) => {
  let tenantIds: string[] | undefined;
  if (body.tenantIds) {
    const resolved = await resolveTenantRefs(body.tenantIds);
    if (resolved.unknown.length) {
      throw new ApiError("validation", "Some tenant ids name no tenant.", {
        errors: resolved.unknown.slice(0, 100).map((i) => ({ path: `tenantIds.${i}`, message: "No tenant has this id or customer id." })),
      });
    }
    tenantIds = resolved.ids;
  }
  const { run, joined } = await startVerificationRun({ tenantIds, trigger: "api", requestedBy: principal.label, actor, requestId });
  const progress = await getRunProgress(run.id);
  if (!progress) throw new ApiError("not-found", "The run disappeared before its progress could be read.");
  return { status: 202, body: { ...progress, joined }, headers: { Location: apiUrl("/verification-runs/{id}", { id: run.id }) } };
});
