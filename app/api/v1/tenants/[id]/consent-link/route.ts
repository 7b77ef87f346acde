import { endpoints } from "@/lib/api/endpoints";
import { apiRoute } from "@/lib/api/handler";
import { tenantIdOr404 } from "@/lib/api/lookup";
import { ApiError } from "@/lib/api/problem";
import { activeConsentLink, createConsentLink } from "@/lib/consent/links";

export const dynamic = "force-dynamic";

export const GET = apiRoute(endpoints.getConsentLink, async ({ params }) => {
  const link = await activeConsentLink(await tenantIdOr404(params.id));
  if (!link) throw new ApiError("not-found", "The tenant has no active consent link. Create one with POST.");
  return { status: 200, body: link };
});

export const POST = apiRoute(endpoints.createConsentLink, async ({ params, body, actor, requestId }) => {
  const tenantId = await tenantIdOr404(params.id);
  const result = await createConsentLink({ tenantId, actor, requestId, expiresInDays: body.expiresInDays });
  // The remaining failures are states an administrator must fix first (provider app, tenant reference).
  if (!result.ok) throw new ApiError(result.error === "Tenant not found." ? "not-found" : "conflict", result.error);
  return { status: 201, body: result.data };
});
