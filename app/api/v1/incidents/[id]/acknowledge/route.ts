import { endpoints } from "@/lib/api/endpoints";
import { apiRoute } from "@/lib/api/handler";
import { acknowledgeIncidentCommand } from "@/lib/commands/alerts";

export const dynamic = "force-dynamic";

export const POST = apiRoute(endpoints.acknowledgeIncident, async ({ params, run }) => {
  const incident = await run(acknowledgeIncidentCommand, { id: params.id });
  return { status: 200, body: incident };
});
