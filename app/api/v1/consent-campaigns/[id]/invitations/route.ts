import { endpoints } from "@/lib/api/endpoints";
import { apiRoute } from "@/lib/api/handler";
import { invitationsQuery } from "@/lib/commands/campaigns";

export const dynamic = "force-dynamic";

export const GET = apiRoute(endpoints.listInvitations, async ({ params, query, run }) => {
  return { status: 200, body: await run(invitationsQuery, { id: params.id, states: query.state, page: query.page, pageSize: query.pageSize }) };
});
