import { endpoints } from "@/lib/api/endpoints";
import { etagOf } from "@/lib/api/dto";
import { apiRoute } from "@/lib/api/handler";
import { checkIfMatch } from "@/lib/api/lookup";
import { applyProviderSettingsCommand } from "@/lib/commands/settings";
import { getProviderSettingsView } from "@/lib/provider/settings";

export const dynamic = "force-dynamic";

export const GET = apiRoute(endpoints.getProviderSettings, async () => {
  const view = await getProviderSettingsView();
  return { status: 200, body: view, headers: { ETag: etagOf(view.version) } };
});

export const PUT = apiRoute(endpoints.putProviderSettings, async ({ rawBody, ifMatch, run }) => {
  const current = await getProviderSettingsView();
  checkIfMatch(ifMatch, current.version);
  // The body as sent (the command parses it with the schema that checked it, which transforms). A
  // certificate is uploaded in the console only.
  const { changedFields } = await run(applyProviderSettingsCommand, {
    ...rawBody,
    certificateFile: null,
    certificatePassword: undefined,
    version: current.version,
  });
  const view = await getProviderSettingsView();
  return { status: 200, body: { ...view, changedFields }, headers: { ETag: etagOf(view.version) } };
});
