import { endpoints } from "@/lib/api/endpoints";
import { apiRoute } from "@/lib/api/handler";
import { campaignQuery } from "@/lib/commands/campaigns";

export const dynamic = "force-dynamic";

export const GET = apiRoute(endpoints.getConsentCampaign, async ({ params, run }) => {
  return { status: 200, body: await run(campaignQuery, { id: params.id }) };
});
