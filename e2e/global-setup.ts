import { request } from "@playwright/test";
import { baseURL } from "../playwright.config";
import { CONSENT_REDIRECT, control, control2, DEMO, SECOND_CLOUD } from "./support/emulator";

// The web server (e2e/start-server.sh) starts on a fresh, migrated database; make sure it is ready.
export default async function globalSetup() {
  const api = await request.newContext({ baseURL });
  const response = await api.get("/api/health");
  if (!response.ok()) throw new Error(`Console not healthy: ${response.status()}`);
  await api.dispose();
  // The demo scenario registers the default console URL; the e2e console listens elsewhere.
  await control.setRedirectUris(DEMO.providerClientId, [CONSENT_REDIRECT]);
  await control2.setRedirectUris(SECOND_CLOUD.providerClientId, [CONSENT_REDIRECT]);
}
