import { randomUUID } from "node:crypto";
import { expect, test } from "./support/test";
import { decodeJwt, decodeProtectedHeader, generateKeyPair, SignJWT } from "jose";
import { apiClient, expectProblem, json, seedDemoTenant } from "./support/api";
import { e2eDb } from "./support/db";
import { control, DEMO, DEMO_API, emulator } from "./support/emulator";

// Entra ID access tokens on the REST API: client-credentials tokens the emulator issues for the MSP's
// own API ("Tenant Access Console API", app roles Administrator/Operator/Viewer), validated with the
// Entra Authentication settings (seed 001) — and tokens that fail each of its rules.

type Client = { clientId: string; secret: string };
type SettingsRow = Awaited<ReturnType<typeof e2eDb.entraAuthSettings.findUnique>>;
type GroupRoleRow = Awaited<ReturnType<typeof e2eDb.entraGroupRole.findMany>>[number];

const settings: Record<string, string | boolean> & { id: string } = {
  id: "entra",
  enabled: true,
  tenantId: DEMO_API.homeTenantId,
  clientId: DEMO.providerClientId,
  audience: DEMO_API.audience,
  issuer: `${emulator.loginUrl}/{TenantId}/`,
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
  const created = await admin.post("tenants", {
    data: { customerId, displayName: "Created by automation", tenantRef: DEMO.contoso.domain, adminEmail: DEMO.contoso.admin, authMethod: "APP_REGISTRATION", cloud: "CUSTOM" },
  });
  const tenant = await json<{ id: string }>(created, 201);
  const event = await e2eDb.auditEvent.findFirstOrThrow({ where: { action: "tenant.created", targetId: tenant.id } });
  expect(event).toMatchObject({ actorType: "entra_client", actorId: claims.oid, actorLabel: DEMO_API.admin.clientId, requestId: created.headers()["x-request-id"] });

  const operator = await apiClient(await clientToken(DEMO_API.operator));
  expect((await expectProblem(await operator.patch(`tenants/${tenant.id}`, { data: { displayName: "x" } }), 403, "forbidden")).detail).toMatch(/needs the Administrator role; the token has Operator/);
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
  expect(claims).toMatchObject({ aud: DEMO_API.audience, tid: DEMO_API.homeTenantId, appid: DEMO_API.groupOperator.clientId, groups: [DEMO_API.operatorsGroupId] });
  expect(claims.roles).toBeUndefined();
  const groupOperator = await apiClient(groupToken);
  const tenant = await seedDemoTenant(`entragrp${randomUUID().slice(0, 6)}`, "proseware");

  // Without a mapping for its group the token authenticates but carries no role: 403 on everything.
  await mapGroups([]);
  for (const response of [await groupOperator.get("tenants"), await groupOperator.post(`tenants/${tenant.id}/verify`), await groupOperator.patch(`tenants/${tenant.id}`, { data: { displayName: "x" } })]) {
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
  expect(event).toMatchObject({ actorType: "entra_client", actorId: claims.oid, actorLabel: DEMO_API.groupOperator.clientId, requestId: verify.headers()["x-request-id"] });
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
    expect((await expectProblem(await both.post(`tenants/${tenant.id}/verify`), 403, "forbidden")).detail).toMatch(/needs the Operator role; the token has Viewer/);
    await mapGroups([{ groupId: DEMO_API.operatorsGroupId, role: "ADMINISTRATOR" }]);
    expect((await expectProblem(await both.patch(`tenants/${tenant.id}`, { data: { displayName: "x" } }), 403, "forbidden")).detail).toMatch(/the token has Viewer/);
    // The same group makes the group-only client an Administrator.
    expect((await groupOperator.delete(`tenants/${tenant.id}`)).status()).toBe(204);
  } finally {
    await control.setServicePrincipalGroups(DEMO_API.homeTenantId, DEMO_API.viewer.clientId, []);
    await mapGroups(groupRolesBefore.map((r) => ({ groupId: r.groupId, role: r.role })));
  }
  expect(decodeJwt(await clientToken(DEMO_API.viewer)).groups).toBeUndefined();
});

test("Entra tokens failing each validation rule are 401 invalid_token", async () => {
  const viewerToken = await clientToken(DEMO_API.viewer);

  await configure({ issuer: `${emulator.loginUrl}/{TenantId}/v2.0` });
  await expectInvalidToken(viewerToken, /issuer/);
  await configure({ audience: "api://another-api" });
  await expectInvalidToken(viewerToken, /audience/);
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
  const hmac = await new SignJWT({ ...decodeJwt(viewerToken) }).setProtectedHeader({ alg: "HS256", kid: decodeProtectedHeader(viewerToken).kid }).sign(new TextEncoder().encode("x".repeat(32)));
  await expectInvalidToken(hmac, /algorithm/);

  // The same valid token passes again once the settings are right, and is refused when Entra auth is off.
  await json(await (await apiClient(viewerToken)).get("tenants"));
  await configure({ enabled: false });
  await expectInvalidToken(viewerToken, /Entra Authentication is not enabled/);
});
