import { endpoints } from "@/lib/api/endpoints";
import { apiRoute } from "@/lib/api/handler";
import { tenantIdOr404 } from "@/lib/api/lookup";
import { setTenantTagsCommand } from "@/lib/commands/tags";

export const dynamic = "force-dynamic";

export const PUT = apiRoute(endpoints.setTenantTags, async ({ params, body, run }) => {
  const { tags } = await run(setTenantTagsCommand, { id: await tenantIdOr404(params.id), tagIds: body.tagIds });
  return { status: 200, body: { tags } };
});
