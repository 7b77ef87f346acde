import { endpoints } from "@/lib/api/endpoints";
import { apiRoute } from "@/lib/api/handler";
import { tenantIdsOr404 } from "@/lib/api/tag-assignment";
import { assignTagCommand } from "@/lib/commands/tags";

export const dynamic = "force-dynamic";

export const POST = apiRoute(endpoints.assignTag, async ({ params, body, run }) => {
  const { tag, tenants, added } = await run(assignTagCommand, { tagId: params.id, tenantIds: await tenantIdsOr404(body.tenantIds) });
  return { status: 200, body: { tag, tenants, changed: added } };
});
