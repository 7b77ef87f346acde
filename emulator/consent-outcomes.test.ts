import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningEmulator } from "./index.js";
import { startTestEmulator, TEST } from "./testing/index.js";

// What a scripted customer can do at Microsoft's admin consent endpoint, and what Entra sends back to the
// redirect URI each time: accept, cancel, sign in from another directory, or try without an admin role.
// @see https://learn.microsoft.com/en-us/entra/identity-platform/v2-admin-consent

let emu: RunningEmulator;
beforeAll(async () => {
  emu = await startTestEmulator();
});
afterAll(async () => {
  await emu?.close();
});

const consentUrl = (tenant: string) =>
  `${emu.loginUrl}/${tenant}/v2.0/adminconsent?client_id=${TEST.providerClientId}&scope=${encodeURIComponent(`${emu.graphUrl}/.default`)}&redirect_uri=${encodeURIComponent(TEST.redirectUri)}&state=s1`;

const authorizeUrl = (tenant: string, scope: string) =>
  `${emu.loginUrl}/${tenant}/oauth2/v2.0/authorize?client_id=${TEST.providerClientId}&response_type=code&scope=${encodeURIComponent(scope)}&redirect_uri=${encodeURIComponent(TEST.redirectUri)}&state=s2`;

async function redirectOf(url: string): Promise<URL> {
  const res = await fetch(url, { redirect: "manual" });
  expect(res.status, await res.text()).toBe(302);
  return new URL(res.headers.get("location")!);
}

describe("scripted customers at the admin consent endpoint", () => {
  it("cancel at the consent screen: access_denied with AADSTS65004, no tenant", async () => {
    await emu.control.armInteraction({ user: TEST.fabrikamAdmin, decision: "cancel" });
    const loc = await redirectOf(consentUrl(TEST.fabrikamId));
    expect(loc.searchParams.get("error")).toBe("access_denied");
    expect(loc.searchParams.get("error_description")).toMatch(/^AADSTS65004:/);
    expect(loc.searchParams.get("admin_consent")).toBe("True");
    expect(loc.searchParams.get("state")).toBe("s1");
    expect(loc.searchParams.has("tenant")).toBe(false);
  });

  it("an account of another directory: access_denied with AADSTS50020 naming the account", async () => {
    await emu.control.armInteraction({ user: TEST.admin, decision: "accept" });
    const loc = await redirectOf(consentUrl(TEST.fabrikamId));
    expect(loc.searchParams.get("error")).toBe("access_denied");
    expect(loc.searchParams.get("error_description")).toMatch(new RegExp(`^AADSTS50020: User account '${TEST.admin}' from identity provider`));
    expect(loc.searchParams.has("tenant")).toBe(false);
    expect(emu.state.consentFor(emu.state.tenantsById.get(TEST.fabrikamId)!, emu.state.findApp(TEST.providerClientId)!)).toBeFalsy();
  });

  it("a user without an admin role: access_denied with AADSTS90094, nothing granted", async () => {
    expect(await emu.control.setUserRoles(TEST.reader, [])).toEqual({ user: TEST.reader, roles: [] });
    await emu.control.armInteraction({ user: TEST.reader, decision: "accept" });
    const loc = await redirectOf(consentUrl(TEST.contosoDomain));
    expect(loc.searchParams.get("error")).toBe("access_denied");
    expect(loc.searchParams.get("error_description")).toMatch(/^AADSTS90094:/);
    expect(loc.searchParams.get("state")).toBe("s1");
    expect(loc.searchParams.has("tenant")).toBe(false);
  });

  it("an Application Administrator cannot grant Graph application permissions, but can consent to delegated ones", async () => {
    await emu.control.setUserRoles(TEST.reader, ["Application Administrator"]);
    await emu.control.armInteraction({ user: TEST.reader, decision: "accept" });
    const refused = await redirectOf(consentUrl(TEST.contosoId));
    expect(refused.searchParams.get("error_description")).toMatch(/^AADSTS90094:/);

    await emu.control.armInteraction({ user: TEST.reader, decision: "accept" });
    const delegated = await redirectOf(authorizeUrl(TEST.contosoId, `openid profile ${emu.graphUrl}/Directory.Read.All`));
    expect(delegated.searchParams.get("error")).toBeNull();
    expect(delegated.searchParams.get("code")).toBeTruthy();
  });

  it("a Global Administrator accepts: admin_consent=True with the tenant's id", async () => {
    await emu.control.setUserRoles(TEST.reader, ["Global Administrator"]);
    await emu.control.armInteraction({ user: TEST.reader, decision: "accept" });
    const loc = await redirectOf(consentUrl(TEST.contosoDomain));
    expect(loc.searchParams.get("admin_consent")).toBe("True");
    expect(loc.searchParams.get("tenant")).toBe(TEST.contosoId);
    expect(loc.searchParams.get("error")).toBeNull();
  });
});
