import { randomUUID } from "node:crypto";
import { expect, test } from "@playwright/test";
import { decodeJwt, decodeProtectedHeader, generateKeyPair, SignJWT } from "jose";
import { apiClient, expectProblem, json } from "./support/api";
import { e2eDb } from "./support/db";
import { control, DEMO, DEMO_API, emulator } from "./support/emulator";

// Entra ID access tokens on the REST API: client-credentials tokens the emulator issues for the MSP's
// own API ("Tenant Access Console API", app roles Administrator/Operator/Viewer), validated with the
// Entra Authentication settings (seed 001) — and tokens that fail each of its rules.

type Client = { clientId: string; secret: string };
type SettingsRow = Awaited<ReturnType<typeof e2eDb.entraAuthSettings.findUnique>>;

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

test.describe.configure({ mode: "serial" });

let settingsBefore: SettingsRow = null;

test.beforeAll(async () => {
  settingsBefore = await e2eDb.entraAuthSettings.findUnique({ where: { id: "entra" } });
  await configure();
});

test.afterAll(async () => {
  await control.setClock({ offsetSeconds: 0 });
  await e2eDb.entraAuthSettings.deleteMany({});
  if (settingsBefore) await e2eDb.entraAuthSettings.create({ data: settingsBefore });
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
