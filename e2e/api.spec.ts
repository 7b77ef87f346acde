import { spawnSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { expect, request, test, type APIRequestContext, type APIResponse } from "./support/test";
import { baseURL } from "../playwright.config";
import { createAdmin } from "./support/admins";
import {
  API_RATE_LIMIT,
  apiClient,
  clients,
  consoleSessionCookie,
  createApiToken,
  emulatorProviderSettings,
  expectProblem,
  json,
  progressEvents,
  seedDemoTenant,
} from "./support/api";
import { e2eDb } from "./support/db";
import { control, DEMO } from "./support/emulator";

// The REST API (/api/v1) over HTTP against the running console and the emulator: every endpoint, each
// role, problem details, concurrency, API token states, rate limiting, Verify All. Entra bearer tokens
// are in api-entra.spec.ts.

type Json = Record<string, unknown>;
type TenantJson = Json & { id: string; customerId: string; version: number; lastStatus: string; lastVerification: Json | null };
type RunJson = Json & { id: string; status: string; total: number; done: number; joined?: boolean };

const ENDPOINTS = [
  "GET /openapi.json",
  "GET /tenants",
  "GET /failure-groups",
  "POST /tenants",
  "GET /tenants/{id}",
  "PATCH /tenants/{id}",
  "DELETE /tenants/{id}",
  "POST /tenants/{id}/verify",
  "POST /tenants/{id}/access-token",
  "GET /tenants/{id}/consent-link",
  "POST /tenants/{id}/consent-link",
  "GET /tenants/{id}/app-registration",
  "PUT /tenants/{id}/app-registration",
  "DELETE /tenants/{id}/app-registration",
  "GET /tenants/{id}/users",
  "POST /tenants/{id}/users/sync",
  "POST /tenants/{id}/users/sync/cancel",
  "POST /verification-runs",
  "GET /verification-runs/{id}",
  "GET /verification-runs/{id}/events",
  "POST /verification-runs/{id}/cancel",
  "GET /verification-runs/{id}/results",
  "GET /settings/provider",
  "PUT /settings/provider",
  "GET /audit",
  "GET /channels",
  "POST /channels",
  "GET /channels/{id}",
  "PATCH /channels/{id}",
  "DELETE /channels/{id}",
  "POST /channels/{id}/test",
  "GET /channels/{id}/deliveries",
  "GET /incidents",
  "POST /incidents/{id}/acknowledge",
  "GET /alert-rules",
  "POST /alert-rules",
  "GET /alert-rules/{id}",
  "PUT /alert-rules/{id}",
  "DELETE /alert-rules/{id}",
  "GET /tags",
  "POST /tags",
  "PATCH /tags/{id}",
  "DELETE /tags/{id}",
  "POST /tags/{id}/assign",
  "POST /tags/{id}/unassign",
  "PUT /tenants/{id}/tags",
  "POST /consent-campaigns",
  "GET /consent-campaigns",
  "GET /consent-campaigns/{id}",
  "GET /consent-campaigns/{id}/invitations",
  "POST /app-registrations/{id}/rotations",
  "GET /app-registrations/{id}/rotations",
  "GET /app-registrations/{id}/rotations/{rotationId}",
  "POST /invitations/{id}/resend",
  "POST /invitations/{id}/revoke",
  "GET /admins",
  "POST /admins",
  "PATCH /admins/{id}",
  "POST /admins/{id}/reset-password",
  "POST /admins/{id}/revoke-sessions",
  "GET /admins/invitations",
  "POST /admins/invitations",
  "POST /admins/invitations/{id}/revoke",
];

const prefix = () => `api${randomUUID().slice(0, 6)}`;

function newTenant(customerId: string, overrides: Json = {}) {
  return {
    customerId,
    displayName: `API customer ${customerId}`,
    tenantRef: DEMO.litware.domain,
    adminEmail: `Admin@${customerId}.example`,
    authMethod: "APP_REGISTRATION",
    cloud: "CUSTOM",
    ...overrides,
  };
}

/** Points the provider app at the emulator through the API itself (the settings' ETag as If-Match). */
async function configureProvider(admin: APIRequestContext) {
  const current = await admin.get("settings/provider");
  const put = await admin.put("settings/provider", { data: emulatorProviderSettings(), headers: { "If-Match": current.headers().etag! } });
  return json<Json & { version: number; changedFields: string[] }>(put);
}

async function auditFor(client: APIRequestContext, query: Record<string, string>) {
  return json<{
    items: (Json & { action: string; actorType: string; actorLabel: string; requestId: string | null; targetId: string | null })[];
    total: number;
  }>(await client.get("audit", { params: query }));
}

test.describe.configure({ mode: "serial" });

let providerBefore: Awaited<ReturnType<typeof e2eDb.appRegistration.findUnique>> = null;

test.beforeAll(async () => {
  providerBefore = await e2eDb.appRegistration.findUnique({ where: { id: "provider" } });
});

test.afterAll(async () => {
  // Other specs configure the provider app through the console; leave it as this spec found it.
  await e2eDb.appRegistration.deleteMany({});
  if (providerBefore) await e2eDb.appRegistration.create({ data: providerBefore });
  await control.setLatency({ token: { fixedMs: 0, jitterMs: 0 }, graph: { fixedMs: 0, jitterMs: 0 } });
});

test("the OpenAPI document is public and lists every endpoint with its role", async () => {
  const anonymous = await apiClient();
  const response = await anonymous.get("openapi.json");
  const doc = await json<{ openapi: string; paths: Record<string, Record<string, Json>>; components: { schemas: Record<string, Json> } }>(response);
  expect(response.headers()["content-type"]).toContain("application/json");
  expect(doc.openapi).toBe("3.1.0");
  const listed = Object.entries(doc.paths).flatMap(([p, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${p}`));
  expect(listed.sort()).toEqual([...ENDPOINTS].sort());
  expect(doc.paths["/settings/provider"]!.put!["x-minimum-role"]).toBe("Administrator");
  expect(doc.paths["/tenants/{id}/verify"]!.post!["x-minimum-role"]).toBe("Operator");
  expect(doc.paths["/tenants/{id}/app-registration"]!.put!["x-minimum-role"]).toBe("Administrator");
  expect(doc.paths["/audit"]!.get!["x-minimum-role"]).toBe("Viewer");
  expect(doc.paths["/tenants/{id}/users/sync"]!.post!["x-minimum-role"]).toBe("Operator");
  expect(doc.components.schemas.TenantUserPage).toBeDefined();
  expect(doc.components.schemas.Problem).toBeDefined();
});

test("authentication: no token, garbage, revoked, expired and unknown tokens are 401; a browser session is not accepted", async () => {
  const anonymous = await apiClient();
  const none = await anonymous.get("tenants");
  await expectProblem(none, 401, "unauthorized");
  expect(none.headers()["www-authenticate"]).toBe('Bearer realm="tenant-access-console"');

  for (const [authorization, detail] of [
    ["Bearer garbage", /not enabled/],
    ["Basic dXNlcjpwYXNzd29yZA==", /must be Bearer/],
    [`Bearer tac_${"x".repeat(10)}`, /malformed/],
    [`Bearer tac_${"A".repeat(43)}`, /not known/],
  ] as const) {
    const response = await anonymous.get("tenants", { headers: { Authorization: authorization } });
    const problem = await expectProblem(response, 401, "unauthorized");
    expect(problem.detail).toMatch(detail);
    expect(response.headers()["www-authenticate"]).toMatch(/^Bearer realm="tenant-access-console", error="invalid_token"/);
  }

  const revoked = await createApiToken("ADMINISTRATOR", { revokedAt: new Date() });
  const expired = await createApiToken("ADMINISTRATOR", { expiresAt: new Date(Date.now() - 60_000) });
  expect((await expectProblem(await (await apiClient(revoked.token)).get("tenants"), 401, "unauthorized")).detail).toMatch(/revoked/);
  expect((await expectProblem(await (await apiClient(expired.token)).post("tenants", { data: newTenant(prefix()) }), 401, "unauthorized")).detail).toMatch(
    /expired/,
  );

  // A valid token works, its last use is recorded, and the request id is echoed (or replaced when unsafe).
  const viewer = await createApiToken("VIEWER");
  const client = await apiClient(viewer.token);
  const ok = await client.get("tenants", { headers: { "X-Request-Id": "nightly-sync.42" } });
  expect(ok.status()).toBe(200);
  expect(ok.headers()["x-request-id"]).toBe("nightly-sync.42");
  expect(ok.headers()["ratelimit-limit"]).toBe(String(API_RATE_LIMIT));
  const replaced = await client.get("tenants", { headers: { "X-Request-Id": "not safe <script>" } });
  expect(replaced.headers()["x-request-id"]).toMatch(/^[0-9a-f-]{36}$/);
  const used = await e2eDb.apiToken.findUniqueOrThrow({ where: { id: viewer.id } });
  expect(used.lastUsedAt).not.toBeNull();
  expect(used.lastUsedFrom).toBeTruthy();

  // A signed-in administrator's session cookie opens the console, but authorizes nothing under /api/v1.
  const email = (await createAdmin("ADMINISTRATOR")).email;
  const cookie = await consoleSessionCookie(await e2eDb.adminUser.findUniqueOrThrow({ where: { email }, select: { id: true, email: true } }));
  const browser = await request.newContext({ baseURL, extraHTTPHeaders: { Cookie: cookie } });
  expect((await browser.get("/tenants/counts")).status()).toBe(200);
  await expectProblem(await browser.get("/api/v1/tenants"), 401, "unauthorized");
  await expectProblem(await browser.post("/api/v1/tenants", { data: newTenant(prefix()) }), 401, "unauthorized");
  expect(await e2eDb.tenant.count({ where: { adminEmail: { endsWith: ".example" }, displayName: { startsWith: "API customer" } } })).toBe(0);
});

test("tenants: create, read by id or customer id, list, patch with If-Match, conflicts, delete; validation and bad queries", async () => {
  const { admin, tokens } = await clients();
  const p = prefix();
  // An Entra tenant is managed once: earlier specs' tenants of the demo directories this test adds give
  // them up first (a second one is refused: e2e/tenant-page-actions.spec.ts, lib/tenants/manage.test.ts).
  await e2eDb.tenant.updateMany({
    where: { OR: [{ entraTenantId: { in: [DEMO.litware.id, DEMO.contoso.id] } }, { primaryDomain: { in: [DEMO.litware.domain, DEMO.contoso.domain] } }] },
    data: { entraTenantId: null, primaryDomain: null },
  });

  // Validation: 422 with one error per field; media type, JSON syntax and size are checked first.
  const invalid = await expectProblem(await admin.post("tenants", { data: { customerId: "", adminEmail: "nope", cloud: "MARS" } }), 422, "validation");
  expect([...new Set(invalid.errors!.map((e) => e.path))].sort()).toEqual(["adminEmail", "authMethod", "cloud", "customerId", "displayName", "tenantRef"]);
  expect(invalid.errors!.find((e) => e.path === "customerId")!.message).toBe("Enter the customer id.");
  await expectProblem(await admin.post("tenants", { data: { ...newTenant(`${p}-x`), extra: 1 } }), 422, "validation");
  await expectProblem(
    await admin.post("tenants", { data: Buffer.from("customerId=x"), headers: { "Content-Type": "application/x-www-form-urlencoded" } }),
    415,
    "unsupported-media-type",
  );
  const broken = await expectProblem(
    await admin.post("tenants", { data: Buffer.from('{"customerId": "x", "secret": "hunter2"'), headers: { "Content-Type": "application/json" } }),
    400,
    "bad-request",
  );
  expect(JSON.stringify(broken)).not.toContain("hunter2");
  await expectProblem(await admin.post("tenants", { data: { ...newTenant(`${p}-big`), displayName: "x".repeat(300 * 1024) } }), 413, "payload-too-large");
  await expectProblem(await admin.post("tenants", { headers: { "Content-Type": "application/json" } }), 400, "bad-request");

  // Create two tenants.
  const created = await admin.post("tenants", { data: newTenant(`${p}-one`) });
  const one = await json<TenantJson>(created, 201);
  expect(created.headers().location).toBe(`/api/v1/tenants/${one.id}`);
  expect(created.headers().etag).toBe('"1"');
  expect(one).toMatchObject({
    customerId: `${p}-one`,
    adminEmail: `admin@${p}-one.example`,
    primaryDomain: DEMO.litware.domain,
    lastStatus: "NEVER",
    version: 1,
    credentials: [],
    lastVerification: null,
  });
  await json(await admin.post("tenants", { data: newTenant(`${p}-two`, { displayName: "Zeta", tenantRef: DEMO.contoso.id }) }), 201);
  const duplicate = await expectProblem(await admin.post("tenants", { data: newTenant(`${p}-one`) }), 422, "validation");
  expect(duplicate.errors).toEqual([{ path: "customerId", message: `A tenant with customer id ${p}-one already exists.` }]);

  // Read by internal id and by customer id.
  const byCustomer = await admin.get(`tenants/${p}-one`);
  expect(byCustomer.headers().etag).toBe('"1"');
  expect((await json<TenantJson>(byCustomer)).id).toBe(one.id);
  expect((await json<TenantJson>(await admin.get(`tenants/${one.id}`))).customerId).toBe(`${p}-one`);
  await expectProblem(await admin.get(`tenants/${p}-missing`), 404, "not-found");

  // List: filters, sort, order, paging; bad query parameters are 400 with the parameter named.
  const page = await json<{ items: TenantJson[]; total: number; page: number; pageSize: number }>(
    await admin.get("tenants", {
      params: { q: p, status: "NEVER,FAILED", method: "APP_REGISTRATION", cloud: "CUSTOM", sort: "displayName", order: "desc", pageSize: "1" },
    }),
  );
  expect(page).toMatchObject({ total: 2, page: 1, pageSize: 1 });
  expect(page.items.map((t) => t.customerId)).toEqual([`${p}-two`]);
  expect(
    (await json<{ items: TenantJson[] }>(await admin.get("tenants", { params: { q: p, sort: "displayName", page: "2", pageSize: "1" } }))).items[0]!.customerId,
  ).toBe(`${p}-two`);
  for (const [params, path] of [
    [{ pageSize: "500" }, "pageSize"],
    [{ status: "VERIFIED,BOGUS" }, "status.1"],
    [{ sort: "secret" }, "sort"],
    [{ dir: "asc" }, ""],
    [{ page: "0" }, "page"],
  ] as const) {
    const problem = await expectProblem(await admin.get("tenants", { params }), 400, "bad-request");
    expect(
      problem.errors!.map((e) => e.path),
      JSON.stringify(params),
    ).toContain(path);
  }
  expect((await expectProblem(await admin.get("tenants?page=1&page=2"), 400, "bad-request")).errors![0]!.path).toBe("page");

  // PATCH with If-Match; a stale version is a 409 and changes nothing.
  const patched = await admin.patch(`tenants/${p}-one`, { data: { displayName: "Renamed" }, headers: { "If-Match": '"1"' } });
  expect(await json<TenantJson>(patched)).toMatchObject({ displayName: "Renamed", version: 2, primaryDomain: DEMO.litware.domain });
  expect(patched.headers().etag).toBe('"2"');
  const stale = await expectProblem(
    await admin.patch(`tenants/${one.id}`, { data: { displayName: "Lost update" }, headers: { "If-Match": '"1"' } }),
    409,
    "version-conflict",
  );
  expect(stale.detail).toMatch(/current version is 2/);
  expect((await e2eDb.tenant.findUniqueOrThrow({ where: { id: one.id } })).displayName).toBe("Renamed");
  expect((await expectProblem(await admin.patch(`tenants/${one.id}`, { data: { adminEmail: "not-an-email" } }), 422, "validation")).errors![0]!.path).toBe(
    "adminEmail",
  );
  await expectProblem(await admin.patch(`tenants/${one.id}`, { data: {} }), 422, "validation");
  await expectProblem(await admin.patch(`tenants/${one.id}`, { data: { displayName: "x" }, headers: { "If-Match": "yesterday" } }), 400, "bad-request");
  const renamedId = await admin.patch(`tenants/${one.id}`, { data: { customerId: `${p}-uno`, tenantRef: DEMO.litware.id }, headers: { "If-Match": '"2"' } });
  expect(await json<TenantJson>(renamedId)).toMatchObject({
    customerId: `${p}-uno`,
    entraTenantId: DEMO.litware.id,
    primaryDomain: DEMO.litware.domain,
    version: 3,
  });
  await expectProblem(await admin.patch(`tenants/${one.id}`, { data: { customerId: `${p}-two` } }), 422, "validation");

  // DELETE honours If-Match too.
  await expectProblem(await admin.delete(`tenants/${p}-uno`, { headers: { "If-Match": '"1"' } }), 409, "version-conflict");
  const deleted = await admin.delete(`tenants/${p}-uno`, { headers: { "If-Match": '"3"' } });
  expect(deleted.status()).toBe(204);
  await expectProblem(await admin.get(`tenants/${one.id}`), 404, "not-found");
  expect((await admin.delete(`tenants/${p}-two`)).status()).toBe(204);

  // Every write is audited with the token's name as actor and the request's id.
  const audit = await auditFor(admin, { actor: tokens.admin.name, action: "tenant.created,tenant.updated,tenant.deleted" });
  expect(audit.items.map((e) => e.action).sort()).toEqual([
    "tenant.created",
    "tenant.created",
    "tenant.deleted",
    "tenant.deleted",
    "tenant.updated",
    "tenant.updated",
  ]);
  for (const e of audit.items) expect(e).toMatchObject({ actorType: "api_token", actorLabel: tokens.admin.name });
  const createdEvent = audit.items.find((e) => e.action === "tenant.created" && e.targetId === one.id)!;
  expect(createdEvent.requestId).toBe(created.headers()["x-request-id"]);
  const row = await e2eDb.auditEvent.findFirstOrThrow({ where: { id: createdEvent.id as string } });
  expect(row.actorId).toBe(tokens.admin.id);
});

test("roles: viewers only read; operators verify, send consent links and run Verify All; only administrators change tenants and settings", async () => {
  const { admin, operator, viewer } = await clients();
  const p = prefix();
  const tenant = await seedDemoTenant(p, "contoso");
  const before = await e2eDb.tenant.findUniqueOrThrow({ where: { id: tenant.id } });

  for (const client of [viewer, operator, admin]) {
    await json(await client.get("tenants", { params: { q: p } }));
    await json(await client.get(`tenants/${tenant.customerId}`));
    await json(await client.get("settings/provider"));
    await json(await client.get("audit", { params: { pageSize: "1" } }));
    await expectProblem(await client.get(`tenants/${tenant.customerId}/consent-link`), 404, "not-found");
  }

  const viewerWrites: [string, Promise<APIResponse>][] = [
    ["create", viewer.post("tenants", { data: newTenant(`${p}-v`) })],
    ["patch", viewer.patch(`tenants/${tenant.id}`, { data: { displayName: "Viewer was here" } })],
    ["delete", viewer.delete(`tenants/${tenant.id}`)],
    ["verify", viewer.post(`tenants/${tenant.id}/verify`)],
    ["consent link", viewer.post(`tenants/${tenant.id}/consent-link`)],
    ["run", viewer.post("verification-runs")],
    ["cancel", viewer.post(`verification-runs/${randomUUID()}/cancel`)],
    ["settings", viewer.put("settings/provider", { data: emulatorProviderSettings() })],
  ];
  for (const [what, response] of viewerWrites) {
    const problem = await expectProblem(await response, 403, "forbidden");
    expect(problem.detail, what).toMatch(/needs the (Operator|Administrator) role; the token has Viewer/);
  }
  const operatorWrites = [
    operator.post("tenants", { data: newTenant(`${p}-o`) }),
    operator.patch(`tenants/${tenant.id}`, { data: { displayName: "Operator was here" } }),
    operator.delete(`tenants/${tenant.id}`),
    operator.put("settings/provider", { data: emulatorProviderSettings() }),
  ];
  for (const response of operatorWrites)
    expect((await expectProblem(await response, 403, "forbidden")).detail).toMatch(/needs the Administrator role; the token has Operator/);
  expect(await e2eDb.tenant.findUniqueOrThrow({ where: { id: tenant.id } })).toEqual(before);
  expect(await e2eDb.tenant.count({ where: { customerId: { startsWith: p } } })).toBe(1);

  // The operator's own writes pass the role check (and then validation).
  const unknown = await expectProblem(
    await operator.post("verification-runs", { data: { tenantIds: [tenant.customerId, "no-such-tenant"] } }),
    422,
    "validation",
  );
  expect(unknown.errors).toEqual([{ path: "tenantIds.1", message: "No tenant has this id or customer id." }]);
  await expectProblem(await operator.post(`tenants/${tenant.id}/consent-link`, { data: { expiresInDays: 0 } }), 422, "validation");
  await expectProblem(await operator.post(`verification-runs/${randomUUID()}/cancel`), 404, "not-found");
});

test("provider settings: no secrets in GET; PUT by an administrator with If-Match; 409 when stale, 422 when invalid", async () => {
  const { admin, viewer, tokens } = await clients();
  const first = await admin.get("settings/provider");
  const view = await json<Json & { version: number }>(first);
  expect(first.headers().etag).toBe(`"${view.version}"`);
  expect(Object.keys(view)).not.toContain("clientSecret");

  const invalid = await expectProblem(
    await admin.put("settings/provider", {
      data: { ...emulatorProviderSettings(), clientId: "not-a-guid", redirectUrl: "http://evil.example/cb" },
      headers: { "If-Match": first.headers().etag! },
    }),
    422,
    "validation",
  );
  expect(invalid.errors!.map((e) => e.path)).toEqual(expect.arrayContaining(["clientId", "redirectUrl"]));

  const saved = await admin.put("settings/provider", { data: emulatorProviderSettings(), headers: { "If-Match": first.headers().etag! } });
  const body = await json<Json & { version: number; changedFields: string[]; hasSecret: boolean; secretHint: string }>(saved);
  expect(body).toMatchObject({ configured: true, hasSecret: true, secretHint: DEMO.providerSecret.slice(0, 3), cloud: "CUSTOM", version: view.version + 1 });
  expect(body.changedFields).toContain("clientSecret");
  expect(saved.headers().etag).toBe(`"${view.version + 1}"`);
  expect(await saved.text()).not.toContain(DEMO.providerSecret);
  expect(await (await viewer.get("settings/provider")).text()).not.toContain(DEMO.providerSecret);

  const stale = await expectProblem(
    await admin.put("settings/provider", { data: emulatorProviderSettings(), headers: { "If-Match": first.headers().etag! } }),
    409,
    "version-conflict",
  );
  expect(stale.detail).toMatch(/current version/);
  // Without If-Match the current version applies; an empty secret keeps the stored one.
  const kept = await json<Json & { hasSecret: boolean; changedFields: string[] }>(
    await admin.put("settings/provider", { data: { ...emulatorProviderSettings(), clientSecret: "" } }),
  );
  expect(kept).toMatchObject({ hasSecret: true, changedFields: [] });

  const audit = await auditFor(admin, { actor: tokens.admin.name, action: "app_registration.updated", targetType: "app_registration" });
  expect(audit.total).toBe(2);
  expect(audit.items[1]!.requestId).toBe(saved.headers()["x-request-id"]);
});

test("verify a tenant, and consent links: none active (404), created with an expiry, then shown as metadata", async () => {
  const { admin, operator, viewer, tokens } = await clients();
  await configureProvider(admin);
  const p = prefix();
  const contoso = await seedDemoTenant(p, "contoso");
  const proseware = await seedDemoTenant(p, "proseware");

  const verified = await json<Json & { status: string; timings: { totalMs: number; tokenMs?: number }; remediation: { action: string } }>(
    await operator.post(`tenants/${contoso.customerId}/verify`),
  );
  expect(verified).toMatchObject({
    tenantId: contoso.id,
    customerId: contoso.customerId,
    status: "VERIFIED",
    reasonCode: "VERIFIED",
    runId: null,
    remediation: { action: "none" },
  });
  expect(verified.timings.totalMs).toBeGreaterThanOrEqual(0);
  expect(verified.permissions).toMatchObject({ missing: [] });

  const failed = await json<Json & { remediation: { action: string }; diagnostics: { errorCodes?: number[] } }>(
    await operator.post(`tenants/${proseware.id}/verify`),
  );
  expect(failed).toMatchObject({ status: "FAILED", customerId: proseware.customerId, remediation: { action: "send_consent_link" } });
  expect(failed.diagnostics.errorCodes).toContain(700016);
  expect(failed.explanation).toBeTruthy();
  await expectProblem(await operator.post(`tenants/${p}-none/verify`), 404, "not-found");

  const detail = await json<TenantJson>(await viewer.get(`tenants/${proseware.customerId}`));
  expect(detail).toMatchObject({ lastStatus: "FAILED", lastVerification: { status: "FAILED", remediation: { action: "send_consent_link" } } });

  await expectProblem(await viewer.get(`tenants/${proseware.customerId}/consent-link`), 404, "not-found");
  const tooLong = await expectProblem(await operator.post(`tenants/${proseware.customerId}/consent-link`, { data: { expiresInDays: 365 } }), 422, "validation");
  expect(tooLong.errors![0]!.path).toBe("expiresInDays");
  const created = await json<{ url: string; expiresAt: string; flow: string }>(
    await operator.post(`tenants/${proseware.customerId}/consent-link`, { data: { expiresInDays: 2 } }),
    201,
  );
  expect(created.url).toMatch(/\/consent\/[A-Za-z0-9_-]{43}$/);
  expect(created.flow).toBe("ADMIN_CONSENT");
  expect(Math.abs(new Date(created.expiresAt).getTime() - (Date.now() + 2 * 86_400_000))).toBeLessThan(60_000);
  const withoutBody = await json<{ url: string; expiresAt: string }>(await operator.post(`tenants/${proseware.id}/consent-link`), 201);
  expect(withoutBody.url).not.toBe(created.url);

  const active = await json<Json & { createdBy: string; expiresAt: string }>(await viewer.get(`tenants/${proseware.customerId}/consent-link`));
  expect(active).toMatchObject({ flow: "ADMIN_CONSENT", createdBy: tokens.operator.name, expiresAt: withoutBody.expiresAt });
  expect(JSON.stringify(active)).not.toContain("/consent/");

  const audit = await auditFor(viewer, { actorType: "api_token", actor: tokens.operator.name, targetId: proseware.id });
  expect(audit.items.map((e) => e.action).sort()).toEqual(["consent_link.created", "consent_link.created", "tenant.verified"]);
  for (const event of audit.items) expect(event.requestId).toMatch(/^[A-Za-z0-9._:-]{8,}$/);
});

test("Verify All: 202 with the run, joined while active, followed as server-sent events, polled to completion, results paged, cancel", async () => {
  test.setTimeout(120_000);
  const { admin, operator, viewer, tokens } = await clients();
  await configureProvider(admin);
  const p = prefix();
  const seeded = [await seedDemoTenant(p, "contoso"), await seedDemoTenant(p, "proseware"), await seedDemoTenant(p, "litware")];
  // Slow token responses keep the run active long enough to join it and to stream its progress.
  await control.setLatency({ token: { fixedMs: 1500, jitterMs: 0 } });
  try {
    const started = await operator.post("verification-runs");
    const run = await json<RunJson>(started, 202);
    expect(run).toMatchObject({ status: "RUNNING", joined: false, trigger: "api", requestedBy: tokens.operator.name });
    expect(run.total).toBe(await e2eDb.tenant.count());
    expect(started.headers().location).toBe(`/api/v1/verification-runs/${run.id}`);

    const events = viewer.get(`verification-runs/${run.id}/events`, { timeout: 90_000 });
    const joined = await json<RunJson>(await operator.post("verification-runs", { data: { tenantIds: [seeded[0]!.id] } }), 202);
    expect(joined).toMatchObject({ id: run.id, joined: true });

    await expect
      .poll(async () => (await json<RunJson>(await viewer.get(`verification-runs/${run.id}`))).status, { timeout: 90_000, intervals: [1000] })
      .toBe("COMPLETED");
    const done = await json<RunJson>(await viewer.get(`verification-runs/${run.id}`));
    expect(done.done).toBe(done.total);
    expect(done.remaining).toBe(0);

    const stream = await events;
    expect(stream.status()).toBe(200);
    expect(stream.headers()["content-type"]).toContain("text/event-stream");
    const progress = progressEvents(await stream.text());
    expect(progress.length).toBeGreaterThanOrEqual(2);
    expect(progress[0]).toMatchObject({ id: run.id, status: "RUNNING" });
    expect(progress.at(-1)).toMatchObject({ id: run.id, status: "COMPLETED", done: done.total });

    // Results, paged by customer id, filtered by status.
    const first = await json<{ items: (Json & { customerId: string; status: string; runId: string })[]; total: number }>(
      await viewer.get(`verification-runs/${run.id}/results`, { params: { pageSize: "2" } }),
    );
    expect(first.total).toBe(done.total);
    expect(first.items).toHaveLength(Math.min(2, done.total));
    expect(first.items[0]!.runId).toBe(run.id);
    const failures = await json<{ items: (Json & { customerId: string; status: string })[] }>(
      await viewer.get(`verification-runs/${run.id}/results`, { params: { status: "FAILED", pageSize: "200" } }),
    );
    expect(failures.items.every((r) => r.status === "FAILED")).toBe(true);
    expect(failures.items.map((r) => r.customerId)).toContain(`${p}-proseware`);
    expect(failures.items.map((r) => r.customerId)).not.toContain(`${p}-contoso`);
    await expectProblem(await viewer.get(`verification-runs/${run.id}/results`, { params: { status: "NEVER" } }), 400, "bad-request");

    for (const path of ["", "/events", "/results"]) await expectProblem(await viewer.get(`verification-runs/${randomUUID()}${path}`), 404, "not-found");

    // A selection by customer ids, cancelled while it runs.
    const selection = await json<RunJson>(await operator.post("verification-runs", { data: { tenantIds: seeded.map((t) => t.customerId) } }), 202);
    expect(selection).toMatchObject({ joined: false, total: 3, status: "RUNNING" });
    const cancelled = await json<{ cancelled: boolean; run: RunJson }>(await operator.post(`verification-runs/${selection.id}/cancel`));
    expect(cancelled).toMatchObject({ cancelled: true, run: { id: selection.id, status: "CANCELLED" } });
    expect((await json<{ cancelled: boolean }>(await operator.post(`verification-runs/${selection.id}/cancel`))).cancelled).toBe(false);

    const audit = await auditFor(viewer, { actor: tokens.operator.name, action: "verification_run.started,verification_run.cancelled" });
    expect(audit.items.map((e) => e.action).sort()).toEqual(["verification_run.cancelled", "verification_run.started", "verification_run.started"]);
    // The engine records these events with the request id of the API call that caused them.
    for (const event of audit.items) expect(event.requestId).toMatch(/^[A-Za-z0-9._:-]{8,}$/);
  } finally {
    await control.setLatency({ token: { fixedMs: 0, jitterMs: 0 } });
  }
});

test("audit: filters by actor, action, target, request id and time range; bad filters are 400", async () => {
  const { admin, viewer, tokens } = await clients();
  const p = prefix();
  const created = await admin.post("tenants", { data: newTenant(`${p}-audit`, { tenantRef: `${p}-audit.example` }) });
  const tenant = await json<TenantJson>(created, 201);
  const since = new Date(Date.now() - 60_000).toISOString();

  const byRequest = await auditFor(viewer, { requestId: created.headers()["x-request-id"]! });
  expect(byRequest.items).toHaveLength(1);
  expect(byRequest.items[0]).toMatchObject({
    action: "tenant.created",
    actorLabel: tokens.admin.name,
    targetType: "tenant",
    targetId: tenant.id,
    details: { customerId: `${p}-audit` },
  });
  expect((await auditFor(viewer, { targetType: "tenant", targetId: tenant.id, from: since, to: new Date(Date.now() + 60_000).toISOString() })).total).toBe(1);
  expect((await auditFor(viewer, { targetId: tenant.id, to: since })).total).toBe(0);
  expect((await auditFor(viewer, { actor: tokens.admin.name, actorType: "admin" })).total).toBe(0);

  for (const [params, path] of [
    [{ action: "tenant.exploded" }, "action.0"],
    [{ from: "yesterday" }, "from"],
    [{ from: new Date().toISOString(), to: since }, "to"],
    [{ actorType: "robot" }, "actorType"],
  ] as const) {
    expect((await expectProblem(await viewer.get("audit", { params }), 400, "bad-request")).errors!.map((e) => e.path)).toContain(path);
  }
  await admin.delete(`tenants/${tenant.id}`);
});

test("rate limiting: past the per-token limit a 429 with Retry-After, audited once; other tokens are unaffected", async () => {
  const flood = await createApiToken("VIEWER");
  const client = await apiClient(flood.token);
  let limited: APIResponse | null = null;
  // A fixed window may end mid-burst, so allow up to two windows' worth before expecting the refusal.
  for (let sent = 0; sent < API_RATE_LIMIT * 2 + 20 && !limited; sent += 20) {
    const batch = await Promise.all(Array.from({ length: 20 }, () => client.get("tenants", { params: { pageSize: "1" } })));
    limited = batch.find((r) => r.status() === 429) ?? null;
  }
  expect(limited).not.toBeNull();
  const problem = await expectProblem(limited!, 429, "rate-limited");
  expect(problem.detail).toMatch(new RegExp(`At most ${API_RATE_LIMIT} requests per minute`));
  const retryAfter = Number(limited!.headers()["retry-after"]);
  expect(retryAfter).toBeGreaterThanOrEqual(1);
  expect(retryAfter).toBeLessThanOrEqual(60);
  expect(limited!.headers()["ratelimit-remaining"]).toBe("0");

  // Another token is counted on its own.
  const other = await apiClient((await createApiToken("VIEWER")).token);
  expect((await other.get("tenants", { params: { pageSize: "1" } })).status()).toBe(200);

  await expect.poll(() => e2eDb.auditEvent.count({ where: { action: "api.rate_limited", actorLabel: flood.name } })).toBeGreaterThanOrEqual(1);
  const audits = await e2eDb.auditEvent.findMany({ where: { action: "api.rate_limited", actorLabel: flood.name } });
  // Once per window: at most two windows were touched by the burst.
  expect(audits.length).toBeLessThanOrEqual(2);
  expect(audits[0]).toMatchObject({ actorType: "api_token", actorId: flood.id });
});

test("the README's curl session lists tenants, starts Verify All and polls it to completion", async () => {
  test.setTimeout(120_000);
  const { admin, tokens } = await clients();
  await configureProvider(admin);
  const p = prefix();
  await seedDemoTenant(p, "proseware");
  const readme = readFileSync("README.md", "utf8");
  const block = /A session with an Operator token[^\n]*\n\n```bash\n([\s\S]+?)\n```/.exec(readme)?.[1];
  expect(block).toBeTruthy();
  // The first line exports placeholders; the spec passes the real values instead.
  const script = block!.split("\n").slice(1).join("\n");
  const run = spawnSync("bash", ["-euo", "pipefail", "-c", script], {
    env: { ...process.env, TAC: `${baseURL}/api/v1`, TOKEN: tokens.operator.token },
    encoding: "utf8",
    timeout: 100_000,
  });
  expect(run.status, run.stderr).toBe(0);
  expect(run.stdout).toContain(`${p}-proseware: App not present in the tenant → Send the customer's admin the consent link`);
  expect(run.stdout).toMatch(/event: progress\ndata: \{"id":"[0-9a-f-]{36}","status":"COMPLETED"/);
});
