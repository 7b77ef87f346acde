import { endpoints } from "@/lib/api/endpoints";
import { apiRoute } from "@/lib/api/handler";
import { tenantIdOr404 } from "@/lib/api/lookup";
import { clearTenantOwnAppCommand, setTenantOwnAppCommand } from "@/lib/commands/tenants";
import { ApiError } from "@/lib/http/problem";
import { ownAppView } from "@/lib/tenants/own-app";

export const dynamic = "force-dynamic";

async function viewOr404(id: string) {
  const view = await ownAppView(id);
  if (!view) throw new ApiError("not-found", "The tenant no longer exists.");
  return view;
}

export const GET = apiRoute(endpoints.getTenantAppRegistration, async ({ params }) => ({
  status: 200,
  body: await viewOr404(await tenantIdOr404(params.id)),
}));

export const PUT = apiRoute(endpoints.putTenantAppRegistration, async ({ params, rawBody, run }) => {
  const id = await tenantIdOr404(params.id);
  // The body as sent: the command parses it with the schema that checked it (which transforms).
  const { changedFields, verification } = await run(setTenantOwnAppCommand, { ...rawBody, id, certificateFile: null });
  const view = await viewOr404(id);
  return {
    status: 200,
    body: { ...view, changedFields, verification: { status: verification.status, reasonCode: verification.reasonCode, message: verification.message } },
  };
});

export const DELETE = apiRoute(endpoints.deleteTenantAppRegistration, async ({ params, run }) => {
  await run(clearTenantOwnAppCommand, { id: await tenantIdOr404(params.id) });
  return { status: 204 };
});
