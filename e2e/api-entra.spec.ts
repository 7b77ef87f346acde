import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { expect, test } from "./support/test";
import { decodeJwt, decodeProtectedHeader, generateKeyPair, SignJWT } from "jose";
import { DEMO_SCENARIO_PATH } from "../emulator/index";
import type { ScenarioInput } from "../emulator/scenario";
import { apiClient, expectProblem, json, seedDemoTenant } from "./support/api";
import { createAdmin } from "./support/admins";
import { e2eDb } from "./support/db";
import { control, DEMO, DEMO_API, emulator, restoreDemoScenario } from "./support/emulator";
import { signInAndExpectConsole } from "./support/pages";
import { configureProviderApp } from "./support/provider";

// Entra ID access tokens on the REST API: client-credentials tokens the emulator issues for the MSP's
// own API ("Tenant Access Console API", app roles Administrator/Operator/Viewer), validated with the
// Entra Authentication settings (seed 001's, plus the API's own API Audience and API Issuer) — tokens
// that fail each of its rules, and ID tokens, which are never accepted.

type Client = { clientId: string; secret: string };
type SettingsRow = Awaited<ReturnType<typeof e2eDb.entraAuthSettings.findUnique>>;
type GroupRoleRow = Awaited<ReturnType<typeof e2eDb.entraGroupRole.findMany>>[number];

const settings: Record<string, string | boolean> & { id: string } = {
  id: "entra",
  enabled: true,
  tenantId: DEMO_API.homeTenantId,
  clientId: DEMO.providerClientId,
  // Sign-in as the README sets it up; the API's v1.0 tokens have their own audience and issuer.
  audience: DEMO.providerClientId,
  issuer: `${emulator.loginUrl}/{TenantId}/v2.0`,
  apiAudience: DEMO_API.audience,
  apiIssuer: `${emulator.loginUrl}/{TenantId}/`,
  authority: `${emulator.loginUrl}/{TenantId}/`,
  metadataAddress: `${emulator.loginUrl}/{TenantId}/v2.0/.well-known/openid-configuration`,
  requiredClaims: "tid={TenantId};oid",
  clockSkew: "00:02:00",
  jwksCacheDuration: "00:10:00",
  certificateThumbprint: "",
  groupCacheDuration: "00:30:00",
  localSignInEnabled: true,
};

async function configure(overrides: Record<string, string | boolean> = {}) {
  const data = { ...settings, ...overrides };
  await e2eDb.entraAuthSettings.upsert({ where: { id: "entra" }, create: data, update: data });
}

/** A client-credentials access token for the console's API, from the emulator's v2 token endpoint. */
async function clientToken(client: Client): Promise<string> {
  const response = await fetch(`${emulator.loginUrl}/${DEMO_API.homeTenantId}/oauth2/v2.0/token`, {
    method: "POST",
    body: new URLSearchParams({ grant_type: "client_credentials", client_id: client.clientId, client_secret: client.secret, scope: DEMO_API.scope }),
  });
  const body = (await response.json()) as { access_token?: string; error_description?: string };
  if (!response.ok || !body.access_token) throw new Error(`token request failed: ${body.error_description}`);
  return body.access_token;
}

async function tokenAtClockOffset(client: Client, offsetSeconds: number) {
  await control.setClock({ offsetSeconds });
  try {
    return await clientToken(client);
  } finally {
    await control.setClock({ offsetSeconds: 0 });
  }
}

async function expectInvalidToken(token: string, detail: RegExp) {
  const response = await (await apiClient(token)).get("tenants");
  const problem = await expectProblem(response, 401, "unauthorized");
  expect(problem.detail).toMatch(detail);
  expect(response.headers()["www-authenticate"]).toMatch(/^Bearer realm="tenant-access-console", error="invalid_token", error_description="[^"]+"$/);
}

/**
 * Settings → Entra Authentication → Group role mappings, stored the way applyEntraSettings stores them:
 * one EntraGroupRole row per group object id (lower case). Read per request, so no restart is needed.
 */
async function mapGroups(mappings: { groupId: string; role: GroupRoleRow["role"] }[]) {
  await e2eDb.entraGroupRole.deleteMany({});
  await e2eDb.entraGroupRole.createMany({ data: mappings.map((m) => ({ id: randomUUID(), groupId: m.groupId.toLowerCase(), role: m.role })) });
}

test.describe.configure({ mode: "serial" });

let settingsBefore: SettingsRow = null;
let groupRolesBefore: GroupRoleRow[] = [];

test.beforeAll(async () => {
  settingsBefore = await e2eDb.entraAuthSettings.findUnique({ where: { id: "entra" } });
  groupRolesBefore = await e2eDb.entraGroupRole.findMany();
  await configure();
});

test.afterAll(async () => {
  await control.setClock({ offsetSeconds: 0 });
  await control.setServicePrincipalGroups(DEMO_API.homeTenantId, DEMO_API.viewer.clientId, []);
  await e2eDb.entraAuthSettings.deleteMany({});
  if (settingsBefore) await e2eDb.entraAuthSettings.create({ data: settingsBefore });
  await e2eDb.entraGroupRole.deleteMany({});
  if (groupRolesBefore.length > 0) await e2eDb.entraGroupRole.createMany({ data: groupRolesBefore });
});

test("Entra client-credentials tokens: the role comes from the roles claim; writes are audited as the Entra client", async () => {
  const adminToken = await clientToken(DEMO_API.admin);
  const claims = decodeJwt(adminToken);
  expect(claims).toMatchObject({ aud: DEMO_API.audience, tid: DEMO_API.homeTenantId, roles: ["Administrator"] });

  const admin = await apiClient(adminToken);
  await json(await admin.get("tenants"));
  const customerId = `entra${randomUUID().slice(0, 6)}`;
  // An Entra tenant is managed once: earlier specs' tenants of this demo directory give it up first.
  await e2eDb.tenant.updateMany({
    where: { OR: [{ entraTenantId: DEMO.contoso.id }, { primaryDomain: DEMO.contoso.domain }] },
    data: { entraTenantId: null, primaryDomain: null },
  });
  const created = await admin.post("tenants", {
    data: {
      customerId,
      displayName: "Created by automation",
      tenantRef: DEMO.contoso.domain,
      adminEmail: DEMO.contoso.admin,
      authMethod: "APP_REGISTRATION",
      cloud: "CUSTOM",
    },
  });
  const tenant = await json<{ id: string }>(created, 201);
  const event = await e2eDb.auditEvent.findFirstOrThrow({ where: { action: "tenant.created", targetId: tenant.id } });
  expect(event).toMatchObject({
    actorType: "entra_client",
    actorId: claims.oid,
    actorLabel: DEMO_API.admin.clientId,
    requestId: created.headers()["x-request-id"],
  });

  const operator = await apiClient(await clientToken(DEMO_API.operator));
  expect((await expectProblem(await operator.patch(`tenants/${tenant.id}`, { data: { displayName: "x" } }), 403, "forbidden")).detail).toMatch(
    /needs the Administrator role; the token has Operator/,
  );
  await expectProblem(await operator.post("verification-runs", { data: { tenantIds: ["no-such-tenant"] } }), 422, "validation");

  const viewer = await apiClient(await clientToken(DEMO_API.viewer));
  expect((await json<{ customerId: string }>(await viewer.get(`tenants/${customerId}`))).customerId).toBe(customerId);
  expect((await expectProblem(await viewer.post(`tenants/${customerId}/verify`), 403, "forbidden")).detail).toMatch(/the token has Viewer/);

  // A valid token of a client with no app role on the API: authenticated, but no role.
  const noRoleToken = await clientToken(DEMO_API.noRole);
  expect(decodeJwt(noRoleToken).roles).toBeUndefined();
  expect((await expectProblem(await (await apiClient(noRoleToken)).get("tenants"), 403, "forbidden")).detail).toMatch(/carries no role/);

  expect((await admin.delete(`tenants/${tenant.id}`)).status()).toBe(204);
});

test("Entra client-credentials tokens with a groups claim: the role comes from the console's group → role mapping", async () => {
  // The API's manifest asks for security groups (groupMembershipClaims); the client holds no app role.
  const groupToken = await clientToken(DEMO_API.groupOperator);
  const claims = decodeJwt(groupToken);
  expect(claims).toMatchObject({
    aud: DEMO_API.audience,
    tid: DEMO_API.homeTenantId,
    appid: DEMO_API.groupOperator.clientId,
    groups: [DEMO_API.operatorsGroupId],
  });
  expect(claims.roles).toBeUndefined();
  const groupOperator = await apiClient(groupToken);
  const tenant = await seedDemoTenant(`entragrp${randomUUID().slice(0, 6)}`, "proseware");

  // Without a mapping for its group the token authenticates but carries no role: 403 on everything.
  await mapGroups([]);
  for (const response of [
    await groupOperator.get("tenants"),
    await groupOperator.post(`tenants/${tenant.id}/verify`),
    await groupOperator.patch(`tenants/${tenant.id}`, { data: { displayName: "x" } }),
  ]) {
    expect((await expectProblem(response, 403, "forbidden")).detail).toMatch(/carries no role/);
  }
  // A mapping for another group changes nothing.
  await mapGroups([{ groupId: randomUUID(), role: "ADMINISTRATOR" }]);
  await expectProblem(await groupOperator.get("tenants"), 403, "forbidden");

  // Group → Operator: it verifies a tenant, and an Administrator write is refused.
  await mapGroups([{ groupId: DEMO_API.operatorsGroupId.toUpperCase(), role: "OPERATOR" }]);
  const verify = await groupOperator.post(`tenants/${tenant.id}/verify`);
  expect(await json<{ tenantId: string; customerId: string; status: string }>(verify)).toMatchObject({ tenantId: tenant.id, customerId: tenant.customerId });
  const event = await e2eDb.auditEvent.findFirstOrThrow({ where: { action: "tenant.verified", targetId: tenant.id } });
  expect(event).toMatchObject({
    actorType: "entra_client",
    actorId: claims.oid,
    actorLabel: DEMO_API.groupOperator.clientId,
    requestId: verify.headers()["x-request-id"],
  });
  expect((await expectProblem(await groupOperator.patch(`tenants/${tenant.id}`, { data: { displayName: "x" } }), 403, "forbidden")).detail).toMatch(
    /needs the Administrator role; the token has Operator/,
  );
  expect((await expectProblem(await groupOperator.delete(`tenants/${tenant.id}`), 403, "forbidden")).detail).toMatch(/the token has Operator/);

  // Both claims (README, REST API → Authentication): the highest app role in `roles` decides and `groups`
  // is only consulted when the token has no app role — a Viewer app role with a group mapped to Operator
  // stays Viewer; with the group mapped to Administrator as well.
  await control.setServicePrincipalGroups(DEMO_API.homeTenantId, DEMO_API.viewer.clientId, [DEMO_API.operatorsGroupId]);
  try {
    const bothToken = await clientToken(DEMO_API.viewer);
    expect(decodeJwt(bothToken)).toMatchObject({ roles: ["Viewer"], groups: [DEMO_API.operatorsGroupId] });
    const both = await apiClient(bothToken);
    await json(await both.get(`tenants/${tenant.customerId}`));
    expect((await expectProblem(await both.post(`tenants/${tenant.id}/verify`), 403, "forbidden")).detail).toMatch(
      /needs the Operator role; the token has Viewer/,
    );
    await mapGroups([{ groupId: DEMO_API.operatorsGroupId, role: "ADMINISTRATOR" }]);
    expect((await expectProblem(await both.patch(`tenants/${tenant.id}`, { data: { displayName: "x" } }), 403, "forbidden")).detail).toMatch(
      /the token has Viewer/,
    );
    // The same group makes the group-only client an Administrator.
    expect((await groupOperator.delete(`tenants/${tenant.id}`)).status()).toBe(204);
  } finally {
    await control.setServicePrincipalGroups(DEMO_API.homeTenantId, DEMO_API.viewer.clientId, []);
    await mapGroups(groupRolesBefore.map((r) => ({ groupId: r.groupId, role: r.role })));
  }
  expect(decodeJwt(await clientToken(DEMO_API.viewer)).groups).toBeUndefined();
});

test("the access-token broker: an Entra client with a grant also needs the app role AccessToken.Request", async ({ page }) => {
  test.setTimeout(120_000);
  await signInAndExpectConsole(page, await createAdmin());
  await configureProviderApp(page);
  await e2eDb.tenant.updateMany({
    where: { OR: [{ entraTenantId: DEMO.contoso.id }, { primaryDomain: DEMO.contoso.domain }] },
    data: { entraTenantId: null, primaryDomain: null },
  });
  const tenant = await seedDemoTenant(`entrabroker${randomUUID().slice(0, 6)}`, "contoso");
  const resource = emulator.graphUrl;
  // Settings → API tokens: an Administrator allows the Operator automation client (by its application id)
  // this tenant and Graph.
  await e2eDb.accessTokenGrant.deleteMany({ where: { entraAppId: DEMO_API.operator.clientId } });
  await page.goto("/settings/api-tokens");
  await page.getByRole("button", { name: "Allow an Entra client" }).click();
  const dialog = page.getByRole("dialog", { name: /Access tokens for an Entra client/ });
  await dialog.getByLabel("Entra client application ID").fill(DEMO_API.operator.clientId);
  await dialog.getByRole("radio", { name: /Listed tenants/ }).check();
  await dialog.getByLabel("Customer IDs", { exact: true }).fill(tenant.customerId);
  await dialog.getByLabel("Resources", { exact: true }).fill(resource);
  await dialog.getByRole("button", { name: "Allow access tokens" }).click();
  await expect(dialog).toBeHidden();
  await expect(page.getByRole("listitem").filter({ hasText: DEMO_API.operator.clientId })).toBeVisible();
  try {
    // The grant alone is not enough: its token carries Operator, not the broker's app role. Refused, audited.
    const withoutRole = await clientToken(DEMO_API.operator);
    expect(decodeJwt(withoutRole).roles).toEqual(["Operator"]);
    const refused = await (await apiClient(withoutRole)).post(`tenants/${tenant.id}/access-token`, { data: { resource } });
    expect((await expectProblem(refused, 403, "forbidden")).detail).toBe("The Entra client needs the app role AccessToken.Request.");
    const refusal = await e2eDb.auditEvent.findFirstOrThrow({ where: { action: "tenant.access_token_refused", targetId: tenant.id } });
    expect(refusal).toMatchObject({ actorType: "entra_client", actorLabel: DEMO_API.operator.clientId, requestId: refused.headers()["x-request-id"] });

    // Assigned the app role in Entra (the API's Enterprise application → Users and groups), its next token works.
    await control.setAppRoleAssignment(DEMO_API.apiAppId, DEMO_API.operator.clientId, ["Operator", "AccessToken.Request"]);
    const withRole = await clientToken(DEMO_API.operator);
    expect(decodeJwt(withRole).roles).toEqual(expect.arrayContaining(["Operator", "AccessToken.Request"]));
    const issued = await (await apiClient(withRole)).post(`tenants/${tenant.id}/access-token`, { data: { resource } });
    expect(issued.status(), await issued.text()).toBe(200);
    const body = (await issued.json()) as { accessToken: string; expiresOn: string; method: string };
    expect(body).toMatchObject({ method: "APP_REGISTRATION", scopes: [`${resource}/.default`] });
    expect(decodeJwt(body.accessToken)).toMatchObject({ tid: DEMO.contoso.id });
    const issuance = await e2eDb.auditEvent.findFirstOrThrow({ where: { action: "tenant.access_token_issued", targetId: tenant.id } });
    expect(issuance).toMatchObject({ actorType: "entra_client", actorLabel: DEMO_API.operator.clientId, requestId: issued.headers()["x-request-id"] });
    expect(JSON.stringify(issuance)).not.toContain(body.accessToken);
    // Outside the grant: another resource is refused with the reason even with the role.
    const other = await (await apiClient(withRole)).post(`tenants/${tenant.id}/access-token`, { data: { resource: "https://outlook.office365.com" } });
    expect((await expectProblem(other, 403, "forbidden")).detail).toBe("The grant does not allow the scope https://outlook.office365.com/.default.");
  } finally {
    await control.setAppRoleAssignment(DEMO_API.apiAppId, DEMO_API.operator.clientId, ["Operator"]);
    await e2eDb.accessTokenGrant.deleteMany({ where: { entraAppId: DEMO_API.operator.clientId } });
  }
});

test("Entra tokens failing each validation rule are 401 invalid_token", async () => {
  const viewerToken = await clientToken(DEMO_API.viewer);

  await configure({ apiIssuer: `${emulator.loginUrl}/{TenantId}/v2.0` });
  await expectInvalidToken(viewerToken, /not the configured API Issuer/);
  // An empty API Issuer means the Issuer (sign-in's v2 one here), which these v1.0 tokens do not have.
  await configure({ apiIssuer: "" });
  await expectInvalidToken(viewerToken, /not the configured API Issuer/);
  await configure({ apiAudience: "api://another-api" });
  await expectInvalidToken(viewerToken, /not the configured API Audience/);
  // The sign-in Audience does not stand in for the API's.
  await configure({ audience: DEMO_API.audience, apiAudience: DEMO.providerClientId });
  await expectInvalidToken(viewerToken, /not the configured API Audience/);
  await configure({ apiAudience: "" });
  await expectInvalidToken(viewerToken, /no API Audience is set.*Settings → Entra Authentication/);
  await configure({ requiredClaims: "tid={TenantId};oid;scp" });
  await expectInvalidToken(viewerToken, /lacks a required claim: scp/);
  await configure({ requiredClaims: "tid={TenantId};idtyp=user" });
  await expectInvalidToken(viewerToken, /another value: idtyp/);
  await configure();

  // Lifetime: minted two hours ago (expired), or an hour from now (not yet valid), by the emulator's clock.
  await expectInvalidToken(await tokenAtClockOffset(DEMO_API.viewer, -7200), /expired/);
  await expectInvalidToken(await tokenAtClockOffset(DEMO_API.viewer, 3600), /not valid yet/);

  // Tampered: a viewer's token promoted to Administrator keeps the old signature.
  const [header, , signature] = viewerToken.split(".");
  const promoted = Buffer.from(JSON.stringify({ ...decodeJwt(viewerToken), roles: ["Administrator"] })).toString("base64url");
  await expectInvalidToken(`${header}.${promoted}.${signature}`, /signature/);

  // Signed by a key the tenant never published, with every claim right.
  const { privateKey } = await generateKeyPair("RS256");
  const now = Math.floor(Date.now() / 1000);
  const forged = await new SignJWT({ ...decodeJwt(viewerToken), roles: ["Administrator"], iat: now, nbf: now, exp: now + 600 })
    .setProtectedHeader({ alg: "RS256", typ: "JWT", kid: "forged-key-id" })
    .sign(privateKey);
  await expectInvalidToken(forged, /unknown key/);
  const hmac = await new SignJWT({ ...decodeJwt(viewerToken) })
    .setProtectedHeader({ alg: "HS256", kid: decodeProtectedHeader(viewerToken).kid })
    .sign(new TextEncoder().encode("x".repeat(32)));
  await expectInvalidToken(hmac, /algorithm/);

  // The same valid token passes again once the settings are right, and is refused when Entra auth is off.
  await json(await (await apiClient(viewerToken)).get("tenants"));
  await configure({ enabled: false });
  await expectInvalidToken(viewerToken, /Entra Authentication is not enabled/);
});

const SHARED_APP_SECRET = "tac8Q~e2e-shared-sign-in-and-api-secret-01";

/**
 * One registration for sign-in and the API (a common setup): the demo API switched to v2.0 tokens, so an
 * ID token issued to it has the same `aud` (its app id) and issuer as its access tokens. Its Administrator
 * role is assigned to the owner, the technician is in the operators group (the API's groupMembershipClaims
 * is SecurityGroup), and it gets a secret and User.Read to sign users in by ROPC.
 */
function sharedRegistrationScenario(): ScenarioInput {
  const demo = JSON.parse(readFileSync(DEMO_SCENARIO_PATH, "utf8")) as ScenarioInput;
  const home = demo.tenants.find((t) => t.id === DEMO_API.homeTenantId)!;
  home.users = home.users!.map((u) => (u.userPrincipalName.startsWith("tech@") ? { ...u, groups: [DEMO_API.operatorsGroupId] } : u));
  const owner = home.users.find((u) => u.userPrincipalName.startsWith("owner@"))!;
  home.appRegistrations = home.appRegistrations!.map((r) =>
    r.clientId !== DEMO_API.apiAppId
      ? r
      : {
          ...r,
          accessTokenAcceptedVersion: 2,
          appRoles: r.appRoles!.map((role) => ({ ...role, allowedMemberTypes: ["Application", "User"] as ("Application" | "User")[] })),
          userRoleAssignments: [{ principalId: owner.id, roles: ["Administrator"] }],
          secrets: [{ keyId: randomUUID(), secretText: SHARED_APP_SECRET, endDateTime: "2099-01-01T00:00:00Z" }],
          delegatedPermissions: ["User.Read"],
        },
  );
  return demo;
}

/** A user's ID token for the API registration itself (ROPC on the v2 endpoint, OpenID scopes only). */
async function idTokenFor(upn: string): Promise<string> {
  const response = await fetch(`${emulator.loginUrl}/${DEMO_API.homeTenantId}/oauth2/v2.0/token`, {
    method: "POST",
    body: new URLSearchParams({
      grant_type: "password",
      client_id: DEMO_API.apiAppId,
      client_secret: SHARED_APP_SECRET,
      username: upn,
      password: DEMO.userPassword,
      scope: "openid profile",
    }),
  });
  const body = (await response.json()) as { id_token?: string; error_description?: string };
  if (!response.ok || !body.id_token) throw new Error(`ROPC failed: ${body.error_description}`);
  return body.id_token;
}

test("ID tokens are refused on the REST API even with roles or mapped groups and the API's own audience; access tokens for it work", async () => {
  await control.loadScenario(sharedRegistrationScenario());
  try {
    await configure({ apiAudience: DEMO_API.apiAppId, apiIssuer: `${emulator.loginUrl}/{TenantId}/v2.0` });
    await mapGroups([{ groupId: DEMO_API.operatorsGroupId, role: "OPERATOR" }]);

    const ownerIdToken = await idTokenFor("owner@lakeshoreit.onmicrosoft.com");
    const techIdToken = await idTokenFor("tech@lakeshoreit.onmicrosoft.com");
    const v2Issuer = `${emulator.loginUrl}/${DEMO_API.homeTenantId}/v2.0`;
    expect(decodeJwt(ownerIdToken)).toMatchObject({ aud: DEMO_API.apiAppId, iss: v2Issuer, roles: ["Administrator"] });
    expect(decodeJwt(techIdToken)).toMatchObject({ aud: DEMO_API.apiAppId, iss: v2Issuer, groups: [DEMO_API.operatorsGroupId] });
    for (const token of [ownerIdToken, techIdToken]) {
      await expectInvalidToken(token, /ID token, not an access token/);
      expect((await (await apiClient(token)).post("verification-runs", { data: { tenantIds: ["no-such-tenant"] } })).status()).toBe(401);
    }

    // The API's own access tokens (v2.0 now: aud = its app id, azp = the client) are accepted.
    const accessToken = await clientToken(DEMO_API.admin);
    expect(decodeJwt(accessToken)).toMatchObject({ aud: DEMO_API.apiAppId, iss: v2Issuer, azp: DEMO_API.admin.clientId, roles: ["Administrator"] });
    await json(await (await apiClient(accessToken)).get("tenants"));
    const groupOperator = await apiClient(await clientToken(DEMO_API.groupOperator));
    await expectProblem(await groupOperator.post("verification-runs", { data: { tenantIds: ["no-such-tenant"] } }), 422, "validation");
  } finally {
    await restoreDemoScenario();
    await mapGroups(groupRolesBefore.map((r) => ({ groupId: r.groupId, role: r.role })));
    await configure();
  }
});
