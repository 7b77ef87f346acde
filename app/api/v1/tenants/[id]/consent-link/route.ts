import { endpoints } from "@/lib/api/endpoints";
import { apiRoute } from "@/lib/api/handler";
import { tenantIdOr404 } from "@/lib/api/lookup";
import { ApiError } from "@/lib/http/problem";
import { createConsentLinkCommand } from "@/lib/commands/tenants";
import { activeConsentLink } from "@/lib/consent/links";

export const dynamic = "force-dynamic";

export const GET = apiRoute(endpoints.getConsentLink, async ({ params }) => {
  const link = await activeConsentLink(await tenantIdOr404(params.id));
  if (!link) throw new ApiError("not-found", "The tenant has no active consent link. Create one with POST.");
  return { status: 200, body: link };
});

export const POST = apiRoute(endpoints.createConsentLink, async ({ params, body, run }) => {
  const id = await tenantIdOr404(params.id);
  return { status: 201, body: await run(createConsentLinkCommand, { id, expiresInDays: body.expiresInDays }) };
});
