import { describe, expect, it } from "vitest";
import type { RunningEmulator } from "./index.js";
import { authorizeWithArmedUser, decodeJwtPayload, postForm, providerClient, TEST } from "./testing/index.js";
import { withTestEmulator } from "./testing/vitest-hooks.js";

let emu: RunningEmulator;

withTestEmulator((e) => (emu = e));

describe("authorization code + PKCE", () => {
  it("redeems a code through msal-node and returns an account, ID token with nonce and delegated Graph token", async () => {
    const run = await authorizeWithArmedUser(emu, { tenant: TEST.contosoId, user: TEST.admin });
    expect(run.location.origin + run.location.pathname).toBe(TEST.redirectUri);
    expect(run.location.searchParams.get("state")).toBe("test-state");
    expect(run.code).toBeTruthy();

    const client = providerClient(emu, TEST.contosoId);
    const result = await client.acquireTokenByCode({
      code: run.code!,
      redirectUri: TEST.redirectUri,
      scopes: [`${emu.graphUrl}/User.Read`],
      codeVerifier: run.verifier,
      nonce: "test-nonce",
    });
    expect(result.account?.homeAccountId).toBe(`eeeeeeee-0000-4000-8000-000000000002.${TEST.contosoId}`);
    expect(result.account?.username).toBe(TEST.admin);
    expect(result.idTokenClaims).toMatchObject({
      nonce: "test-nonce",
      iss: `${emu.loginUrl}/${TEST.contosoId}/v2.0`,
      aud: TEST.providerClientId,
      ver: "2.0",
      tid: TEST.contosoId,
    });
    const access = decodeJwtPayload(result.accessToken);
    expect(access).toMatchObject({ aud: emu.graphUrl, ver: "1.0", idtyp: "user", scp: "User.Read", upn: TEST.admin });

    const me = await fetch(`${emu.graphUrl}/v1.0/me`, { headers: { Authorization: `Bearer ${result.accessToken}` } });
    expect(me.status).toBe(200);
    expect(((await me.json()) as { userPrincipalName: string }).userPrincipalName).toBe(TEST.admin);
  });

  it("signs in through organizations and issues the code for the user's own tenant", async () => {
    const run = await authorizeWithArmedUser(emu, { tenant: "organizations", user: TEST.admin });
    const result = await providerClient(emu, "organizations").acquireTokenByCode({
      code: run.code!,
      redirectUri: TEST.redirectUri,
      scopes: [`${emu.graphUrl}/User.Read`],
      codeVerifier: run.verifier,
      nonce: "test-nonce",
    });
    expect(result.tenantId).toBe(TEST.contosoId);
  });

  it("requires the MFA code for MFA users and marks amr", async () => {
    const wrong = await authorizeWithArmedUser(emu, { tenant: TEST.contosoId, user: TEST.mfaAdmin, mfaCode: "000000" }).catch((e: Error) => e);
    expect(wrong).toBeInstanceOf(Error);
    const run = await authorizeWithArmedUser(emu, { tenant: TEST.contosoId, user: TEST.mfaAdmin, mfaCode: "654321" });
    const result = await providerClient(emu, TEST.contosoId).acquireTokenByCode({
      code: run.code!,
      redirectUri: TEST.redirectUri,
      scopes: [`${emu.graphUrl}/User.Read`],
      codeVerifier: run.verifier,
      nonce: "test-nonce",
    });
    expect(decodeJwtPayload(result.accessToken).amr).toEqual(["pwd", "mfa"]);
  });

  it("supports response_mode=form_post", async () => {
    emu.state.armInteraction({ user: TEST.admin, decision: "accept" });
    const url = await providerClient(emu, TEST.contosoId).getAuthCodeUrl({
      scopes: ["User.Read"],
      redirectUri: TEST.redirectUri,
      responseMode: "form_post" as never,
    });
    const response = await fetch(url, { redirect: "manual" });
    expect(response.status).toBe(200);
    const html = await response.text();
    expect(html).toContain(`action="${TEST.redirectUri}"`);
    expect(html).toMatch(/name="code" value="[^"]+"/);
  });
});

describe("silent refresh", () => {
  it("refreshes with acquireTokenSilent(forceRefresh) and rotates the refresh token", async () => {
    const run = await authorizeWithArmedUser(emu, { tenant: TEST.contosoId, user: TEST.admin });
    const client = providerClient(emu, TEST.contosoId);
    const first = await client.acquireTokenByCode({
      code: run.code!,
      redirectUri: TEST.redirectUri,
      scopes: [`${emu.graphUrl}/User.Read`],
      codeVerifier: run.verifier,
      nonce: "test-nonce",
    });
    const tokensBefore = emu.state.refreshTokens.size;
    emu.state.resetCounters();
    const refreshed = await client.acquireTokenSilent({ account: first.account!, scopes: [`${emu.graphUrl}/User.Read`], forceRefresh: true });
    expect(refreshed.accessToken).not.toBe(first.accessToken);
    expect(emu.state.getCounters().endpoints.token).toBe(1);
    expect(emu.state.refreshTokens.size).toBe(tokensBefore + 1);
  });

  it("keeps an actively used refresh token alive past 90 days since issue", async () => {
    const run = await authorizeWithArmedUser(emu, { tenant: TEST.contosoId, user: TEST.admin });
    const redeem = await postForm(`${emu.loginUrl}/${TEST.contosoId}/oauth2/v2.0/token`, {
      grant_type: "authorization_code",
      client_id: TEST.providerClientId,
      client_secret: TEST.providerSecret,
      code: run.code!,
      redirect_uri: TEST.redirectUri,
      code_verifier: run.verifier,
      scope: `${emu.graphUrl}/User.Read offline_access`,
    });
    let refreshToken = String(redeem.json.refresh_token);
    for (let i = 0; i < 3; i++) {
      emu.state.advanceClock(60 * 24 * 3600);
      const res = await postForm(`${emu.loginUrl}/${TEST.contosoId}/oauth2/v2.0/token`, {
        grant_type: "refresh_token",
        client_id: TEST.providerClientId,
        client_secret: TEST.providerSecret,
        refresh_token: refreshToken,
        scope: `${emu.graphUrl}/User.Read offline_access`,
      });
      expect(res.status).toBe(200);
      refreshToken = String(res.json.refresh_token);
    }
  });
});

describe("ROPC", () => {
  it("acquires a delegated token by username and password through msal-node", async () => {
    const result = await providerClient(emu, TEST.contosoId).acquireTokenByUsernamePassword({
      username: TEST.reader,
      password: TEST.password,
      scopes: [`${emu.graphUrl}/User.Read`],
    });
    expect(result?.account?.username).toBe(TEST.reader);
    expect(decodeJwtPayload(result!.accessToken)).toMatchObject({ scp: "User.Read", amr: ["pwd"] });
  });

  it("rejects common as the ROPC tenant", async () => {
    const res = await postForm(`${emu.loginUrl}/common/oauth2/v2.0/token`, {
      grant_type: "password",
      client_id: TEST.providerClientId,
      client_secret: TEST.providerSecret,
      username: TEST.reader,
      password: TEST.password,
      scope: "User.Read",
    });
    expect(res.json.error).toBe("invalid_request");
  });
});

describe("v1 user tokens", () => {
  it("returns resource, string numbers, refresh and ID tokens for a v1 password grant", async () => {
    const res = await postForm(`${emu.loginUrl}/${TEST.contosoId}/oauth2/token`, {
      grant_type: "password",
      client_id: TEST.providerClientId,
      client_secret: TEST.providerSecret,
      username: TEST.reader,
      password: TEST.password,
      resource: emu.graphUrl,
    });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ token_type: "Bearer", expires_in: "3599", resource: emu.graphUrl });
    expect(res.json.refresh_token).toBeTruthy();
    expect(decodeJwtPayload(String(res.json.id_token)).ver).toBe("1.0");
  });
});
