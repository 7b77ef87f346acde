import { endpoints } from "@/lib/api/endpoints";
import { apiRoute } from "@/lib/api/handler";
import { campaignsQuery, createCampaignCommand } from "@/lib/commands/campaigns";

export const dynamic = "force-dynamic";

export const GET = apiRoute(endpoints.listConsentCampaigns, async ({ query, run }) => {
  return { status: 200, body: await run(campaignsQuery, { page: query.page, pageSize: query.pageSize }) };
});

export const POST = apiRoute(endpoints.createConsentCampaign, async ({ body, run }) => {
  return { status: 201, body: await run(createCampaignCommand, body) };
});
