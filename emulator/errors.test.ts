import { ServerError } from "@azure/msal-node";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { RunningEmulator } from "./index.js";
import { authorizeWithArmedUser, buildTestScenario, postForm, providerClient, startTestEmulator, TEST } from "./testing/index.js";

/**
 * Every error the console classifies, asserted by `error` and `error_codes` only: Microsoft changes
 * AADSTS message texts, so tests never read them.
 */

let emu: RunningEmulator;

beforeAll(async () => {
  emu = await startTestEmulator();
});
afterAll(async () => {
  await emu?.close();
});
beforeEach(() => {
  emu.state.loadScenario(buildTestScenario());
});

const tokenUrl = (tenant: string, version: "v1" | "v2" = "v2") => `${emu.loginUrl}/${tenant}/oauth2/${version === "v2" ? "v2.0/" : ""}token`;

function clientCredentials(tenant: string, clientSecret: string, clientId: string = TEST.providerClientId) {
  return postForm(tokenUrl(tenant), { grant_type: "client_credentials", client_id: clientId, client_secret: clientSecret, scope: `${emu.graphUrl}/.default` });
}

function ropc(tenant: string, username: string, password: string = TEST.password) {
  return postForm(tokenUrl(tenant), {
    grant_type: "password",
    client_id: TEST.providerClientId,
    client_secret: TEST.providerSecret,
    username,
    password,
    scope: `${emu.graphUrl}/User.Read openid offline_access`,
  });
}

function expectAadError(res: { status: number; json: Record<string, unknown> }, status: number, error: string, code: number): void {
  expect(res.status).toBe(status);
  expect(res.json.error).toBe(error);
  expect(res.json.error_codes).toEqual([code]);
  expect(res.json.error_description).toMatch(
    new RegExp(
      `^AADSTS${code}: .*\\r\\nTrace ID: [0-9a-f-]{36}\\r\\nCorrelation ID: [0-9a-f-]{36}\\r\\nTimestamp: \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\dZ$`,
      "s",
    ),
  );
  expect(res.json.timestamp).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ$/);
  expect(res.json.trace_id).toMatch(/^[0-9a-f-]{36}$/);
  expect(res.json.correlation_id).toMatch(/^[0-9a-f-]{36}$/);
  expect(res.json.error_uri).toBe(`${emu.loginUrl}/error?code=${code}`);
}

async function redeemToken(code: string, verifier: string, redirectUri: string = TEST.redirectUri) {
  return postForm(tokenUrl(TEST.contosoId), {
    grant_type: "authorization_code",
    client_id: TEST.providerClientId,
    client_secret: TEST.providerSecret,
    code,
    redirect_uri: redirectUri,
    code_verifier: verifier,
    scope: `${emu.graphUrl}/User.Read offline_access openid`,
  });
}

describe("client credential errors", () => {
  it("7000215 invalid secret (401 invalid_client), also through msal-node's errorNo", async () => {
    expectAadError(await clientCredentials(TEST.contosoId, "wrong-secret"), 401, "invalid_client", 7000215);
    const error = await providerClient(emu, TEST.contosoId, "wrong-secret")
      .acquireTokenByClientCredential({ scopes: [`${emu.graphUrl}/.default`], skipCache: true })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ServerError);
    expect((error as ServerError).errorCode).toBe("invalid_client");
    expect(Number((error as ServerError).errorNo)).toBe(7000215);
  });

  it("7000222 expired secret, for the provider app and a per-tenant app registration", async () => {
    expectAadError(await clientCredentials(TEST.contosoId, TEST.expiredProviderSecret), 401, "invalid_client", 7000222);
    expectAadError(await clientCredentials(TEST.tailspinId, TEST.tailspinExpiredSecret, TEST.tailspinExpiredAppId), 401, "invalid_client", 7000222);
  });

  it("7000218 no credential", async () => {
    const res = await postForm(tokenUrl(TEST.contosoId), {
      grant_type: "client_credentials",
      client_id: TEST.providerClientId,
      scope: `${emu.graphUrl}/.default`,
    });
    expectAadError(res, 401, "invalid_client", 7000218);
  });

  it("700016 app not in tenant: never consented, or a single-tenant app used elsewhere", async () => {
    expectAadError(await clientCredentials(TEST.fabrikamId, TEST.providerSecret), 400, "unauthorized_client", 700016);
    expectAadError(await clientCredentials(TEST.contosoId, TEST.tailspinSecret, TEST.tailspinAppId), 400, "unauthorized_client", 700016);
  });

  it("700016 during the consent propagation delay, then success", async () => {
    emu.state.loadScenario(buildTestScenario({ consentPropagationSeconds: 30 }));
    emu.state.grantConsent(TEST.fabrikamId, TEST.providerClientId);
    expectAadError(await clientCredentials(TEST.fabrikamId, TEST.providerSecret), 400, "unauthorized_client", 700016);
    emu.state.advanceClock(31);
    expect((await clientCredentials(TEST.fabrikamId, TEST.providerSecret)).status).toBe(200);
  });

  it("90002 tenant not found, by GUID and by domain, on token and discovery", async () => {
    expectAadError(await clientCredentials("99999999-9999-4999-8999-999999999999", TEST.providerSecret), 400, "invalid_tenant", 90002);
    expectAadError(await clientCredentials("no-such-tenant.onmicrosoft.com", TEST.providerSecret), 400, "invalid_tenant", 90002);
    const discovery = await fetch(`${emu.loginUrl}/no-such-tenant.onmicrosoft.com/v2.0/.well-known/openid-configuration`);
    expect(discovery.status).toBe(400);
    expect(((await discovery.json()) as { error_codes: number[] }).error_codes).toEqual([90002]);
  });

  it("1002012 client credentials without /.default, 500011 unknown resource", async () => {
    const noDefault = await postForm(tokenUrl(TEST.contosoId), {
      grant_type: "client_credentials",
      client_id: TEST.providerClientId,
      client_secret: TEST.providerSecret,
      scope: `${emu.graphUrl}/User.Read.All`,
    });
    expectAadError(noDefault, 400, "invalid_scope", 1002012);
    const unknown = await postForm(tokenUrl(TEST.contosoId), {
      grant_type: "client_credentials",
      client_id: TEST.providerClientId,
      client_secret: TEST.providerSecret,
      scope: "https://management.azure.com/.default",
    });
    expectAadError(unknown, 400, "invalid_resource", 500011);
  });

  it("700027 certificate assertion signed by an unregistered key", async () => {
    const { createSelfSignedCertificate } = await import("./certs.js");
    const other = createSelfSignedCertificate("not-registered");
    const client = new (await import("@azure/msal-node")).ConfidentialClientApplication({
      auth: {
        clientId: TEST.providerClientId,
        authority: `${emu.loginUrl}/${TEST.contosoId}`,
        knownAuthorities: [emu.authorityHost],
        clientCertificate: { thumbprint: other.thumbprintSha1, privateKey: other.keyPem },
      },
    });
    const error = await client.acquireTokenByClientCredential({ scopes: [`${emu.graphUrl}/.default`], skipCache: true }).catch((e: unknown) => e);
    expect((error as ServerError).errorCode).toBe("invalid_client");
    expect(Number((error as ServerError).errorNo)).toBe(700027);
  });
});

describe("user flow errors", () => {
  it("65001 consent missing (ROPC in a tenant without consent)", async () => {
    expectAadError(await ropc(TEST.fabrikamId, TEST.fabrikamAdmin), 400, "invalid_grant", 65001);
  });

  it("50126 wrong password, 50057 disabled user, 50076 MFA required, 53003 Conditional Access", async () => {
    expectAadError(await ropc(TEST.contosoId, TEST.reader, "nope"), 400, "invalid_grant", 50126);
    expectAadError(await ropc(TEST.contosoId, TEST.disabled), 400, "invalid_grant", 50057);
    const mfa = await ropc(TEST.contosoId, TEST.mfaAdmin);
    expectAadError(mfa, 400, "invalid_grant", 50076);
    expect(mfa.json.suberror).toBe("basic_action");
    expectAadError(await ropc(TEST.contosoId, TEST.blocked), 400, "invalid_grant", 53003);
  });

  it("50034 unknown user", async () => {
    expectAadError(await ropc(TEST.contosoId, "ghost@contoso-test.onmicrosoft.com"), 400, "invalid_grant", 50034);
  });

  it("54005 code reused and 501481 PKCE mismatch", async () => {
    const run = await authorizeWithArmedUser(emu, { tenant: TEST.contosoId, user: TEST.admin });
    expectAadError(await redeemToken(run.code!, "wrong-verifier-wrong-verifier-wrong-verifier-000"), 400, "invalid_grant", 501481);
    expect((await redeemToken(run.code!, run.verifier)).status).toBe(200);
    expectAadError(await redeemToken(run.code!, run.verifier), 400, "invalid_grant", 54005);
  });

  it("70008 code expired after 10 minutes", async () => {
    const run = await authorizeWithArmedUser(emu, { tenant: TEST.contosoId, user: TEST.admin });
    emu.state.advanceClock(601);
    expectAadError(await redeemToken(run.code!, run.verifier), 400, "invalid_grant", 70008);
  });

  it("50011 redirect URI mismatch: an error page at /authorize (no redirect) and invalid_grant-style error at redemption", async () => {
    const url = `${emu.loginUrl}/${TEST.contosoId}/oauth2/v2.0/authorize?client_id=${TEST.providerClientId}&response_type=code&redirect_uri=${encodeURIComponent("http://localhost:3001/callback")}&scope=User.Read`;
    const page = await fetch(url, { redirect: "manual" });
    expect(page.status).toBe(400);
    expect(page.headers.get("location")).toBeNull();
    expect(await page.text()).toContain('data-error-code="50011"');

    const run = await authorizeWithArmedUser(emu, { tenant: TEST.contosoId, user: TEST.admin });
    expectAadError(await redeemToken(run.code!, run.verifier, "http://localhost:3000/other"), 400, "invalid_request", 50011);
  });

  it("700082 refresh token inactive for 90 days (seeded stale token), surfaced by msal-node as errorNo", async () => {
    const res = await postForm(tokenUrl(TEST.contosoId), {
      grant_type: "refresh_token",
      client_id: TEST.providerClientId,
      client_secret: TEST.providerSecret,
      refresh_token: TEST.staleRefreshToken,
      scope: `${emu.graphUrl}/User.Read`,
    });
    expectAadError(res, 400, "invalid_grant", 700082);
    const error = await providerClient(emu, TEST.contosoId)
      .acquireTokenByRefreshToken({ refreshToken: TEST.staleRefreshToken, scopes: [`${emu.graphUrl}/User.Read`] })
      .catch((e: unknown) => e);
    expect((error as ServerError).errorCode).toBe("invalid_grant");
    expect(Number((error as ServerError).errorNo)).toBe(700082);
  });

  it("700082 after 90 days of inactivity for an issued token", async () => {
    const login = await ropc(TEST.contosoId, TEST.reader);
    emu.state.advanceClock(91 * 24 * 3600);
    const res = await postForm(tokenUrl(TEST.contosoId), {
      grant_type: "refresh_token",
      client_id: TEST.providerClientId,
      client_secret: TEST.providerSecret,
      refresh_token: String(login.json.refresh_token),
      scope: `${emu.graphUrl}/User.Read`,
    });
    expectAadError(res, 400, "invalid_grant", 700082);
  });

  it("50173 refresh token revoked, by an admin revoke and by a password reset", async () => {
    const first = await ropc(TEST.contosoId, TEST.reader);
    emu.state.advanceClock(1);
    emu.state.revokeUserRefreshTokens(TEST.reader);
    const refresh = (token: unknown) =>
      postForm(tokenUrl(TEST.contosoId), {
        grant_type: "refresh_token",
        client_id: TEST.providerClientId,
        client_secret: TEST.providerSecret,
        refresh_token: String(token),
        scope: `${emu.graphUrl}/User.Read`,
      });
    expectAadError(await refresh(first.json.refresh_token), 400, "invalid_grant", 50173);

    emu.state.advanceClock(1);
    const second = await ropc(TEST.contosoId, TEST.reader);
    emu.state.advanceClock(1);
    emu.state.changePassword(TEST.reader, "N3w-password!");
    expectAadError(await refresh(second.json.refresh_token), 400, "invalid_grant", 50173);
  });

  it("65001 when consent is revoked before a refresh", async () => {
    const login = await ropc(TEST.contosoId, TEST.reader);
    emu.state.revokeConsent(TEST.contosoId, TEST.providerClientId);
    const res = await postForm(tokenUrl(TEST.contosoId), {
      grant_type: "refresh_token",
      client_id: TEST.providerClientId,
      client_secret: TEST.providerSecret,
      refresh_token: String(login.json.refresh_token),
      scope: `${emu.graphUrl}/User.Read`,
    });
    expectAadError(res, 400, "invalid_grant", 65001);
  });

  it("53003 and 65004 as authorize redirects", async () => {
    const blocked = await authorizeWithArmedUser(emu, { tenant: TEST.contosoId, user: TEST.blocked });
    expect(blocked.location.searchParams.get("error")).toBe("access_denied");
    expect(blocked.location.searchParams.get("error_description")).toMatch(/^AADSTS53003:/);
    const declined = await authorizeWithArmedUser(emu, { tenant: TEST.contosoId, user: TEST.admin, decision: "cancel" });
    expect(declined.location.searchParams.get("error")).toBe("access_denied");
    expect(declined.location.searchParams.get("error_description")).toMatch(/^AADSTS65004:/);
    expect(declined.location.searchParams.get("state")).toBe("test-state");
  });
});

describe("admin consent", () => {
  const consentUrl = (tenant: string, version: "v1" | "v2" = "v2") =>
    version === "v2"
      ? `${emu.loginUrl}/${tenant}/v2.0/adminconsent?client_id=${TEST.providerClientId}&scope=${encodeURIComponent(`${emu.graphUrl}/.default`)}&redirect_uri=${encodeURIComponent(TEST.redirectUri)}&state=s1`
      : `${emu.loginUrl}/${tenant}/adminconsent?client_id=${TEST.providerClientId}&redirect_uri=${encodeURIComponent(TEST.redirectUri)}&state=s1`;

  async function location(url: string): Promise<URL> {
    const res = await fetch(url, { redirect: "manual" });
    expect(res.status).toBe(302);
    return new URL(res.headers.get("location")!);
  }

  it("redirects with admin_consent=True, tenant, scope and state on success, and then client credentials work", async () => {
    emu.state.armInteraction({ user: TEST.fabrikamAdmin, decision: "accept" });
    const loc = await location(consentUrl(TEST.fabrikamDomain));
    expect(loc.searchParams.get("admin_consent")).toBe("True");
    expect(loc.searchParams.get("tenant")).toBe(TEST.fabrikamId);
    expect(loc.searchParams.get("state")).toBe("s1");
    expect(loc.searchParams.get("scope")).toContain(`${emu.graphUrl}/Organization.Read.All`);
    expect(loc.searchParams.get("error")).toBeNull();
    expect((await clientCredentials(TEST.fabrikamId, TEST.providerSecret)).status).toBe(200);
  });

  it("redirects with error, error_description (AADSTS65004) and state but no tenant on Cancel", async () => {
    emu.state.armInteraction({ user: TEST.fabrikamAdmin, decision: "cancel" });
    const loc = await location(consentUrl(TEST.fabrikamId));
    expect(loc.searchParams.get("error")).toBe("access_denied");
    expect(loc.searchParams.get("error_description")).toMatch(/^AADSTS65004:/);
    expect(loc.searchParams.get("state")).toBe("s1");
    expect(loc.searchParams.has("tenant")).toBe(false);
  });

  it("v1 /adminconsent accepts common and reports permission_denied on Cancel", async () => {
    emu.state.armInteraction({ user: TEST.fabrikamAdmin, decision: "accept" });
    const ok = await location(consentUrl("common", "v1"));
    expect(ok.searchParams.get("tenant")).toBe(TEST.fabrikamId);
    expect(ok.searchParams.get("admin_consent")).toBe("True");
    emu.state.armInteraction({ user: TEST.fabrikamAdmin, decision: "cancel" });
    const cancelled = await location(consentUrl("common", "v1"));
    expect(cancelled.searchParams.get("error")).toBe("permission_denied");
    expect(cancelled.searchParams.has("tenant")).toBe(false);
  });

  it("rejects a user from another directory with access_denied (50020)", async () => {
    emu.state.armInteraction({ user: TEST.admin, decision: "accept" });
    const loc = await location(consentUrl(TEST.fabrikamId));
    expect(loc.searchParams.get("error")).toBe("access_denied");
    expect(loc.searchParams.get("error_description")).toMatch(/^AADSTS50020:/);
  });
});
