import type { RunningEmulator } from "@/emulator/index";
import { TEST } from "@/emulator/testing/index";
import { providerSettingsSchema } from "@/lib/validations/provider";
import { applyProviderSettings } from "./settings";

/**
 * Test helpers: the MSP's app registration pointed at a test emulator, as an administrator would enter it
 * on Settings → App registrations (a Custom cloud with the emulator's hosts, the test scenario's app).
 */

/** The form's values for the emulator's provider app; `over` changes any of them. */
export function emulatorProviderValues(emu: Pick<RunningEmulator, "authorityHost" | "graphHost">, over: Record<string, unknown> = {}) {
  return {
    clientId: TEST.providerClientId,
    clientSecret: TEST.providerSecret,
    redirectUrl: TEST.redirectUri,
    cloud: "CUSTOM",
    customAuthorityHost: emu.authorityHost,
    customGraphHost: emu.graphHost,
    tokenVersion: "v2",
    scopes: "User.Read Organization.Read.All",
    requiredAppPermissions: "Organization.Read.All User.Read.All",
    requestOfflineAccess: true,
    homeTenantId: TEST.homeTenantId,
    ...over,
  };
}

/** Applies those values as the provider app's first version; throws with Apply's refusal when it refuses. */
export async function applyEmulatorProvider(emu: Pick<RunningEmulator, "authorityHost" | "graphHost">, over: Record<string, unknown> = {}) {
  const values = providerSettingsSchema.parse(emulatorProviderValues(emu, over));
  const actor = { type: "admin" as const, id: "admin-1", label: "ops@msp.example" };
  const result = await applyProviderSettings({ values, certificate: null, expectedVersion: 0, actor, requestId: "test-setup" });
  if (!result.ok) throw new Error(`Apply refused the emulator's provider app: ${JSON.stringify(result)}`);
  return result.data;
}
