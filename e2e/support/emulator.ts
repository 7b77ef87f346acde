import { readFileSync } from "node:fs";
import { EmulatorControlClient } from "../../emulator/control-client";
import { DEMO_SCENARIO_PATH, SECOND_CLOUD_SCENARIO_PATH } from "../../emulator/index";
import type { ScenarioInput } from "../../emulator/scenario";
import { baseURL, EMULATOR2_PORT, EMULATOR_PORT, GRAPH2_PORT, GRAPH_PORT } from "./ports";

/** The emulator the e2e web server list starts (playwright.config.ts), and the demo scenario's facts. */
export { EMULATOR_PORT, GRAPH_PORT };
export const emulator = {
  loginUrl: `https://127.0.0.1:${EMULATOR_PORT}`,
  graphUrl: `https://127.0.0.1:${GRAPH_PORT}`,
  authorityHost: `127.0.0.1:${EMULATOR_PORT}`,
  graphHost: `127.0.0.1:${GRAPH_PORT}`,
};
export const control = new EmulatorControlClient(emulator.loginUrl);

/** The provider app's redirect URI for this e2e console (the demo scenario registers the default console URL). */
export const CONSENT_REDIRECT = `${baseURL}/authenticate/OAuth2Callback`;

/** The demo directory as the suite starts with it: specs that load another scenario put this one back. */
export async function restoreDemoScenario() {
  await control.loadScenario(JSON.parse(readFileSync(DEMO_SCENARIO_PATH, "utf8")) as ScenarioInput);
  await control.setRedirectUris(DEMO.providerClientId, [CONSENT_REDIRECT]);
}

export const DEMO = {
  providerClientId: "7ac0ffee-0000-4000-8000-000000000001",
  providerSecret: "tac8Q~demo-provider-secret-not-for-prod-001",
  homeTenantId: "d0000000-0000-4000-8000-000000000000",
  userPassword: "Demo-Passw0rd!",
  litware: { id: "d0000000-0000-4000-8000-000000000007", domain: "litwarelogistics.example", admin: "admin@litwarelogistics.onmicrosoft.com" },
  proseware: { id: "d0000000-0000-4000-8000-000000000008", domain: "prosewarearchitects.example", admin: "admin@prosewarearchitects.onmicrosoft.com" },
  southridge: { id: "d0000000-0000-4000-8000-000000000017", domain: "southridgevideo.example", admin: "admin@southridgevideo.onmicrosoft.com" },
  contoso: { id: "d0000000-0000-4000-8000-000000000001", domain: "contosodental.example", admin: "admin@contosodental.onmicrosoft.com" },
  /** Consented like Contoso: a second directory that verifies. */
  fabrikamLegal: { id: "d0000000-0000-4000-8000-000000000002", domain: "fabrikamlegal.example", admin: "admin@fabrikamlegal.onmicrosoft.com" },
} as const;

/**
 * The console's own API in the demo home tenant and its automation clients (client credentials with
 * DEMO_API.scope; v1.0 tokens with aud DEMO_API.audience, iss `${emulator.loginUrl}/${DEMO_API.homeTenantId}/`).
 */
export { DEMO_API } from "../../emulator/scenarios/demo-api";

/**
 * The second emulator instance (playwright.config.ts), a second cloud with a directory of its own
 * (emulator/scenarios/second-cloud.json): another provider app, home tenant and customers.
 */
export const emulator2 = {
  loginUrl: `https://127.0.0.1:${EMULATOR2_PORT}`,
  graphUrl: `https://127.0.0.1:${GRAPH2_PORT}`,
  authorityHost: `127.0.0.1:${EMULATOR2_PORT}`,
  graphHost: `127.0.0.1:${GRAPH2_PORT}`,
};
export const control2 = new EmulatorControlClient(emulator2.loginUrl);

/** The second instance's directory as it starts, for specs that change it. */
export async function restoreSecondCloudScenario() {
  await control2.loadScenario(JSON.parse(readFileSync(SECOND_CLOUD_SCENARIO_PATH, "utf8")) as ScenarioInput);
  await control2.setRedirectUris(SECOND_CLOUD.providerClientId, [CONSENT_REDIRECT]);
}

export const SECOND_CLOUD = {
  providerClientId: "7ac0ffee-0000-4000-8000-0000000000b1",
  providerSecret: "gov8Q~second-cloud-provider-secret-not-for-prod-01",
  homeTenantId: "e0000000-0000-4000-8000-000000000000",
  userPassword: "Demo-Passw0rd!",
  fabrikam: { id: "e0000000-0000-4000-8000-000000000001", domain: "fabrikamfederal.example", admin: "admin@fabrikamfederal.onmicrosoft.us" },
  tailspin: { id: "e0000000-0000-4000-8000-000000000002", domain: "tailspindefense.example", admin: "admin@tailspindefense.onmicrosoft.us" },
} as const;
