import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import type { RunningEmulator } from "@/emulator/index";
import { testDataDir } from "@/emulator/testing/paths";
import { authorizeWithMsal, buildScenario, customerFixture, FIXTURE, prepareDatabase, seedProvider, seedTenant } from "@/lib/verification/testing";

// The access-token broker end to end: POST /api/v1/tenants/{id}/access-token on the real database and
// the emulator. Issuance per method, refusals outside the grant, the audit rows, the kill switch, the rate
// limit, one call to Microsoft under a burst, and no refresh token or secret in any answer, log or audit row.

type Route = typeof import("@/app/api/v1/tenants/[id]/access-token/route");

let emu: RunningEmulator;
let route: Route;
let db: (typeof import("@/lib/db"))["db"];
const customers = [1, 2, 3, 4, 5, 6].map((i) => customerFixture(i, { ownApp: i === 4 }));
const c = (i: number) => customers[i - 1]!;
const tenants = {} as Record<"app" | "delegated" | "password" | "own" | "burst" | "delegatedBurst", string>;
const tokens = {} as Record<"all" | "none" | "list" | "tags" | "viewer" | "slow", { token: string; id: string }>;
const answers: string[] = [];
const logs: string[] = [];
let graph = "";
const actor = { type: "admin", id: "admin-1", label: "admin@msp.example" } as const;

async function apiToken(name: string, role: "OPERATOR" | "VIEWER") {
  const { generateApiToken } = await import("@/lib/api-tokens/format");
  const { newId } = await import("@/lib/ids");
  const t = generateApiToken();
  const id = newId();
  await db.apiToken.create({
    data: { id, name, role, tokenHash: t.hash, prefix: t.prefix, createdBy: "test", expiresAt: new Date(Date.now() + 86_400_000) },
  });
  return { token: t.token, id };
}

async function grant(
  tokenId: string,
  g: Partial<{ tenantScope: "ALL" | "LIST" | "TAGS"; customerIds: string[]; tagIds: string[]; resources: string[]; scopes: string[]; ratePerMinute: number }>,
) {
  const { saveGrant } = await import("./grants");
  const r = await saveGrant(
    { apiTokenId: tokenId, tenantScope: "ALL", customerIds: [], tagIds: [], resources: [graph], scopes: [], ratePerMinute: 5000, ...g },
    { actor },
  );
  expect(r.ok).toBe(true);
}

async function ask(token: string, tenantId: string, body: unknown) {
  const res = await route.POST(
    new Request(`http://localhost/api/v1/tenants/${tenantId}/access-token`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify(body),
    }),
    { params: Promise.resolve({ id: tenantId }) },
  );
  const text = await res.text();
  answers.push(text);
  return { status: res.status, body: JSON.parse(text) as Record<string, unknown>, headers: res.headers };
}

const tokenCalls = () => emu.state.getCounters().totals.token;

/** Makes the access tokens in a tenant's stored MSAL cache expired (the refresh token stays), as time would. */
async function expireCachedAccessTokens(tenantId: string) {
  const { decryptSecret, encryptSecret } = await import("@/lib/crypto");
  const row = await db.tenantCredential.findFirstOrThrow({ where: { tenantId, kind: "MSAL_CACHE" } });
  const binding = { table: "TenantCredential", rowId: row.id, field: "secret" } as const;
  const cache = JSON.parse(decryptSecret(row.secret, binding)) as { AccessToken: Record<string, { expires_on: string; extended_expires_on?: string }> };
  const past = String(Math.floor(Date.now() / 1000) - 60);
  for (const at of Object.values(cache.AccessToken)) Object.assign(at, { expires_on: past, extended_expires_on: past });
  await db.tenantCredential.update({ where: { id: row.id }, data: { secret: encryptSecret(JSON.stringify(cache), binding), version: { increment: 1 } } });
}

beforeAll(async () => {
  process.env.API_RATE_LIMIT_PER_MINUTE = "100000";
  process.env.LOG_LEVEL = "info";
  for (const level of ["log", "info", "warn", "error"] as const) {
    vi.spyOn(console, level).mockImplementation((...args: unknown[]) => {
      logs.push(args.map(String).join(" "));
    });
  }
  await prepareDatabase("tac-broker-");
  const { startEmulator } = await import("@/emulator/index");
  emu = await startEmulator({ port: 0, graphPort: 0, dataDir: testDataDir(), scenario: buildScenario(customers) });
  graph = emu.graphUrl.replace(/\/+$/, "");
  await seedProvider({ authorityHost: emu.authorityHost, graphHost: emu.graphHost });
  db = (await import("@/lib/db")).db;
  route = await import("@/app/api/v1/tenants/[id]/access-token/route");
  tenants.app = await seedTenant({ customer: c(1), method: "APP_REGISTRATION", customerId: "APP1" });
  tenants.delegated = await seedTenant({
    customer: c(2),
    method: "AUTH_TOKEN",
    customerId: "DEL2",
    msalCache: await authorizeWithMsal(emu.loginUrl, emu.authorityHost, c(2), graph),
  });
  tenants.password = await seedTenant({ customer: c(3), method: "PASSWORD", customerId: "PWD3" });
  tenants.own = await seedTenant({ customer: c(4), method: "APP_REGISTRATION", useOwnApp: true, customerId: "OWN4" });
  tenants.burst = await seedTenant({ customer: c(5), method: "APP_REGISTRATION", customerId: "BUR5" });
  tenants.delegatedBurst = await seedTenant({
    customer: c(6),
    method: "AUTH_TOKEN",
    customerId: "DEL6",
    msalCache: await authorizeWithMsal(emu.loginUrl, emu.authorityHost, c(6), graph),
  });
  tokens.all = await apiToken("automation", "OPERATOR");
  tokens.none = await apiToken("no grant", "OPERATOR");
  tokens.list = await apiToken("listed", "OPERATOR");
  tokens.tags = await apiToken("tagged", "OPERATOR");
  tokens.viewer = await apiToken("viewer", "VIEWER");
  tokens.slow = await apiToken("slow", "OPERATOR");
  await grant(tokens.all.id, { tenantScope: "ALL", resources: [graph] });
  await grant(tokens.list.id, { tenantScope: "LIST", customerIds: ["APP1"], resources: [], scopes: [`${graph}/.default`] });
  await db.tag.create({ data: { id: "tag-gold", name: "Gold", color: "amber" } });
  await db.tenantTag.create({ data: { tenantId: tenants.own, tagId: "tag-gold" } });
  await grant(tokens.tags.id, { tenantScope: "TAGS", tagIds: ["tag-gold"] });
  await grant(tokens.viewer.id, { tenantScope: "ALL" });
  await grant(tokens.slow.id, { tenantScope: "ALL", ratePerMinute: 2 });
});

afterAll(async () => {
  vi.restoreAllMocks();
  await emu?.close();
});

beforeEach(() => emu.state.resetCounters());

const isJwt = (v: unknown) => typeof v === "string" && /^eyJ[\w-]+\.[\w-]+\.[\w-]*$/.test(v);

describe("issuance per method", () => {
  it("client credentials for an application registration tenant, then from the cache without a call to Microsoft", async () => {
    const first = await ask(tokens.all.token, tenants.app!, { resource: graph });
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({
      tenantId: tenants.app,
      customerId: "APP1",
      method: "APP_REGISTRATION",
      tokenType: "Bearer",
      resource: graph,
      scopes: [`${graph}/.default`],
    });
    expect(isJwt(first.body.accessToken)).toBe(true);
    expect(Number(first.body.expiresIn)).toBeGreaterThan(3000);
    expect(new Date(String(first.body.expiresOn)).getTime()).toBeGreaterThan(Date.now() + 3000_000);
    expect(tokenCalls()).toBe(1);
    const again = await ask(tokens.all.token, "APP1", { scopes: [`${graph}/.default`] });
    expect(again.body.accessToken).toBe(first.body.accessToken);
    expect(tokenCalls()).toBe(1);
    // The token works on Graph.
    const org = await fetch(`${graph}/v1.0/organization`, { headers: { authorization: `Bearer ${String(first.body.accessToken)}` } });
    expect(org.status).toBe(200);
  });

  it("the customer's own app registration", async () => {
    const r = await ask(tokens.all.token, tenants.own!, { resource: graph });
    expect(r.status).toBe(200);
    expect(r.body.method).toBe("APP_REGISTRATION");
    expect(isJwt(r.body.accessToken)).toBe(true);
  });

  it("a delegated token from the stored refresh token, rotating and storing it as verification does", async () => {
    const before = await db.tenantCredential.findFirstOrThrow({ where: { tenantId: tenants.delegated, kind: "MSAL_CACHE" } });
    // The stored cache holds a token for these scopes (the admin's authorization): served without any call.
    const cached = await ask(tokens.all.token, tenants.delegated!, { scopes: [`${graph}/User.Read`] });
    expect(cached.status).toBe(200);
    expect(cached.body.method).toBe("AUTH_TOKEN");
    expect(tokenCalls()).toBe(0);
    // Once it expired: one refresh-token redemption, the new cache (rotated refresh token) stored.
    await expireCachedAccessTokens(tenants.delegated!);
    const refreshed = await ask(tokens.all.token, tenants.delegated!, { scopes: [`${graph}/User.Read`] });
    expect(refreshed.status).toBe(200);
    expect(refreshed.body.scopes).toEqual([`${graph}/User.Read`]);
    expect(refreshed.body.accessToken).not.toBe(cached.body.accessToken);
    expect(tokenCalls()).toBe(1);
    const after = await db.tenantCredential.findFirstOrThrow({ where: { tenantId: tenants.delegated, kind: "MSAL_CACHE" } });
    expect(after.version).toBe(before.version + 2);
    expect(after.refreshLockedBy).toBeNull();
    expect(after.expiresAt!.getTime()).toBeGreaterThan(Date.now() + 89 * 86_400_000);
    // Served from the stored cache now, also for the resource (.default).
    const again = await ask(tokens.all.token, tenants.delegated!, { scopes: [`${graph}/User.Read`] });
    expect(again.body.accessToken).toBe(refreshed.body.accessToken);
    const resource = await ask(tokens.all.token, tenants.delegated!, { resource: graph });
    expect(resource.status).toBe(200);
    const resourceAgain = await ask(tokens.all.token, tenants.delegated!, { resource: graph });
    expect(resourceAgain.body.accessToken).toBe(resource.body.accessToken);
    expect(tokenCalls()).toBe(1);
  });

  it("never for the legacy username + password", async () => {
    const r = await ask(tokens.all.token, tenants.password!, { resource: graph });
    expect(r.status).toBe(409);
    expect(r.body.detail).toMatch(/never issued for the legacy username \+ password/);
    expect(tokenCalls()).toBe(0);
  });
});

describe("refusals outside the grant", () => {
  it("403 with the reason, and an audit row", async () => {
    const cases: [string, string, unknown, RegExp][] = [
      [tokens.none.token, tenants.app!, { resource: graph }, /no access-token grant/],
      [tokens.list.token, tenants.own!, { resource: graph }, /does not include this tenant/],
      [tokens.list.token, tenants.app!, { resource: "https://outlook.office.com" }, /does not allow the scope https:\/\/outlook.office.com\/.default/],
      [tokens.tags.token, tenants.app!, { resource: graph }, /none of its tags/],
    ];
    for (const [token, tenant, body, reason] of cases) {
      const r = await ask(token, tenant, body);
      expect(r.status, String(reason)).toBe(403);
      expect(r.body.detail).toMatch(reason);
    }
    const rows = await db.auditEvent.findMany({ where: { action: "tenant.access_token_refused" } });
    expect(rows.length).toBeGreaterThanOrEqual(cases.length);
    expect(rows.some((row) => row.actorLabel === "no grant" && JSON.parse(row.details).reason.includes("no access-token grant"))).toBe(true);
    expect(tokenCalls()).toBe(0);
  });

  it("allows what the grant covers: a listed tenant, a tagged tenant", async () => {
    expect((await ask(tokens.list.token, tenants.app!, { resource: graph })).status).toBe(200);
    expect((await ask(tokens.tags.token, tenants.own!, { resource: graph })).status).toBe(200);
  });

  it("403 for a role below Operator, 422 for a bad request or delegated scopes on an app registration tenant", async () => {
    expect((await ask(tokens.viewer.token, tenants.app!, { resource: graph })).status).toBe(403);
    const both = await ask(tokens.all.token, tenants.app!, { resource: graph, scopes: [`${graph}/.default`] });
    expect(both.status).toBe(422);
    const short = await ask(tokens.all.token, tenants.app!, { scopes: ["User.Read"] });
    expect(short.status).toBe(422);
    const delegatedScope = await ask(tokens.all.token, tenants.app!, { scopes: [`${graph}/User.Read`] });
    expect(delegatedScope.status).toBe(422);
    expect(JSON.stringify(delegatedScope.body.errors)).toMatch(/application permissions/);
  });

  it("429 with Retry-After past the grant's rate", async () => {
    expect((await ask(tokens.slow.token, tenants.app!, { resource: graph })).status).toBe(200);
    expect((await ask(tokens.slow.token, tenants.app!, { resource: graph })).status).toBe(200);
    const third = await ask(tokens.slow.token, tenants.app!, { resource: graph });
    expect(third.status).toBe(429);
    expect(Number(third.headers.get("retry-after"))).toBeGreaterThan(0);
  });
});

describe("audit rows and the kill switch", () => {
  it("audits every issuance: caller, tenant, resource, scopes, expiry, request id", async () => {
    const r = await ask(tokens.all.token, tenants.app!, { resource: graph });
    const row = await db.auditEvent.findFirstOrThrow({ where: { action: "tenant.access_token_issued", requestId: r.headers.get("x-request-id")! } });
    expect(row).toMatchObject({ actorType: "api_token", actorId: tokens.all.id, actorLabel: "automation", targetType: "tenant", targetId: tenants.app });
    const details = JSON.parse(row.details);
    expect(details).toMatchObject({ method: "APP_REGISTRATION", resource: graph, scopes: [`${graph}/.default`], expiresOn: r.body.expiresOn });
    expect(row.details).not.toContain(String(r.body.accessToken).slice(0, 40));
  });

  it("the tenant's kill switch refuses at once, and allows again", async () => {
    const { setAccessTokensBlocked } = await import("./grants");
    expect((await setAccessTokensBlocked(tenants.app!, true, { actor })).ok).toBe(true);
    const blocked = await ask(tokens.all.token, tenants.app!, { resource: graph });
    expect(blocked.status).toBe(403);
    expect(blocked.body.detail).toMatch(/switched off for this tenant/);
    expect(await db.auditEvent.count({ where: { action: "tenant.access_tokens_blocked", targetId: tenants.app } })).toBe(1);
    expect((await setAccessTokensBlocked(tenants.app!, false, { actor })).ok).toBe(true);
    expect((await ask(tokens.all.token, tenants.app!, { resource: graph })).status).toBe(200);
    expect(await db.auditEvent.count({ where: { action: "tenant.access_tokens_allowed", targetId: tenants.app } })).toBe(1);
  });
});

describe("a burst of 1,000 concurrent requests", () => {
  it("client credentials: at most one call to Microsoft", async () => {
    const results = await Promise.all(Array.from({ length: 1000 }, () => ask(tokens.all.token, tenants.burst!, { resource: graph })));
    expect(results.every((r) => r.status === 200)).toBe(true);
    expect(new Set(results.map((r) => r.body.accessToken)).size).toBe(1);
    expect(tokenCalls()).toBe(1);
    expect(await db.auditEvent.count({ where: { action: "tenant.access_token_issued", targetId: tenants.burst } })).toBe(1000);
  }, 400_000);

  it("refresh token: at most one redemption, one stored rotation", async () => {
    await expireCachedAccessTokens(tenants.delegatedBurst!);
    const before = await db.tenantCredential.findFirstOrThrow({ where: { tenantId: tenants.delegatedBurst, kind: "MSAL_CACHE" } });
    const body = { scopes: [`${graph}/User.Read`] };
    const results = await Promise.all(Array.from({ length: 1000 }, () => ask(tokens.all.token, tenants.delegatedBurst!, body)));
    expect(results.every((r) => r.status === 200)).toBe(true);
    expect(tokenCalls()).toBe(1);
    const after = await db.tenantCredential.findFirstOrThrow({ where: { tenantId: tenants.delegatedBurst, kind: "MSAL_CACHE" } });
    expect(after.version).toBe(before.version + 1);
  }, 400_000);

  it("across instances: the lease on the stored credential lets one redeem while the others wait", async () => {
    const { serveDelegatedUnshared, delegatedStats } = await import("./delegated");
    const { tokenSetup } = await import("@/lib/verification/check");
    const { loadTenant, loadRegistrations, choiceFor } = await import("@/lib/verification/store");
    await expireCachedAccessTokens(tenants.delegatedBurst!);
    const loaded = (await loadTenant(tenants.delegatedBurst!))!;
    const setup = tokenSetup(loaded.tenant, loaded.credentials, choiceFor(loaded.tenant, await loadRegistrations()));
    if (!setup.ok) throw new Error(setup.message);
    const cred = loaded.credentials.find((x) => x.kind === "MSAL_CACHE")!;
    const before = await db.tenantCredential.findUniqueOrThrow({ where: { id: cred.id } });
    const refreshes = delegatedStats.refreshes;
    // Twenty callers that share nothing in memory, as twenty console instances would.
    const results = await Promise.all(Array.from({ length: 20 }, () => serveDelegatedUnshared(cred.id, setup.setup, [`${graph}/User.Read`])));
    expect(results.every((r) => r.ok)).toBe(true);
    expect(tokenCalls()).toBe(1);
    expect(delegatedStats.refreshes - refreshes).toBe(1);
    const after = await db.tenantCredential.findUniqueOrThrow({ where: { id: cred.id } });
    expect(after.version).toBe(before.version + 1);
    expect(after.refreshLockedBy).toBeNull();
  }, 180_000);
});

describe("secrets", () => {
  it("no answer, log line or audit row contains a refresh token, a secret or a password", async () => {
    const refreshTokens = [...emu.state.refreshTokens.keys()];
    expect(refreshTokens.length).toBeGreaterThan(2);
    const audit = (await db.auditEvent.findMany()).map((r) => JSON.stringify(r));
    const haystacks = [...answers, ...logs, ...audit];
    expect(answers.length).toBeGreaterThan(2000);
    const secrets = [FIXTURE.providerSecret, c(4).ownApp!.secret, FIXTURE.adminPassword, ...refreshTokens];
    for (const text of haystacks) {
      for (const secret of secrets) expect(text.includes(secret)).toBe(false);
      expect(text).not.toMatch(/refresh_token|"refreshToken"|client_secret/i);
    }
    // Access tokens appear only in the answers that issued them, never in logs or audit rows.
    for (const text of [...logs, ...audit]) expect(text).not.toMatch(/eyJ[\w-]{10,}\.[\w-]{10,}\./);
  });
});
