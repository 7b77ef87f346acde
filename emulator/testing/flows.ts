import { ConfidentialClientApplication, CryptoProvider } from "@azure/msal-node";
import type { RunningEmulator } from "../index.js";
import { TEST } from "./fixtures.js";

/** msal-node client for the test provider app, pointed at one tenant segment of the emulator. */
export function providerClient(emu: RunningEmulator, tenant: string, clientSecret: string = TEST.providerSecret): ConfidentialClientApplication {
  return new ConfidentialClientApplication({
    auth: { clientId: TEST.providerClientId, authority: `${emu.loginUrl}/${tenant}`, knownAuthorities: [emu.authorityHost], clientSecret },
  });
}

export interface AuthCodeRun {
  location: URL;
  code?: string;
  verifier: string;
  challenge: string;
}

/**
 * Runs /authorize without a browser: arms the next interaction, then follows nothing, returning the
 * redirect Entra would send.
 */
export async function authorizeWithArmedUser(
  emu: RunningEmulator,
  options: {
    tenant: string;
    user: string;
    password?: string;
    mfaCode?: string;
    decision?: "accept" | "cancel";
    scopes?: string[];
    redirectUri?: string;
    extra?: Record<string, string>;
  },
): Promise<AuthCodeRun> {
  const { verifier, challenge } = await new CryptoProvider().generatePkceCodes();
  emu.state.armInteraction({ user: options.user, password: options.password, mfaCode: options.mfaCode, decision: options.decision ?? "accept" });
  const url = await providerClient(emu, options.tenant).getAuthCodeUrl({
    scopes: options.scopes ?? [`${emu.graphUrl}/User.Read`, "offline_access"],
    redirectUri: options.redirectUri ?? TEST.redirectUri,
    codeChallenge: challenge,
    codeChallengeMethod: "S256",
    state: "test-state",
    nonce: "test-nonce",
    extraQueryParameters: options.extra,
  });
  const response = await fetch(url, { redirect: "manual" });
  const locationHeader = response.headers.get("location");
  if (!locationHeader) throw new Error(`authorize did not redirect (status ${response.status}): ${await response.text()}`);
  const location = new URL(locationHeader);
  return { location, code: location.searchParams.get("code") ?? undefined, verifier, challenge };
}
