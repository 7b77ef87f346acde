import { endpoints } from "@/lib/api/endpoints";
import { etagOf } from "@/lib/api/dto";
import { apiRoute } from "@/lib/api/handler";
import { checkIfMatch } from "@/lib/api/lookup";
import { ApiError, fieldErrorsFromRecord } from "@/lib/api/problem";
import { applyProviderSettings, getProviderSettingsView } from "@/lib/provider/settings";

export const dynamic = "force-dynamic";

export const GET = apiRoute(endpoints.getProviderSettings, async () => {
  const view = await getProviderSettingsView();
  return { status: 200, body: view, headers: { ETag: etagOf(view.version) } };
});

export const PUT = apiRoute(endpoints.putProviderSettings, async ({ body, ifMatch, actor, requestId }) => {
  const current = await getProviderSettingsView();
  checkIfMatch(ifMatch, current.version);
  const result = await applyProviderSettings({ values: body, certificate: null, expectedVersion: current.version, actor, requestId });
  if (!result.ok) {
    if (result.fieldErrors) throw new ApiError("validation", result.error, { errors: fieldErrorsFromRecord(result.fieldErrors) });
    throw new ApiError("version-conflict", result.error);
  }
  const view = await getProviderSettingsView();
  return { status: 200, body: { ...view, changedFields: result.data.changedFields }, headers: { ETag: etagOf(view.version) } };
});
