import { endpoints } from "@/lib/api/endpoints";
import { apiRoute } from "@/lib/api/handler";
import { listIncidentsQuery } from "@/lib/commands/alerts";

export const dynamic = "force-dynamic";

export const GET = apiRoute(endpoints.listIncidents, async ({ query, run }) => {
  const page = await run(listIncidentsQuery, {
    state: query.state,
    tag: query.tag,
    reason: query.reason,
    tenantId: query.tenant,
    page: query.page,
    pageSize: query.pageSize,
  });
  return { status: 200, body: page };
});
