import { createRemoteJWKSet, jwtVerify } from "jose";
import { describe, expect, it } from "vitest";
import { parseScenario, type RunningEmulator, type ScenarioInput } from "./index.js";
import { authorizeWithArmedUser, buildTestScenario, decodeJwtPayload, postForm, TEST, TEST_API } from "./testing/index.js";
import { withTestEmulator } from "./testing/vitest-hooks.js";

/**
 * ID tokens look like Entra's: proof of a sign-in for the client app, with the user's app roles for that
 * app and their groups as its manifest asks, and none of the claims that make an access token (azp, appid,
 * scp). An API that must refuse ID tokens can only be tested against tokens like these.
 * @see https://learn.microsoft.com/en-us/entra/identity-platform/id-token-claims-reference
 */

let emu: RunningEmulator;

withTestEmulator((e) => (emu = e));

const HOME = TEST_API.tenantId;
/** The v2.0 API registration doubles as a sign-in app here (one registration for both, a common setup). */
const APP = TEST_API.v2ApiAppId;
const APP_SECRET = "app8Q~emulator-test-sign-in-app-secret-01";
const USERS = {
  owner: { id: "eeeeeeee-0000-4000-8000-000000000001", upn: `owner@${TEST.homeDomain}` },
  member: { id: "eeeeeeee-0000-4000-8000-000000000031", upn: `member@${TEST.homeDomain}` },
  nobody: { id: "eeeeeeee-0000-4000-8000-000000000032", upn: `nobody@${TEST.homeDomain}` },
};
const GROUPS = {
  admins: "bbbbbbbb-0000-4000-8000-0000000000b1",
  newsletter: "bbbbbbbb-0000-4000-8000-0000000000b2",
};

type Registration = Record<string, unknown> & { clientId: string; appRoles: { value: string; allowedMemberTypes: string[]; isEnabled?: boolean }[] };
type Options = { groupMembershipClaims?: string; assignedGroups?: string[]; extraGroups?: number };

/**
 * The test scenario with a sign-in-capable API registration in the home tenant: Administrator allows
 * users too and is assigned to the admins group, Auditor (users only) to the owner directly.
 */
function scenario(options: Options = {}): ScenarioInput {
  const s = buildTestScenario();
  const home = s.tenants.find((t) => t.id === HOME)!;
  const extra = Array.from({ length: options.extraGroups ?? 0 }, (_, i) => ({
    id: `bbbbbbbb-0000-4000-8000-2${String(i).padStart(11, "0")}`,
    displayName: `Bulk ${i}`,
  }));
  home.groups = [
    { id: GROUPS.admins, displayName: "Console Admins" },
    { id: GROUPS.newsletter, displayName: "Newsletter", securityEnabled: false, mailEnabled: true },
    ...extra,
  ];
  const password = TEST.password;
  home.users = [
    { id: USERS.owner.id, userPrincipalName: USERS.owner.upn, displayName: "MSP Owner", password, groups: [GROUPS.newsletter] },
    {
      id: USERS.member.id,
      userPrincipalName: USERS.member.upn,
      displayName: "MSP Member",
      password,
      groups: [GROUPS.admins, GROUPS.newsletter, ...extra.map((g) => g.id)],
    },
    { id: USERS.nobody.id, userPrincipalName: USERS.nobody.upn, displayName: "MSP Nobody", password },
  ];
  const app = (home.appRegistrations as Registration[]).find((r) => r.clientId === APP)!;
  app.appRoles = app.appRoles.map((r) => (r.value === "Administrator" ? { ...r, allowedMemberTypes: ["Application", "User"] } : r));
  app.secrets = [{ keyId: "dddddddd-0000-4000-8000-000000000061", secretText: APP_SECRET, endDateTime: "2099-01-01T00:00:00Z" }];
  app.delegatedPermissions = ["User.Read"];
  app.userRoleAssignments = [
    { principalId: USERS.owner.id, roles: ["Auditor"] },
    { principalId: GROUPS.admins, roles: ["Administrator"] },
  ];
  if (options.groupMembershipClaims) app.groupMembershipClaims = options.groupMembershipClaims;
  if (options.assignedGroups) app.assignedGroups = options.assignedGroups;
  return s;
}

/** ROPC as the registration itself, asking only for OpenID scopes: the ID token's `aud` is the app. */
async function idToken(upn: string, endpoint: "v2" | "v1" = "v2"): Promise<string> {
  const path = endpoint === "v2" ? "oauth2/v2.0/token" : "oauth2/token";
  const scope: Record<string, string> = endpoint === "v2" ? { scope: "openid profile" } : { resource: emu.graphUrl };
  const { status, json } = await postForm(`${emu.loginUrl}/${HOME}/${path}`, {
    grant_type: "password",
    client_id: APP,
    client_secret: APP_SECRET,
    username: upn,
    password: TEST.password,
    ...scope,
  });
  expect(status, JSON.stringify(json)).toBe(200);
  return String(json.id_token);
}

describe("ID token claims", () => {
  it("carry the user's app roles for the app, assigned directly or through a group, and no access-token claims", async () => {
    emu.state.loadScenario(scenario());
    const token = await idToken(USERS.member.upn);
    const { payload } = await jwtVerify(token, createRemoteJWKSet(new URL(`${emu.loginUrl}/${HOME}/discovery/v2.0/keys`)), {
      issuer: `${emu.loginUrl}/${HOME}/v2.0`,
      audience: APP,
    });
    expect(payload).toMatchObject({ ver: "2.0", tid: HOME, oid: USERS.member.id, roles: ["Administrator"] });
    for (const claim of ["azp", "azpacr", "appid", "appidacr", "scp", "idtyp", "groups"]) expect(payload, claim).not.toHaveProperty(claim);

    expect(decodeJwtPayload(await idToken(USERS.owner.upn)).roles).toEqual(["Auditor"]);
    expect(decodeJwtPayload(await idToken(USERS.owner.upn, "v1"))).toMatchObject({ ver: "1.0", aud: APP, roles: ["Auditor"] });
    expect(decodeJwtPayload(await idToken(USERS.nobody.upn))).not.toHaveProperty("roles");
  });

  it("leave out disabled roles and roles that do not allow users", async () => {
    const s = scenario();
    const app = (s.tenants.find((t) => t.id === HOME)!.appRegistrations as Registration[]).find((r) => r.clientId === APP)!;
    app.appRoles = app.appRoles.map((r) => (r.value === "Auditor" ? { ...r, isEnabled: false } : r));
    emu.state.loadScenario(s);
    expect(decodeJwtPayload(await idToken(USERS.owner.upn))).not.toHaveProperty("roles");
    expect(() =>
      parseScenario({
        ...s,
        tenants: s.tenants.map((t) =>
          t.id === HOME
            ? {
                ...t,
                appRegistrations: (t.appRegistrations as Registration[]).map((r) =>
                  r.clientId === APP ? { ...r, userRoleAssignments: [{ principalId: USERS.owner.id, roles: ["Viewer"] }] } : r,
                ),
              }
            : t,
        ),
      }),
    ).toThrow(/app role 'Viewer' does not allow member type User/);
  });

  it("carry the user's groups as the app's groupMembershipClaims asks, with the overage indicator past 200", async () => {
    emu.state.loadScenario(scenario({ groupMembershipClaims: "SecurityGroup" }));
    expect(decodeJwtPayload(await idToken(USERS.member.upn))).toMatchObject({ roles: ["Administrator"], groups: [GROUPS.admins] });
    expect(decodeJwtPayload(await idToken(USERS.owner.upn))).not.toHaveProperty("groups");
    expect(decodeJwtPayload(await idToken(USERS.member.upn, "v1")).groups).toEqual([GROUPS.admins]);

    emu.state.loadScenario(scenario({ groupMembershipClaims: "All" }));
    expect(decodeJwtPayload(await idToken(USERS.owner.upn)).groups).toEqual([GROUPS.newsletter]);
    emu.state.loadScenario(scenario({ groupMembershipClaims: "ApplicationGroup", assignedGroups: [GROUPS.newsletter] }));
    expect(decodeJwtPayload(await idToken(USERS.member.upn)).groups).toEqual([GROUPS.newsletter]);

    emu.state.loadScenario(scenario({ groupMembershipClaims: "SecurityGroup", extraGroups: 199 }));
    expect((decodeJwtPayload(await idToken(USERS.member.upn)).groups as string[]).length).toBe(200);
    emu.state.loadScenario(scenario({ groupMembershipClaims: "SecurityGroup", extraGroups: 200 }));
    const overage = decodeJwtPayload(await idToken(USERS.member.upn));
    expect(overage).not.toHaveProperty("groups");
    expect(overage._claim_names).toEqual({ groups: "src1" });
    expect(overage._claim_sources).toEqual({ src1: { endpoint: `${emu.graphUrl}/v1.0/users/${USERS.member.id}/getMemberObjects` } });
  });

  it("of the provider app (no manifest in the emulator) carry neither roles nor groups, and no access-token claims", async () => {
    const run = await authorizeWithArmedUser(emu, { tenant: TEST.contosoId, user: TEST.admin, scopes: [`${emu.graphUrl}/User.Read`, "openid", "profile"] });
    const { json } = await postForm(`${emu.loginUrl}/${TEST.contosoId}/oauth2/v2.0/token`, {
      grant_type: "authorization_code",
      client_id: TEST.providerClientId,
      client_secret: TEST.providerSecret,
      code: run.code!,
      redirect_uri: TEST.redirectUri,
      code_verifier: run.verifier,
      scope: `${emu.graphUrl}/User.Read openid profile`,
    });
    const claims = decodeJwtPayload(String(json.id_token));
    expect(claims).toMatchObject({ aud: TEST.providerClientId, nonce: "test-nonce" });
    for (const claim of ["roles", "groups", "azp", "appid", "scp"]) expect(claims, claim).not.toHaveProperty(claim);
    expect(decodeJwtPayload(String(json.access_token))).toMatchObject({ appid: TEST.providerClientId, scp: "User.Read" });
  });

  it("role assignments are validated when a scenario loads: known role, User allowed, a user or group of the tenant", () => {
    const withAssignments = (assignments: unknown[]) => {
      const s = scenario();
      const app = (s.tenants.find((t) => t.id === HOME)!.appRegistrations as Registration[]).find((r) => r.clientId === APP)!;
      app.userRoleAssignments = assignments;
      return () => parseScenario(s);
    };
    expect(withAssignments([{ principalId: USERS.nobody.id, roles: ["Auditor", "Administrator"] }])).not.toThrow();
    expect(withAssignments([{ principalId: USERS.nobody.id, roles: ["Owner"] }])).toThrow(/no app role with value 'Owner'/);
    expect(withAssignments([{ principalId: "bbbbbbbb-0000-4000-8000-0000000000ff", roles: ["Auditor"] }])).toThrow(/neither a user nor a group of tenant/);
    // A user of another tenant (Contoso's admin) is not a principal here.
    expect(withAssignments([{ principalId: "eeeeeeee-0000-4000-8000-000000000002", roles: ["Auditor"] }])).toThrow(/neither a user nor a group/);
  });
});
