import { endpoints } from "@/lib/api/endpoints";
import { apiRoute } from "@/lib/api/handler";
import { createAlertRuleCommand, listAlertRulesQuery } from "@/lib/commands/alerts";

export const dynamic = "force-dynamic";

export const GET = apiRoute(endpoints.listAlertRules, async ({ run }) => ({ status: 200, body: { items: await run(listAlertRulesQuery, {}) } }));

export const POST = apiRoute(endpoints.createAlertRule, async ({ body, run }) => ({ status: 201, body: await run(createAlertRuleCommand, body) }));
