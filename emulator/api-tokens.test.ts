import { ConfidentialClientApplication } from "@azure/msal-node";
import { createRemoteJWKSet, decodeProtectedHeader, errors, jwtVerify } from "jose";
import { afterAll, describe, expect, it } from "vitest";
import { parseScenario, type RunningEmulator } from "./index.js";
import { buildTestScenario, decodeJwtPayload, postForm, TEST, TEST_API } from "./testing/index.js";
import { withTestEmulator } from "./testing/vitest-hooks.js";

/**
 * Access tokens for an organisation's own API (a tenant app registration with identifierUris and appRoles),
 * obtained the way the console's REST API clients will: msal-node client credentials.
 */

let emu: RunningEmulator;

withTestEmulator((e) => (emu = e));

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
  return jwtVerify(token, jwks, {
    issuer: options.issuer,
    audience: options.audience,
    algorithms: ["RS256"],
    requiredClaims: ["tid", "oid", "iat", "nbf", "exp"],
  });
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
      expect(claims).toMatchObject({
        aud: TEST_API.v2ApiAppId,
        iss: v2Issuer(),
        ver: "2.0",
        tid: HOME,
        oid: spId,
        sub: spId,
        azp: TEST_API.adminClientId,
        azpacr: "1",
        idtyp: "app",
        roles: ["Administrator"],
      });
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
    await expect(emu.control.setAppRoleAssignment(TEST_API.apiAppId, TEST.providerClientId, ["Viewer", "Operator"])).resolves.toMatchObject({
      roles: ["Operator", "Viewer"],
    });
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
    expect(withApi((apps) => (apps[0]!.appRoleAssignments = [{ clientAppId: TEST_API.viewerClientId, roles: ["Owner"] }]))).toThrow(
      /no app role with value 'Owner'/,
    );
    expect(withApi((apps) => (apps[0]!.appRoleAssignments = [{ clientAppId: TEST_API.viewerClientId, roles: ["Auditor"] }]))).toThrow(
      /does not allow member type Application/,
    );
    expect(withApi((apps) => (apps[0]!.appRoleAssignments = [{ clientAppId: TEST.tailspinAppId, roles: ["Viewer"] }]))).toThrow(/neither an app registration/);
    expect(withApi((apps) => (apps[1]!.identifierUris = [TEST_API.identifierUri]))).toThrow(/already used/);
  });
});

describe("errors", () => {
  const cc = (tenant: string, fields: Record<string, string>, version: "v1" | "v2" = "v2") =>
    postForm(`${emu.loginUrl}/${tenant}/oauth2/${version === "v2" ? "v2.0/" : ""}token`, {
      grant_type: "client_credentials",
      client_id: TEST_API.adminClientId,
      client_secret: TEST_API.adminSecret,
      ...fields,
    });

  it("unknown resource → invalid_resource AADSTS500011 (v2 and v1, and through msal-node)", async () => {
    const v2 = await cc(HOME, { scope: "api://00000000-0000-4000-8000-00000000dead/.default" });
    expect(v2.status).toBe(400);
    expect(v2.json).toMatchObject({ error: "invalid_resource", error_codes: [500011] });
    const v1 = await cc(HOME, { resource: "api://unknown-api" }, "v1");
    expect(v1.json).toMatchObject({ error: "invalid_resource", error_codes: [500011] });
    await expect(adminToken("api://unknown-api/.default")).rejects.toMatchObject({
      errorCode: "invalid_resource",
      errorMessage: expect.stringContaining("AADSTS500011"),
    });
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
    await expect(verify(future, { issuer: v1Issuer(), audience: TEST_API.identifierUri })).rejects.toMatchObject({
      code: "ERR_JWT_CLAIM_VALIDATION_FAILED",
      claim: "nbf",
    });

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
    const result = await client(TEST.providerClientId, TEST.providerSecret).acquireTokenByClientCredential({
      scopes: [`${emu.graphUrl}/.default`],
      skipCache: true,
    });
    const response = await fetch(`${emu.graphUrl}/v1.0/applications(appId='${TEST_API.v2ApiAppId}')`, {
      headers: { Authorization: `Bearer ${result!.accessToken}` },
    });
    const body = (await response.json()) as {
      identifierUris: string[];
      appRoles: { value: string; allowedMemberTypes: string[] }[];
      api: { requestedAccessTokenVersion: number | null };
    };
    expect(body.identifierUris).toEqual([TEST_API.v2IdentifierUri]);
    expect(body.appRoles.map((r) => r.value)).toEqual(["Administrator", "Operator", "Viewer", "Auditor"]);
    expect(body.api.requestedAccessTokenVersion).toBe(2);
  });
});

describe("groups claim (the API's groupMembershipClaims, the client's service principal's groups)", () => {
  const GROUPS = {
    automation: "bbbbbbbb-0000-4000-8000-0000000000a1",
    viewers: "bbbbbbbb-0000-4000-8000-0000000000a2",
    newsletter: "bbbbbbbb-0000-4000-8000-0000000000a3",
    empty: "bbbbbbbb-0000-4000-8000-0000000000a4",
  };
  type Registration = { clientId: string; groupMembershipClaims?: string | null; assignedGroups?: string[] };

  /** The test scenario with groups in the home tenant: the no-role client is in a security group and a distribution list, the viewer client in another security group. */
  function groupScenario(api: { groupMembershipClaims?: string; assignedGroups?: string[]; v2GroupMembershipClaims?: string } = {}) {
    const scenario = buildTestScenario();
    const home = scenario.tenants.find((t) => t.id === HOME)!;
    home.groups = [
      { id: GROUPS.automation, displayName: "Console Automation", servicePrincipalMembers: [TEST_API.noRoleClientId, TEST_API.adminClientId] },
      { id: GROUPS.viewers, displayName: "Console Viewers", servicePrincipalMembers: [TEST_API.viewerClientId] },
      { id: GROUPS.newsletter, displayName: "Newsletter", securityEnabled: false, mailEnabled: true, servicePrincipalMembers: [TEST_API.noRoleClientId] },
      { id: GROUPS.empty, displayName: "Nobody" },
    ];
    const regs = home.appRegistrations as Registration[];
    const v1 = regs.find((r) => r.clientId === TEST_API.apiAppId)!;
    if (api.groupMembershipClaims !== undefined) v1.groupMembershipClaims = api.groupMembershipClaims;
    if (api.assignedGroups) v1.assignedGroups = api.assignedGroups;
    if (api.v2GroupMembershipClaims !== undefined) regs.find((r) => r.clientId === TEST_API.v2ApiAppId)!.groupMembershipClaims = api.v2GroupMembershipClaims;
    return scenario;
  }

  const noRoleClaims = async (scope?: string) => decodeJwtPayload(await apiToken(TEST_API.noRoleClientId, TEST_API.noRoleSecret, scope));

  afterAll(() => {
    emu.state.loadScenario(buildTestScenario());
  });

  it('is absent by default (no groupMembershipClaims) and for "None", even for a client in groups', async () => {
    emu.state.loadScenario(groupScenario());
    expect(await noRoleClaims()).not.toHaveProperty("groups");
    emu.state.loadScenario(groupScenario({ groupMembershipClaims: "None" }));
    expect(await noRoleClaims()).not.toHaveProperty("groups");
  });

  it('"SecurityGroup": the object ids of the client\'s own security groups, in v1.0 and v2.0 tokens, signed like any token', async () => {
    emu.state.loadScenario(groupScenario({ groupMembershipClaims: "SecurityGroup", v2GroupMembershipClaims: "SecurityGroup" }));
    const token = await apiToken(TEST_API.noRoleClientId, TEST_API.noRoleSecret);
    const { payload } = await verify(token, { issuer: v1Issuer(), audience: TEST_API.identifierUri });
    // Not the distribution list, not the viewer client's group; and no roles, as before.
    expect(payload.groups).toEqual([GROUPS.automation]);
    expect(payload).not.toHaveProperty("roles");
    expect(payload).not.toHaveProperty("_claim_names");
    expect(decodeJwtPayload(await apiToken(TEST_API.viewerClientId, TEST_API.viewerSecret))).toMatchObject({ roles: ["Viewer"], groups: [GROUPS.viewers] });
    expect(decodeJwtPayload(await adminToken())).toMatchObject({ roles: ["Administrator"], groups: [GROUPS.automation] });
    // A client in no group gets no claim at all.
    expect(decodeJwtPayload(await apiToken(TEST_API.operatorClientId, TEST_API.operatorSecret))).not.toHaveProperty("groups");

    const v2 = await noRoleClaims(`${TEST_API.v2IdentifierUri}/.default`);
    expect(v2).toMatchObject({ ver: "2.0", azp: TEST_API.noRoleClientId, groups: [GROUPS.automation] });
  });

  it("is set per API: another API without groupMembershipClaims gets no groups for the same client", async () => {
    emu.state.loadScenario(groupScenario({ groupMembershipClaims: "SecurityGroup" }));
    expect((await noRoleClaims()).groups).toEqual([GROUPS.automation]);
    expect(await noRoleClaims(`${TEST_API.v2IdentifierUri}/.default`)).not.toHaveProperty("groups");
  });

  it('"All" adds distribution groups; "ApplicationGroup" keeps only groups assigned to the API; "DirectoryRole" adds nothing for a service principal', async () => {
    emu.state.loadScenario(groupScenario({ groupMembershipClaims: "All" }));
    expect((await noRoleClaims()).groups).toEqual([GROUPS.automation, GROUPS.newsletter]);

    emu.state.loadScenario(groupScenario({ groupMembershipClaims: "ApplicationGroup", assignedGroups: [GROUPS.newsletter, GROUPS.viewers] }));
    expect((await noRoleClaims()).groups).toEqual([GROUPS.newsletter]);
    expect(decodeJwtPayload(await adminToken())).not.toHaveProperty("groups");

    emu.state.loadScenario(groupScenario({ groupMembershipClaims: "SecurityGroup, ApplicationGroup", assignedGroups: [GROUPS.newsletter] }));
    expect((await noRoleClaims()).groups).toEqual([GROUPS.automation, GROUPS.newsletter]);

    emu.state.loadScenario(groupScenario({ groupMembershipClaims: "DirectoryRole" }));
    expect(await noRoleClaims()).not.toHaveProperty("groups");
  });

  it("more than 200 groups: the overage indicator instead of the claim", async () => {
    const scenario = groupScenario({ groupMembershipClaims: "SecurityGroup" });
    const home = scenario.tenants.find((t) => t.id === HOME)!;
    const many = (n: number) =>
      Array.from({ length: n }, (_, i) => ({
        id: `bbbbbbbb-0000-4000-8000-1${String(i).padStart(11, "0")}`,
        displayName: `Bulk ${i}`,
        servicePrincipalMembers: [TEST_API.noRoleClientId],
      }));
    home.groups = many(200);
    emu.state.loadScenario(scenario);
    expect(((await noRoleClaims()).groups as string[]).length).toBe(200);

    home.groups = many(201);
    emu.state.loadScenario(scenario);
    const claims = await noRoleClaims();
    expect(claims).not.toHaveProperty("groups");
    expect(claims._claim_names).toEqual({ groups: "src1" });
    expect(claims._claim_sources).toEqual({ src1: { endpoint: `${emu.graphUrl}/v1.0/servicePrincipals/${claims.oid}/getMemberObjects` } });
  });

  it("membership can be changed at runtime through the control API, including for the provider app", async () => {
    emu.state.loadScenario(groupScenario({ groupMembershipClaims: "SecurityGroup" }));
    await expect(emu.control.setServicePrincipalGroups(HOME, TEST_API.operatorClientId, [GROUPS.viewers, GROUPS.empty])).resolves.toEqual({
      tenantId: HOME,
      clientAppId: TEST_API.operatorClientId,
      groupIds: [GROUPS.viewers, GROUPS.empty],
    });
    expect(decodeJwtPayload(await apiToken(TEST_API.operatorClientId, TEST_API.operatorSecret)).groups).toEqual([GROUPS.viewers, GROUPS.empty]);
    // The other members stay.
    expect(decodeJwtPayload(await apiToken(TEST_API.viewerClientId, TEST_API.viewerSecret)).groups).toEqual([GROUPS.viewers]);

    await emu.control.setServicePrincipalGroups(HOME, TEST_API.noRoleClientId, []);
    expect(await noRoleClaims()).not.toHaveProperty("groups");

    await emu.control.setServicePrincipalGroups(HOME, TEST.providerClientId, [GROUPS.automation]);
    expect(decodeJwtPayload(await apiToken(TEST.providerClientId, TEST.providerSecret)).groups).toEqual([GROUPS.automation]);
  });

  it("the control API rejects unknown groups, clients without a service principal in the tenant and unknown tenants", async () => {
    emu.state.loadScenario(groupScenario());
    await expect(emu.control.setServicePrincipalGroups(HOME, TEST_API.noRoleClientId, ["bbbbbbbb-0000-4000-8000-0000000000ff"])).rejects.toThrow(
      /\(400\).*not a group of tenant/,
    );
    await expect(emu.control.setServicePrincipalGroups(HOME, TEST.tailspinAppId, [GROUPS.automation])).rejects.toThrow(/no service principal in tenant/);
    await expect(emu.control.setServicePrincipalGroups(TEST.fabrikamId, TEST.providerClientId, [])).rejects.toThrow(/no service principal/);
    await expect(emu.control.setServicePrincipalGroups("aaaaaaaa-0000-4000-8000-0000000000ff", TEST_API.noRoleClientId, [])).rejects.toThrow(/\(404\)/);
  });

  it("is validated when a scenario loads", () => {
    const attempt = (mutate: (s: ReturnType<typeof groupScenario>) => void) => {
      const scenario = groupScenario();
      mutate(scenario);
      return () => parseScenario(scenario);
    };
    const home = (s: ReturnType<typeof groupScenario>) => s.tenants.find((t) => t.id === HOME)!;
    const api = (s: ReturnType<typeof groupScenario>) => (home(s).appRegistrations as Registration[])[0]!;
    expect(attempt(() => {})).not.toThrow();
    expect(attempt((s) => (api(s).groupMembershipClaims = "SecurityGroup, All"))).not.toThrow();
    expect(attempt((s) => (api(s).groupMembershipClaims = "securitygroup"))).toThrow(
      /must be one of None, SecurityGroup, DirectoryRole, ApplicationGroup, All/,
    );
    expect(attempt((s) => (api(s).assignedGroups = ["bbbbbbbb-0000-4000-8000-0000000000ff"]))).toThrow(/not a group of tenant/);
    expect(attempt((s) => (home(s).groups![0]!.servicePrincipalMembers = [TEST.tailspinAppId]))).toThrow(/neither an app registration/);
  });

  it("Graph shows groupMembershipClaims on the application and securityEnabled/mailEnabled on groups", async () => {
    emu.state.loadScenario(groupScenario({ groupMembershipClaims: "SecurityGroup" }));
    emu.state.grantConsent(HOME, TEST.providerClientId, { applicationPermissions: ["Application.Read.All", "Group.Read.All"] });
    const graphToken = (await client(TEST.providerClientId, TEST.providerSecret).acquireTokenByClientCredential({
      scopes: [`${emu.graphUrl}/.default`],
      skipCache: true,
    }))!.accessToken;
    const get = async (path: string) =>
      (await fetch(`${emu.graphUrl}${path}`, { headers: { Authorization: `Bearer ${graphToken}` } })).json() as Promise<Record<string, unknown>>;
    expect((await get(`/v1.0/applications(appId='${TEST_API.apiAppId}')`)).groupMembershipClaims).toBe("SecurityGroup");
    expect((await get(`/v1.0/applications(appId='${TEST_API.v2ApiAppId}')`)).groupMembershipClaims).toBeNull();
    const groups = (await get("/v1.0/groups")).value as { id: string; securityEnabled: boolean; mailEnabled: boolean }[];
    expect(groups.find((g) => g.id === GROUPS.automation)).toMatchObject({ securityEnabled: true, mailEnabled: false });
    expect(groups.find((g) => g.id === GROUPS.newsletter)).toMatchObject({ securityEnabled: false, mailEnabled: true });
  });
});
