import { endpoints } from "@/lib/api/endpoints";
import { apiRoute } from "@/lib/api/handler";
import { deleteAlertRuleCommand, getAlertRuleQuery, updateAlertRuleCommand } from "@/lib/commands/alerts";

export const dynamic = "force-dynamic";

export const GET = apiRoute(endpoints.getAlertRule, async ({ params, run }) => ({ status: 200, body: await run(getAlertRuleQuery, { id: params.id }) }));

export const PUT = apiRoute(endpoints.updateAlertRule, async ({ params, body, run }) => ({
  status: 200,
  body: await run(updateAlertRuleCommand, { id: params.id, rule: body }),
}));

export const DELETE = apiRoute(endpoints.deleteAlertRule, async ({ params, run }) => {
  await run(deleteAlertRuleCommand, { id: params.id });
  return { status: 204 };
});
