import { endpoints } from "@/lib/api/endpoints";
import { apiRoute } from "@/lib/api/handler";
import { tenantRefOr404 } from "@/lib/api/lookup";
import { issueAccessTokenCommand } from "@/lib/commands/access-tokens";

export const dynamic = "force-dynamic";

export const POST = apiRoute(endpoints.issueTenantAccessToken, async ({ params, rawBody, run }) => {
  const tenant = await tenantRefOr404(params.id);
  const token = await run(issueAccessTokenCommand, { id: tenant.id, body: rawBody });
  return {
    status: 200,
    body: {
      tenantId: tenant.id,
      customerId: tenant.customerId,
      method: token.method,
      tokenType: "Bearer",
      accessToken: token.accessToken,
      expiresOn: token.expiresOn.toISOString(),
      expiresIn: Math.max(0, Math.floor((token.expiresOn.getTime() - Date.now()) / 1000)),
      resource: token.resource,
      scopes: token.scopes,
    },
  };
});
