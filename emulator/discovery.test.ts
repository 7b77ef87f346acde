import * as oauth from "oauth4webapi";
import { createPublicKey, verify } from "node:crypto";
import { describe, expect, it } from "vitest";
import type { RunningEmulator } from "./index.js";
import { decodeJwtPayload, postForm, providerClient, TEST } from "./testing/index.js";
import { withTestEmulator } from "./testing/vitest-hooks.js";

let emu: RunningEmulator;

withTestEmulator((e) => (emu = e));

describe("OpenID discovery", () => {
  it("passes oauth4webapi's (Auth.js) discovery and exact issuer check for a tenant GUID", async () => {
    const issuer = new URL(`${emu.loginUrl}/${TEST.contosoId}/v2.0`);
    const response = await oauth.discoveryRequest(issuer, { algorithm: "oidc" });
    const as = await oauth.processDiscoveryResponse(issuer, response);
    expect(as.issuer).toBe(issuer.href);
    expect(as.token_endpoint).toBe(`${emu.loginUrl}/${TEST.contosoId}/oauth2/v2.0/token`);
    expect(as.authorization_endpoint).toBe(`${emu.loginUrl}/${TEST.contosoId}/oauth2/v2.0/authorize`);
  });

  it("completes an Auth.js-style code flow with oauth4webapi: Basic client auth, PKCE, nonce and ID token checks", async () => {
    const issuer = new URL(`${emu.loginUrl}/${TEST.contosoId}/v2.0`);
    const as = await oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, { algorithm: "oidc" }));
    const client: oauth.Client = { client_id: TEST.providerClientId };
    const verifier = oauth.generateRandomCodeVerifier();
    const nonce = oauth.generateRandomNonce();
    const authorize = new URL(as.authorization_endpoint!);
    authorize.search = new URLSearchParams({
      client_id: client.client_id,
      response_type: "code",
      redirect_uri: TEST.redirectUri,
      scope: "openid profile email offline_access",
      state: "st",
      nonce,
      code_challenge: await oauth.calculatePKCECodeChallenge(verifier),
      code_challenge_method: "S256",
    }).toString();
    emu.state.armInteraction({ user: TEST.admin, decision: "accept" });
    const redirect = await fetch(authorize, { redirect: "manual" });
    const params = oauth.validateAuthResponse(as, client, new URL(redirect.headers.get("location")!), "st");
    const response = await oauth.authorizationCodeGrantRequest(as, client, oauth.ClientSecretBasic(TEST.providerSecret), params, TEST.redirectUri, verifier);
    const result = await oauth.processAuthorizationCodeResponse(as, client, response, { expectedNonce: nonce, requireIdToken: true });
    const claims = oauth.getValidatedIdTokenClaims(result)!;
    expect(claims.iss).toBe(issuer.href);
    expect(claims.preferred_username).toBe(TEST.admin);
    expect(result.refresh_token).toBeTruthy();
  });

  it("puts the tenant GUID everywhere for a domain segment and carries msgraph_host", async () => {
    const doc = (await (await fetch(`${emu.loginUrl}/${TEST.contosoDomain}/v2.0/.well-known/openid-configuration`)).json()) as Record<string, string>;
    expect(doc.issuer).toBe(`${emu.loginUrl}/${TEST.contosoId}/v2.0`);
    expect(doc.jwks_uri).toBe(`${emu.loginUrl}/${TEST.contosoId}/discovery/v2.0/keys`);
    expect(doc.msgraph_host).toBe(emu.graphHost);
    expect(doc.cloud_instance_name).toBeTruthy();
  });

  it("keeps {tenantid} in the issuer of organizations/common documents, and serves v1 documents", async () => {
    const orgs = (await (await fetch(`${emu.loginUrl}/organizations/v2.0/.well-known/openid-configuration`)).json()) as Record<string, string>;
    expect(orgs.issuer).toBe(`${emu.loginUrl}/{tenantid}/v2.0`);
    expect(orgs.token_endpoint).toBe(`${emu.loginUrl}/organizations/oauth2/v2.0/token`);
    const v1 = (await (await fetch(`${emu.loginUrl}/${TEST.contosoId}/.well-known/openid-configuration`)).json()) as Record<string, unknown>;
    expect(v1.issuer).toBe(`${emu.loginUrl}/${TEST.contosoId}/`);
    expect(v1.token_endpoint).toBe(`${emu.loginUrl}/${TEST.contosoId}/oauth2/token`);
    expect(v1.microsoft_multi_refresh_token).toBe(true);
  });

  it("answers instance discovery with the emulator host among the aliases", async () => {
    const res = await fetch(
      `${emu.loginUrl}/common/discovery/instance?api-version=1.1&authorization_endpoint=${encodeURIComponent(`${emu.loginUrl}/common/oauth2/v2.0/authorize`)}`,
    );
    const body = (await res.json()) as { metadata: { aliases: string[] }[] };
    expect(body.metadata[0]!.aliases).toContain(emu.authorityHost);
  });

  it("lets msal-node resolve the authority through instance discovery without knownAuthorities", async () => {
    const { ConfidentialClientApplication } = await import("@azure/msal-node");
    const metadata = await (await fetch(`${emu.loginUrl}/common/discovery/instance`)).text();
    const client = new ConfidentialClientApplication({
      auth: {
        clientId: TEST.providerClientId,
        authority: `${emu.loginUrl}/${TEST.contosoId}`,
        clientSecret: TEST.providerSecret,
        cloudDiscoveryMetadata: metadata,
      },
    });
    const result = await client.acquireTokenByClientCredential({ scopes: [`${emu.graphUrl}/.default`] });
    expect(decodeJwtPayload(result!.accessToken).tid).toBe(TEST.contosoId);
  });

  it("counts discovery requests: msal-node fetches metadata once per client and authority", async () => {
    emu.state.resetCounters();
    const client = providerClient(emu, TEST.contosoId);
    await client.acquireTokenByClientCredential({ scopes: [`${emu.graphUrl}/.default`], skipCache: true });
    await client.acquireTokenByClientCredential({ scopes: [`${emu.graphUrl}/.default`], skipCache: true });
    const counters = await emu.control.counters();
    expect(counters.endpoints["discovery:openid"]).toBe(1);
    expect(counters.endpoints.token).toBe(2);
    expect(counters.totals.token).toBe(2);
    expect(counters.totals.discovery).toBe(1);
  });
  it("per-request authorities on one msal-node client share one metadata fetch per host (entra.md A2.8 §3)", async () => {
    emu.state.resetCounters();
    const client = providerClient(emu, TEST.homeTenantId);
    for (const tenant of [TEST.contosoId, TEST.northwindId, TEST.contosoId]) {
      const result = await client.acquireTokenByClientCredential({
        scopes: [`${emu.graphUrl}/.default`],
        authority: `${emu.loginUrl}/${tenant}`,
        skipCache: true,
      });
      expect(decodeJwtPayload(result!.accessToken).tid).toBe(tenant);
    }
    const counters = emu.state.getCounters();
    expect(counters.endpoints.token).toBe(3);
    expect(counters.endpoints["discovery:openid"]).toBe(1);
  });
});

describe("JWKS and key rotation", () => {
  async function keys(): Promise<{ kid: string; x5t: string; n: string; e: string; x5c: string[]; issuer: string; alg?: string }[]> {
    return ((await (await fetch(`${emu.loginUrl}/${TEST.contosoId}/discovery/v2.0/keys`)).json()) as { keys: never[] }).keys;
  }

  it("publishes the signing key with kid = x5t, an issuer template and no alg, and ID tokens verify against it", async () => {
    const published = await keys();
    expect(published[0]!.kid).toBe(published[0]!.x5t);
    expect(published[0]!.alg).toBeUndefined();
    expect(published[0]!.issuer).toBe(`${emu.loginUrl}/{tenantid}/v2.0`);
    const res = await postForm(`${emu.loginUrl}/${TEST.contosoId}/oauth2/v2.0/token`, {
      grant_type: "password",
      client_id: TEST.providerClientId,
      client_secret: TEST.providerSecret,
      username: TEST.reader,
      password: TEST.password,
      scope: "openid User.Read",
    });
    const token = String(res.json.id_token);
    const header = JSON.parse(Buffer.from(token.split(".")[0]!, "base64url").toString()) as { kid: string };
    const jwk = published.find((k) => k.kid === header.kid)!;
    const key = createPublicKey({ key: { kty: "RSA", n: jwk.n, e: jwk.e }, format: "jwk" });
    const [h, p, s] = token.split(".");
    expect(verify("sha256", Buffer.from(`${h}.${p}`), key, Buffer.from(s!, "base64url"))).toBe(true);
  });

  it("does not publish the Graph access-token key, like Microsoft's unverifiable Graph tokens", async () => {
    const res = await postForm(`${emu.loginUrl}/${TEST.contosoId}/oauth2/v2.0/token`, {
      grant_type: "client_credentials",
      client_id: TEST.providerClientId,
      client_secret: TEST.providerSecret,
      scope: `${emu.graphUrl}/.default`,
    });
    const header = JSON.parse(Buffer.from(String(res.json.access_token).split(".")[0]!, "base64url").toString()) as { kid: string; alg: string };
    expect(header.alg).toBe("RS256");
    expect((await keys()).map((k) => k.kid)).not.toContain(header.kid);
  });

  it("rotates: new keys sign new tokens, old keys stay published, and dropOld invalidates old tokens at Graph", async () => {
    const cc = () =>
      postForm(`${emu.loginUrl}/${TEST.contosoId}/oauth2/v2.0/token`, {
        grant_type: "client_credentials",
        client_id: TEST.providerClientId,
        client_secret: TEST.providerSecret,
        scope: `${emu.graphUrl}/.default`,
      });
    const oldToken = String((await cc()).json.access_token);
    const rotated = await emu.control.rotateSigningKeys();
    const kids = (await keys()).map((k) => k.kid);
    expect(kids[0]).toBe(rotated.kid);
    expect(kids).toHaveLength(2);
    const newToken = String((await cc()).json.access_token);
    expect(JSON.parse(Buffer.from(newToken.split(".")[0]!, "base64url").toString()).kid).toBe(emu.state.activeAccessTokenKey.kid);
    const org = (t: string) => fetch(`${emu.graphUrl}/v1.0/organization`, { headers: { Authorization: `Bearer ${t}` } });
    expect((await org(oldToken)).status).toBe(200);
    await emu.control.rotateSigningKeys({ dropOld: true });
    expect((await org(oldToken)).status).toBe(401);
    expect(decodeJwtPayload(newToken).tid).toBe(TEST.contosoId);
  });
});
