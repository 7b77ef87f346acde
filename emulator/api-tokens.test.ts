import { ConfidentialClientApplication } from "@azure/msal-node";
import { createRemoteJWKSet, decodeProtectedHeader, errors, jwtVerify } from "jose";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { parseScenario, type RunningEmulator } from "./index.js";
import { buildTestScenario, decodeJwtPayload, postForm, startTestEmulator, TEST, TEST_API } from "./testing/index.js";

/**
 * Access tokens for an organisation's own API (a tenant app registration with identifierUris and appRoles),
 * obtained the way the console's REST API clients will: msal-node client credentials.
 */

let emu: RunningEmulator;

beforeAll(async () => {
  emu = await startTestEmulator();
});
afterAll(async () => {
  await emu?.close();
});
beforeEach(() => {
  emu.state.reset();
});

const HOME = TEST_API.tenantId;

function client(clientId: string, clientSecret: string, tenant: string = HOME) {
  return new ConfidentialClientApplication({
    auth: { clientId, clientSecret, authority: `${emu.loginUrl}/${tenant}`, knownAuthorities: [emu.authorityHost] },
  });
}

async function apiToken(clientId: string, clientSecret: string, scope: string = `${TEST_API.identifierUri}/.default`): Promise<string> {
  const result = await client(clientId, clientSecret).acquireTokenByClientCredential({ scopes: [scope], skipCache: true });
  if (!result?.accessToken) throw new Error("no access token");
  return result.accessToken;
}

const adminToken = (scope?: string) => apiToken(TEST_API.adminClientId, TEST_API.adminSecret, scope);

/** What the console's REST API does: the tenant's published JWKS, exact issuer and audience, RS256 only. */
function verify(token: string, options: { issuer: string; audience: string; keys?: "v1" | "v2" }) {
  const path = options.keys === "v1" ? "discovery/keys" : "discovery/v2.0/keys";
  const jwks = createRemoteJWKSet(new URL(`${emu.loginUrl}/${HOME}/${path}`));
  return jwtVerify(token, jwks, { issuer: options.issuer, audience: options.audience, algorithms: ["RS256"], requiredClaims: ["tid", "oid", "iat", "nbf", "exp"] });
}

const v1Issuer = () => `${emu.loginUrl}/${HOME}/`;
const v2Issuer = () => `${emu.loginUrl}/${HOME}/v2.0`;

describe("v1.0 API tokens (accessTokenAcceptedVersion null/1)", () => {
  it("carries Microsoft's v1.0 app-only claims and the assigned role, from scope api://<appId>/.default", async () => {
    const token = await adminToken();
    const claims = decodeJwtPayload(token);
    const spId = emu.state.servicePrincipalId(HOME, TEST_API.adminClientId);
    expect(claims).toMatchObject({
      aud: TEST_API.identifierUri,
      iss: v1Issuer(),
      idp: v1Issuer(),
      ver: "1.0",
      tid: HOME,
      oid: spId,
      sub: spId,
      appid: TEST_API.adminClientId,
      appidacr: "1",
      idtyp: "app",
      roles: ["Administrator"],
    });
    expect(claims.azp).toBeUndefined();
    expect(claims.scp).toBeUndefined();
    const now = emu.state.clock.nowSeconds();
    expect(claims.iat).toBeGreaterThanOrEqual(now - 5);
    expect(claims.nbf).toBe(claims.iat);
    expect(claims.exp).toBe((claims.iat as number) + 3599);
  });

  it("is RS256 with kid (and the legacy x5t) naming a key published in the tenant's JWKS", async () => {
    const token = await adminToken();
    const header = decodeProtectedHeader(token);
    expect(header).toMatchObject({ alg: "RS256", typ: "JWT" });
    expect(header.x5t).toBe(header.kid);
    const keys = (await (await fetch(`${emu.loginUrl}/${HOME}/discovery/v2.0/keys`)).json()) as { keys: { kid: string }[] };
    expect(keys.keys.map((k) => k.kid)).toContain(header.kid);
    const { payload } = await verify(token, { issuer: v1Issuer(), audience: TEST_API.identifierUri });
    expect(payload.roles).toEqual(["Administrator"]);
    // The v1 JWKS URI serves the same keys.
    await verify(token, { issuer: v1Issuer(), audience: TEST_API.identifierUri, keys: "v1" });
  });

  it("uses the v1 discovery document's issuer", async () => {
    const doc = (await (await fetch(`${emu.loginUrl}/${HOME}/.well-known/openid-configuration`)).json()) as { issuer: string };
    expect(doc.issuer).toBe(v1Issuer());
    expect(decodeJwtPayload(await adminToken()).iss).toBe(doc.issuer);
  });

  it("has aud = the client id when the client names the API by client id (<appId>/.default)", async () => {
    const token = await adminToken(`${TEST_API.apiAppId}/.default`);
    expect(decodeJwtPayload(token).aud).toBe(TEST_API.apiAppId);
    await verify(token, { issuer: v1Issuer(), audience: TEST_API.apiAppId });
  });

  it("is served by the v1 endpoint for resource=<identifier URI>, with the v1 envelope", async () => {
    const res = await postForm(`${emu.loginUrl}/${HOME}/oauth2/token`, {
      grant_type: "client_credentials",
      client_id: TEST_API.operatorClientId,
      client_secret: TEST_API.operatorSecret,
      resource: TEST_API.identifierUri,
    });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ token_type: "Bearer", expires_in: "3599", resource: TEST_API.identifierUri });
    const claims = decodeJwtPayload(String(res.json.access_token));
    expect(claims).toMatchObject({ aud: TEST_API.identifierUri, ver: "1.0", appid: TEST_API.operatorClientId, roles: ["Operator"] });
  });

  it("gives each client its assigned role and omits roles when there is none", async () => {
    expect(decodeJwtPayload(await apiToken(TEST_API.operatorClientId, TEST_API.operatorSecret)).roles).toEqual(["Operator"]);
    expect(decodeJwtPayload(await apiToken(TEST_API.viewerClientId, TEST_API.viewerSecret)).roles).toEqual(["Viewer"]);
    const noRole = decodeJwtPayload(await apiToken(TEST_API.noRoleClientId, TEST_API.noRoleSecret));
    expect(noRole).not.toHaveProperty("roles");
    expect(noRole.appid).toBe(TEST_API.noRoleClientId);
  });
});

describe("v2.0 API tokens (accessTokenAcceptedVersion 2)", () => {
  it("has aud = the API's client id, the v2 issuer, azp/azpacr and no x5t, whichever name was requested", async () => {
    for (const scope of [`${TEST_API.v2IdentifierUri}/.default`, `${TEST_API.v2ApiAppId}/.default`]) {
      const token = await adminToken(scope);
      const claims = decodeJwtPayload(token);
      const spId = emu.state.servicePrincipalId(HOME, TEST_API.adminClientId);
      expect(claims).toMatchObject({ aud: TEST_API.v2ApiAppId, iss: v2Issuer(), ver: "2.0", tid: HOME, oid: spId, sub: spId, azp: TEST_API.adminClientId, azpacr: "1", idtyp: "app", roles: ["Administrator"] });
      expect(claims.appid).toBeUndefined();
      expect(claims.appidacr).toBeUndefined();
      expect(decodeProtectedHeader(token).x5t).toBeUndefined();
      await verify(token, { issuer: v2Issuer(), audience: TEST_API.v2ApiAppId });
    }
  });

  it("follows the API's accepted version, not the endpoint: the v1 endpoint returns a v2.0 token", async () => {
    const res = await postForm(`${emu.loginUrl}/${HOME}/oauth2/token`, {
      grant_type: "client_credentials",
      client_id: TEST_API.adminClientId,
      client_secret: TEST_API.adminSecret,
      resource: TEST_API.v2IdentifierUri,
    });
    expect(res.status).toBe(200);
    expect(res.json.resource).toBe(TEST_API.v2IdentifierUri);
    expect(decodeJwtPayload(String(res.json.access_token))).toMatchObject({ aud: TEST_API.v2ApiAppId, ver: "2.0", iss: v2Issuer() });
  });

  it("uses the v2 discovery document's issuer", async () => {
    const doc = (await (await fetch(`${emu.loginUrl}/${HOME}/v2.0/.well-known/openid-configuration`)).json()) as { issuer: string };
    expect(decodeJwtPayload(await adminToken(`${TEST_API.v2IdentifierUri}/.default`)).iss).toBe(doc.issuer);
  });

  it("omits roles for a client without an assignment on this API", async () => {
    const claims = decodeJwtPayload(await apiToken(TEST_API.viewerClientId, TEST_API.viewerSecret, `${TEST_API.v2IdentifierUri}/.default`));
    expect(claims).not.toHaveProperty("roles");
  });
});

describe("app role assignments", () => {
  it("never puts a User-only role in an app-only token", () => {
    const api = emu.state.findApp(TEST_API.apiAppId)!.registration!;
    api.appRoleAssignments.push({ clientAppId: TEST_API.noRoleClientId, roles: ["Auditor"] });
    expect(emu.state.appRolesFor(api, TEST_API.noRoleClientId)).toEqual([]);
  });

  it("can be changed at runtime through the control API, including for the provider app", async () => {
    const provider = () => apiToken(TEST.providerClientId, TEST.providerSecret);
    expect(decodeJwtPayload(await provider())).not.toHaveProperty("roles");
    await expect(emu.control.setAppRoleAssignment(TEST_API.apiAppId, TEST.providerClientId, ["Viewer", "Operator"])).resolves.toMatchObject({ roles: ["Operator", "Viewer"] });
    expect(decodeJwtPayload(await provider()).roles).toEqual(["Operator", "Viewer"]);
    await emu.control.setAppRoleAssignment(TEST_API.apiAppId, TEST_API.adminClientId, []);
    expect(decodeJwtPayload(await adminToken())).not.toHaveProperty("roles");
  });

  it("rejects unknown roles, User-only roles and clients of other tenants", async () => {
    await expect(emu.control.setAppRoleAssignment(TEST_API.apiAppId, TEST_API.viewerClientId, ["Owner"])).rejects.toThrow(/400/);
    await expect(emu.control.setAppRoleAssignment(TEST_API.apiAppId, TEST_API.viewerClientId, ["Auditor"])).rejects.toThrow(/Application/);
    await expect(emu.control.setAppRoleAssignment(TEST_API.apiAppId, TEST.tailspinAppId, ["Viewer"])).rejects.toThrow(/another tenant/);
  });

  it("is validated when a scenario loads", () => {
    const withApi = (mutate: (apps: Record<string, unknown>[]) => void) => {
      const scenario = buildTestScenario();
      mutate(scenario.tenants.find((t) => t.id === HOME)!.appRegistrations as Record<string, unknown>[]);
      return () => parseScenario(scenario);
    };
    expect(withApi(() => {})).not.toThrow();
    expect(withApi((apps) => (apps[0]!.appRoleAssignments = [{ clientAppId: TEST_API.viewerClientId, roles: ["Owner"] }]))).toThrow(/no app role with value 'Owner'/);
    expect(withApi((apps) => (apps[0]!.appRoleAssignments = [{ clientAppId: TEST_API.viewerClientId, roles: ["Auditor"] }]))).toThrow(/does not allow member type Application/);
    expect(withApi((apps) => (apps[0]!.appRoleAssignments = [{ clientAppId: TEST.tailspinAppId, roles: ["Viewer"] }]))).toThrow(/neither an app registration/);
    expect(withApi((apps) => (apps[1]!.identifierUris = [TEST_API.identifierUri]))).toThrow(/already used/);
  });
});

describe("errors", () => {
  const cc = (tenant: string, fields: Record<string, string>, version: "v1" | "v2" = "v2") =>
    postForm(`${emu.loginUrl}/${tenant}/oauth2/${version === "v2" ? "v2.0/" : ""}token`, { grant_type: "client_credentials", client_id: TEST_API.adminClientId, client_secret: TEST_API.adminSecret, ...fields });

  it("unknown resource → invalid_resource AADSTS500011 (v2 and v1, and through msal-node)", async () => {
    const v2 = await cc(HOME, { scope: "api://00000000-0000-4000-8000-00000000dead/.default" });
    expect(v2.status).toBe(400);
    expect(v2.json).toMatchObject({ error: "invalid_resource", error_codes: [500011] });
    const v1 = await cc(HOME, { resource: "api://unknown-api" }, "v1");
    expect(v1.json).toMatchObject({ error: "invalid_resource", error_codes: [500011] });
    await expect(adminToken("api://unknown-api/.default")).rejects.toMatchObject({ errorCode: "invalid_resource", errorMessage: expect.stringContaining("AADSTS500011") });
  });

  it("an API of another tenant is not found (500011) even for a client present in both", async () => {
    const res = await postForm(`${emu.loginUrl}/${TEST.contosoId}/oauth2/v2.0/token`, {
      grant_type: "client_credentials",
      client_id: TEST.providerClientId,
      client_secret: TEST.providerSecret,
      scope: `${TEST_API.identifierUri}/.default`,
    });
    expect(res.json).toMatchObject({ error: "invalid_resource", error_codes: [500011] });
  });

  it("a client registered in another tenant is not in the API's tenant (700016)", async () => {
    const res = await postForm(`${emu.loginUrl}/${HOME}/oauth2/v2.0/token`, {
      grant_type: "client_credentials",
      client_id: TEST.tailspinAppId,
      client_secret: TEST.tailspinSecret,
      scope: `${TEST_API.identifierUri}/.default`,
    });
    expect(res.json).toMatchObject({ error: "unauthorized_client", error_codes: [700016] });
  });

  it("a scope without /.default → invalid_scope AADSTS1002012", async () => {
    const res = await cc(HOME, { scope: `${TEST_API.identifierUri}/Administrator` });
    expect(res.json).toMatchObject({ error: "invalid_scope", error_codes: [1002012] });
  });

  it("API tokens are not Graph tokens: Graph answers 401", async () => {
    const response = await fetch(`${emu.graphUrl}/v1.0/organization`, { headers: { Authorization: `Bearer ${await adminToken()}` } });
    expect(response.status).toBe(401);
  });
});

describe("clock", () => {
  it("moved back two hours gives a token that is expired for a verifier on real time", async () => {
    await expect(emu.control.advanceClock(-2 * 3600)).resolves.toMatchObject({ offsetSeconds: -7200 });
    const token = await adminToken();
    expect(decodeJwtPayload(token).exp).toBeLessThan(Date.now() / 1000 - 3500);
    await expect(verify(token, { issuer: v1Issuer(), audience: TEST_API.identifierUri })).rejects.toBeInstanceOf(errors.JWTExpired);
  });

  it("moved forward gives a token that is not yet valid; setClock sets an offset or an instant", async () => {
    await emu.control.setClock({ offsetSeconds: 2 * 3600 });
    const future = await adminToken();
    await expect(verify(future, { issuer: v1Issuer(), audience: TEST_API.identifierUri })).rejects.toMatchObject({ code: "ERR_JWT_CLAIM_VALIDATION_FAILED", claim: "nbf" });

    const then = new Date(Date.now() - 86_400_000).toISOString();
    const set = await emu.control.setClock({ now: then });
    expect(Math.abs(Date.parse(set.now) - Date.parse(then))).toBeLessThan(5000);
    expect(Math.round(set.offsetSeconds)).toBe(-86_400);

    await emu.control.setClock({ offsetSeconds: 0 });
    await expect(verify(await adminToken(), { issuer: v1Issuer(), audience: TEST_API.identifierUri })).resolves.toBeTruthy();
    await expect(emu.control.setClock({})).rejects.toThrow(/exactly one/);
  });
});

describe("Graph view of the API registration", () => {
  it("/applications(appId=…) shows identifierUris, appRoles and requestedAccessTokenVersion", async () => {
    const result = await client(TEST.providerClientId, TEST.providerSecret).acquireTokenByClientCredential({ scopes: [`${emu.graphUrl}/.default`], skipCache: true });
    const response = await fetch(`${emu.graphUrl}/v1.0/applications(appId='${TEST_API.v2ApiAppId}')`, { headers: { Authorization: `Bearer ${result!.accessToken}` } });
    const body = (await response.json()) as { identifierUris: string[]; appRoles: { value: string; allowedMemberTypes: string[] }[]; api: { requestedAccessTokenVersion: number | null } };
    expect(body.identifierUris).toEqual([TEST_API.v2IdentifierUri]);
    expect(body.appRoles.map((r) => r.value)).toEqual(["Administrator", "Operator", "Viewer", "Auditor"]);
    expect(body.api.requestedAccessTokenVersion).toBe(2);
  });
});
