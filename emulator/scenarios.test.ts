import { createRemoteJWKSet, jwtVerify } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO_SCENARIO_PATH, EmulatorState, loadScenarioFile, SECOND_CLOUD_SCENARIO_PATH, type RunningEmulator } from "./index.js";
import { DEMO_API } from "./scenarios/demo-api.js";
import { generateScenario } from "./scenarios/generate.js";
import { decodeJwtPayload, postForm, startTestEmulator } from "./testing/index.js";

/** The demo scenario behaves as its console hints promise, and the generator scales. */

interface Hints {
  customerId: string;
  authMethod: "PASSWORD" | "AUTH_TOKEN" | "APP_REGISTRATION";
  adminEmail: string;
  expectedState: string;
  appClientId?: string;
  appClientSecret?: string;
  username?: string;
  password?: string;
  refreshToken?: string;
}

const demo = loadScenarioFile(DEMO_SCENARIO_PATH);
const provider = demo.providerApp;
const providerSecret = provider.secrets[0]!.secretText;
let emu: RunningEmulator;

beforeAll(async () => {
  emu = await startTestEmulator({ scenario: DEMO_SCENARIO_PATH });
});
afterAll(async () => {
  await emu?.close();
});

function tenantByState(state: string): { id: string; hints: Hints } {
  const tenant = demo.tenants.find((t) => (t.console as Hints | undefined)?.expectedState === state);
  if (!tenant) throw new Error(`no demo tenant in state ${state}`);
  return { id: tenant.id, hints: tenant.console as unknown as Hints };
}

const cc = (tenant: string, clientId: string = provider.clientId, secret: string = providerSecret) =>
  postForm(`${emu.loginUrl}/${tenant}/oauth2/v2.0/token`, {
    grant_type: "client_credentials",
    client_id: clientId,
    client_secret: secret,
    scope: `${emu.graphUrl}/.default`,
  });
const ropc = (tenant: string, username: string, password: string) =>
  postForm(`${emu.loginUrl}/${tenant}/oauth2/v2.0/token`, {
    grant_type: "password",
    client_id: provider.clientId,
    client_secret: providerSecret,
    username,
    password,
    scope: `${emu.graphUrl}/User.Read offline_access`,
  });

describe("demo scenario", () => {
  it("has the provider home tenant and about 25 customers across all three methods", () => {
    expect(demo.tenants.find((t) => t.id === provider.homeTenantId)?.displayName).toBe("Lakeshore IT Partners");
    const methods = new Set(demo.tenants.map((t) => (t.console as Hints | undefined)?.authMethod).filter(Boolean));
    expect([...methods].sort()).toEqual(["APP_REGISTRATION", "AUTH_TOKEN", "PASSWORD"]);
    expect(demo.tenants.length - 1 + ((demo.console?.customersWithoutTenant as unknown[]) ?? []).length).toBeGreaterThanOrEqual(25);
    expect(provider.redirectUris).toContain("http://localhost:3000/authenticate/OAuth2Callback");
  });

  it("app-registration tenants fail and succeed as labelled", async () => {
    expect((await cc(tenantByState("verified").id)).status).toBe(200);
    expect((await cc(tenantByState("consent_missing").id)).json.error_codes).toEqual([700016]);
    const tenantApp = tenantByState("verified_tenant_app");
    expect((await cc(tenantApp.id, tenantApp.hints.appClientId, tenantApp.hints.appClientSecret)).status).toBe(200);
    const expired = tenantByState("secret_expired");
    expect((await cc(expired.id, expired.hints.appClientId, expired.hints.appClientSecret)).json.error_codes).toEqual([7000222]);
    const invalid = tenantByState("secret_invalid");
    expect((await cc(invalid.id, invalid.hints.appClientId, invalid.hints.appClientSecret)).json.error_codes).toEqual([7000215]);
    expect((await cc(tenantByState("tenant_disabled").id)).json.error_codes).toEqual([5000224]);
    const missing = (demo.console!.customersWithoutTenant as { tenantDomain: string }[])[0]!;
    expect((await cc(missing.tenantDomain)).json.error_codes).toEqual([90002]);
  });

  it("Graph: insufficient permissions give 403 and the throttled tenant gets 429", async () => {
    const partial = String((await cc(tenantByState("insufficient_permissions").id)).json.access_token);
    expect((await fetch(`${emu.graphUrl}/v1.0/users?$top=1`, { headers: { Authorization: `Bearer ${partial}` } })).status).toBe(403);
    const throttled = String((await cc(tenantByState("throttled").id)).json.access_token);
    const res = await fetch(`${emu.graphUrl}/v1.0/organization`, { headers: { Authorization: `Bearer ${throttled}` } });
    expect(res.status).toBe(429);
    expect(Number(res.headers.get("retry-after"))).toBeGreaterThan(0);
  });

  it("password tenants: working, MFA, Conditional Access, disabled, wrong password", async () => {
    const run = (state: string) => {
      const t = tenantByState(state);
      return ropc(t.id, t.hints.username!, t.hints.password!);
    };
    expect((await run("verified_legacy_password")).status).toBe(200);
    expect((await run("mfa_required")).json.error_codes).toEqual([50076]);
    expect((await run("conditional_access_blocked")).json.error_codes).toEqual([53003]);
    expect((await run("user_disabled")).json.error_codes).toEqual([50057]);
    expect((await run("wrong_password")).json.error_codes).toEqual([50126]);
  });

  it("the pre-seeded stale refresh token gives 700082", async () => {
    const t = tenantByState("refresh_token_expired");
    const res = await postForm(`${emu.loginUrl}/${t.id}/oauth2/v2.0/token`, {
      grant_type: "refresh_token",
      client_id: provider.clientId,
      client_secret: providerSecret,
      refresh_token: t.hints.refreshToken!,
      scope: `${emu.graphUrl}/User.Read`,
    });
    expect(res.json.error_codes).toEqual([700082]);
  });

  it("the console API's automation clients get v1.0 tokens with their role, verifiable with the home tenant's JWKS", async () => {
    expect(DEMO_API.homeTenantId).toBe(provider.homeTenantId);
    const jwks = createRemoteJWKSet(new URL(`${emu.loginUrl}/${DEMO_API.homeTenantId}/discovery/v2.0/keys`));
    for (const c of [DEMO_API.admin, DEMO_API.operator, DEMO_API.viewer, DEMO_API.noRole]) {
      const res = await postForm(`${emu.loginUrl}/${DEMO_API.homeTenantId}/oauth2/v2.0/token`, {
        grant_type: "client_credentials",
        client_id: c.clientId,
        client_secret: c.secret,
        scope: DEMO_API.scope,
      });
      expect(res.status).toBe(200);
      const { payload } = await jwtVerify(String(res.json.access_token), jwks, {
        issuer: `${emu.loginUrl}/${DEMO_API.homeTenantId}/`,
        audience: DEMO_API.audience,
      });
      expect(payload).toMatchObject({ ver: "1.0", appid: c.clientId, tid: DEMO_API.homeTenantId, idtyp: "app" });
      expect(payload.roles).toEqual(c.role ? [c.role] : undefined);
      expect(payload).not.toHaveProperty("groups");
    }
    // The API asks for security groups: only "Automation Group Operator" is in one.
    const group = await postForm(`${emu.loginUrl}/${DEMO_API.homeTenantId}/oauth2/v2.0/token`, {
      grant_type: "client_credentials",
      client_id: DEMO_API.groupOperator.clientId,
      client_secret: DEMO_API.groupOperator.secret,
      scope: DEMO_API.scope,
    });
    const { payload: groupClaims } = await jwtVerify(String(group.json.access_token), jwks, {
      issuer: `${emu.loginUrl}/${DEMO_API.homeTenantId}/`,
      audience: DEMO_API.audience,
    });
    expect(groupClaims).toMatchObject({ appid: DEMO_API.groupOperator.clientId, groups: [DEMO_API.operatorsGroupId] });
    expect(groupClaims).not.toHaveProperty("roles");
    const byId = await postForm(`${emu.loginUrl}/${DEMO_API.homeTenantId}/oauth2/token`, {
      grant_type: "client_credentials",
      client_id: DEMO_API.admin.clientId,
      client_secret: DEMO_API.admin.secret,
      resource: DEMO_API.apiAppId,
    });
    expect(decodeJwtPayload(String(byId.json.access_token)).aud).toBe(DEMO_API.apiAppId);
  });
});

describe("scenario generator", () => {
  it("builds 10,000 tenants quickly, deterministically by seed, and loads them", () => {
    const started = performance.now();
    const a = generateScenario({ tenants: 10_000, seed: 7 });
    const elapsed = performance.now() - started;
    expect(a.scenario.tenants).toHaveLength(10_001);
    expect(elapsed).toBeLessThan(2000);
    expect(generateScenario({ tenants: 10_000, seed: 7 }).states).toEqual(a.states);
    expect(generateScenario({ tenants: 10_000, seed: 8 }).states).not.toEqual(a.states);
    const counts = Object.values(a.states).reduce<Record<string, number>>((acc, s) => ({ ...acc, [s]: (acc[s] ?? 0) + 1 }), {});
    expect(Object.keys(counts).length).toBeGreaterThanOrEqual(8);
    const state = new EmulatorState(a.scenario);
    expect(state.tenantsById.size).toBe(10_001);
  });

  it("honours a custom mix", () => {
    const { states } = generateScenario({
      tenants: 50,
      seed: 1,
      mix: {
        verified: 0,
        consentMissing: 1,
        insufficientPermissions: 0,
        tenantAppValid: 0,
        tenantAppExpiredSecret: 0,
        mfaRequired: 0,
        conditionalAccessBlocked: 0,
        userDisabled: 0,
        tenantDisabled: 0,
        throttled: 0,
      },
    });
    expect(new Set(Object.values(states))).toEqual(new Set(["consentMissing"]));
  });
});

describe("second-cloud scenario (a second instance as another cloud)", () => {
  const second = loadScenarioFile(SECOND_CLOUD_SCENARIO_PATH);
  const secondSecret = second.providerApp.secrets[0]!.secretText;
  let other: RunningEmulator;
  beforeAll(async () => {
    other = await startTestEmulator({ scenario: SECOND_CLOUD_SCENARIO_PATH });
  });
  afterAll(async () => {
    await other?.close();
  });
  const token = (instance: RunningEmulator, tenant: string, clientId: string, secret: string) =>
    postForm(`${instance.loginUrl}/${tenant}/oauth2/v2.0/token`, {
      grant_type: "client_credentials",
      client_id: clientId,
      client_secret: secret,
      scope: `${instance.graphUrl}/.default`,
    });

  it("has its own provider app, home tenant and customers, none shared with the demo", () => {
    expect(second.providerApp.clientId).not.toBe(provider.clientId);
    expect(secondSecret).not.toBe(providerSecret);
    const demoIds = new Set(demo.tenants.map((t) => t.id));
    expect(second.tenants.length).toBeGreaterThanOrEqual(3);
    expect(second.tenants.filter((t) => demoIds.has(t.id))).toEqual([]);
    expect(second.tenants.map((t) => t.id)).toContain(second.providerApp.homeTenantId);
  });

  it("answers for its own tenants and app only: each instance is a cloud of its own", async () => {
    const customer = second.tenants.find((t) => t.id !== second.providerApp.homeTenantId)!;
    // Its home tenant has the app; a customer needs admin consent first (AADSTS700016, as in Entra).
    expect((await token(other, second.providerApp.homeTenantId, second.providerApp.clientId, secondSecret)).status).toBe(200);
    expect((await token(other, customer.id, second.providerApp.clientId, secondSecret)).json.error_codes).toEqual([700016]);
    // The demo's tenants do not exist in this cloud, and this cloud's tenants not in the demo's (AADSTS90002).
    expect((await token(other, tenantByState("verified").id, provider.clientId, providerSecret)).json.error_codes).toEqual([90002]);
    expect((await token(emu, customer.id, second.providerApp.clientId, secondSecret)).json.error_codes).toEqual([90002]);
  });
});
