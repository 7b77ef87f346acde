import { NextRequest } from "next/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningEmulator } from "@/emulator/index";
import { startTestEmulator, TEST } from "@/emulator/testing/index";
import { GET as callbackRoute } from "@/app/authenticate/OAuth2Callback/route";
import { db } from "@/lib/db";
import { newId } from "@/lib/ids";
import { applyEmulatorProvider } from "@/lib/provider/testing";
import { verifyTenant } from "@/lib/verification";
import { browserBindingValue, CONSENT_BROWSER_COOKIE } from "./browser-binding";
import { startConsent } from "./flow";
import { createConsentLink } from "./links";

/**
 * Source 000's v1.0 endpoint end to end against the emulator: a registration on v1.0 with a Resource
 * sends consent to the v1 endpoints and redeems every token at /{tenant}/oauth2/token with `resource=`.
 */

const actor = { type: "admin" as const, id: "admin-1", label: "ops@msp.example" };
const browser = browserBindingValue(undefined);
let emu: RunningEmulator;

beforeAll(async () => {
  emu = await startTestEmulator();
  await applyEmulatorProvider(emu, { tokenVersion: "v1", resource: emu.graphUrl });
});

afterAll(async () => {
  await emu?.close();
});

async function seedTenant(o: { entraTenantId: string; domain: string; adminEmail: string; authMethod: "APP_REGISTRATION" | "AUTH_TOKEN" }) {
  const id = newId();
  await db.tenant.create({
    data: {
      id,
      customerId: `cust-${id.slice(-8)}`,
      displayName: "Customer",
      entraTenantId: o.entraTenantId,
      primaryDomain: o.domain,
      adminEmail: o.adminEmail,
      authMethod: o.authMethod,
      cloud: "CUSTOM",
    },
  });
  return id;
}

async function microsoftUrl(tenantId: string) {
  const link = await createConsentLink({ tenantId, actor });
  if (!link.ok) throw new Error(link.error);
  const started = await startConsent(new URL(link.data.url).pathname.split("/").pop()!, browser);
  if (!started.ok) throw new Error(started.error);
  return new URL(started.redirectTo);
}

async function answerAndCallBack(url: URL, user: string) {
  emu.state.armInteraction({ user, password: TEST.password, decision: "accept" });
  const location = (await fetch(url, { redirect: "manual" })).headers.get("location");
  expect(location).toBeTruthy();
  const response = await callbackRoute(new NextRequest(location!, { headers: { cookie: `${CONSENT_BROWSER_COOKIE}=${browser}` } }));
  return { status: response.status, html: await response.text() };
}

/** Paths of the token requests the emulator answered for a tenant since `since`. */
function tokenPaths(since: number, tenant: string) {
  return emu.state
    .requestLog()
    .filter((e) => e.kind === "token" && e.tenant === tenant && Date.parse(e.at) >= since)
    .map((e) => `${e.method} ${e.path.split("?")[0]} ${e.status}`);
}

describe("a v1.0 app registration", () => {
  it("sends admin consent to the v1 /adminconsent endpoint and verifies with v1 client-credentials tokens", async () => {
    const tenantId = await seedTenant({
      entraTenantId: TEST.fabrikamId,
      domain: TEST.fabrikamDomain,
      adminEmail: TEST.fabrikamAdmin,
      authMethod: "APP_REGISTRATION",
    });
    const url = await microsoftUrl(tenantId);
    expect(url.pathname).toBe(`/${TEST.fabrikamId}/adminconsent`);
    expect(url.searchParams.get("client_id")).toBe(TEST.providerClientId);
    expect(url.searchParams.get("redirect_uri")).toBe(TEST.redirectUri);
    expect(url.searchParams.has("scope")).toBe(false);

    const since = Date.now() - 1000;
    const page = await answerAndCallBack(url, TEST.fabrikamAdmin);
    expect(page.status).toBe(200);
    const tenant = await db.tenant.findUniqueOrThrow({ where: { id: tenantId } });
    expect(tenant.lastStatus).toBe("VERIFIED");

    const again = await verifyTenant(tenantId, { actor });
    expect(again).toMatchObject({ status: "VERIFIED" });
    expect(again.details.permissions?.missing).toEqual([]);
    const paths = tokenPaths(since, TEST.fabrikamId);
    expect(paths.length).toBeGreaterThanOrEqual(2);
    expect(paths.every((p) => p === `POST /${TEST.fabrikamId}/oauth2/token 200`)).toBe(true);
  });

  it("authorizes at the v1 /oauth2/authorize endpoint with resource, then keeps the delegated token alive on /oauth2/token", async () => {
    const tenantId = await seedTenant({ entraTenantId: TEST.contosoId, domain: TEST.contosoDomain, adminEmail: TEST.admin, authMethod: "AUTH_TOKEN" });
    const url = await microsoftUrl(tenantId);
    expect(url.pathname).toBe(`/${TEST.contosoId}/oauth2/authorize`);
    expect(url.searchParams.get("resource")).toBe(emu.graphUrl);
    expect(url.searchParams.get("response_type")).toBe("code");
    expect(url.searchParams.get("code_challenge_method")).toBe("S256");
    expect(url.searchParams.get("scope")).toBe("openid");

    const since = Date.now() - 1000;
    const page = await answerAndCallBack(url, TEST.admin);
    expect(page.status).toBe(200);
    expect(page.html).toContain("access was authorized");
    const first = await db.tenantCredential.findUniqueOrThrow({ where: { tenantId_kind: { tenantId, kind: "MSAL_CACHE" } } });
    expect(first.label).toMatch(new RegExp(`\\.${TEST.contosoId}$`));

    const o = await verifyTenant(tenantId, { actor });
    expect(o).toMatchObject({ status: "VERIFIED" });
    expect(o.details.signedInUser).toMatchObject({ userPrincipalName: TEST.admin, matchesStoredEmail: true });
    const rotated = await db.tenantCredential.findUniqueOrThrow({ where: { tenantId_kind: { tenantId, kind: "MSAL_CACHE" } } });
    expect(rotated.version).toBeGreaterThan(first.version);
    expect(rotated.secret).not.toBe(first.secret);
    expect(rotated.expiresAt!.getTime()).toBeGreaterThan(Date.now() + 89 * 86_400_000);

    const paths = tokenPaths(since, TEST.contosoId);
    expect(paths.length).toBeGreaterThanOrEqual(3);
    expect(paths.every((p) => p === `POST /${TEST.contosoId}/oauth2/token 200`)).toBe(true);
  });
});
