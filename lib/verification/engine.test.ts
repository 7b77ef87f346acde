import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { CertificateAndKey, RunningEmulator } from "@/emulator/index";
import { testDataDir } from "@/emulator/testing/paths";
import { authorizeWithMsal, buildScenario, customerFixture, FIXTURE, prepareDatabase, seedProvider, seedTenant, type CustomerFixture } from "./testing";

type Engine = typeof import("./engine");
type Db = (typeof import("@/lib/db"))["db"];

let emu: RunningEmulator;
let engine: Engine;
let db: Db;
let clearAuthorityMetadata: () => void;
let clearMsalClients: () => void;
const customers: CustomerFixture[] = Array.from({ length: 6 }, (_, i) => customerFixture(i + 1, { ownApp: i === 5 }));
let providerCert: CertificateAndKey;
let strangerCert: CertificateAndKey;
const asStored = (c: CertificateAndKey) => ({
  privateKeyPem: c.keyPem,
  certificatePem: c.certPem,
  thumbprintSha1: c.thumbprintSha1,
  thumbprintSha256: c.thumbprintSha256,
});
const actor = { type: "system", label: "test" } as const;

beforeAll(async () => {
  process.env.VERIFY_MAX_RETRIES = "2";
  process.env.VERIFY_TIMEOUT_SECONDS = "1";
  await prepareDatabase();
  const { startEmulator, createSelfSignedCertificate } = await import("@/emulator/index");
  providerCert = createSelfSignedCertificate("MSP console");
  strangerCert = createSelfSignedCertificate("Not uploaded");
  emu = await startEmulator({ port: 0, graphPort: 0, dataDir: testDataDir(), scenario: buildScenario(customers, providerCert.certPem) });
  await seedProvider({ authorityHost: emu.authorityHost, graphHost: emu.graphHost });
  engine = await import("./engine");
  db = (await import("@/lib/db")).db;
  clearAuthorityMetadata = (await import("@/lib/entra/authority")).clearAuthorityMetadata;
  clearMsalClients = (await import("@/lib/entra/msal-clients")).clearMsalClients;
});

afterAll(async () => {
  await emu?.close();
});

beforeEach(async () => {
  emu.state.reset();
  await seedProvider({ authorityHost: emu.authorityHost, graphHost: emu.graphHost });
});

const c = (i: number) => customers[i - 1]!;
const providerSecretKeyId = () => emu.state.findApp(FIXTURE.providerClientId)!.secrets[0]!.keyId;

function expectNoSecrets(value: unknown) {
  const text = JSON.stringify(value);
  expect(text).not.toContain(FIXTURE.providerSecret);
  expect(text).not.toContain(FIXTURE.adminPassword);
  expect(text).not.toMatch(/eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}/);
}

describe("application registration (provider app)", () => {
  it("verifies with a fresh token, the organization, users and permissions", async () => {
    const id = await seedTenant({ customer: c(1), method: "APP_REGISTRATION" });
    const o = await engine.verifyTenant(id, { actor });
    expect(o).toMatchObject({ status: "VERIFIED", reasonCode: "VERIFIED" });
    expect(o.details.organization).toEqual({ id: c(1).tenantId, displayName: "Customer 1", defaultDomain: c(1).domain });
    expect(o.details.userCount).toBe(2);
    expect(o.details.permissions).toEqual({ granted: expect.arrayContaining(FIXTURE.appPermissions), required: FIXTURE.appPermissions, missing: [] });
    expect(o.details.timings.graphRoundTrips).toBe(1);
    const tenant = await db.tenant.findUniqueOrThrow({ where: { id } });
    expect(tenant).toMatchObject({ lastStatus: "VERIFIED", lastStatusCode: "VERIFIED", version: 2 });
    expect(tenant.accessBreaksAt).toBeInstanceOf(Date);
    expect(await db.verificationResult.count({ where: { tenantId: id } })).toBe(1);
    expect(await db.auditEvent.count({ where: { action: "tenant.verified", targetId: id } })).toBe(1);
    expectNoSecrets(o);
  });

  it("fails a secret deleted a moment after a successful verification (no cached token)", async () => {
    const id = await seedTenant({ customer: c(1), method: "APP_REGISTRATION" });
    expect((await engine.verifyTenant(id, { actor })).status).toBe("VERIFIED");
    emu.state.removeSecret(FIXTURE.providerClientId, providerSecretKeyId());
    const o = await engine.verifyTenant(id, { actor });
    expect(o).toMatchObject({ status: "FAILED", reasonCode: "INVALID_SECRET" });
    expect(o.details.remediation.action).toBe("rotate_secret");
    expect(o.details.diagnostics).toMatchObject({ httpStatus: 401, error: "invalid_client", errorCodes: [7000215] });
    expect(o.details.diagnostics?.traceId).toMatch(/^[0-9a-f-]{36}$/);
    expect(o.details.diagnostics?.correlationId).toMatch(/^[0-9a-f-]{36}$/);
    expect(o.details.diagnostics?.timestamp).toBeTruthy();
    expectNoSecrets(o);
  });

  it("reports an expired secret", async () => {
    const id = await seedTenant({ customer: c(1), method: "APP_REGISTRATION" });
    emu.state.expireSecret(FIXTURE.providerClientId, providerSecretKeyId());
    expect(await engine.verifyTenant(id, { actor })).toMatchObject({ status: "FAILED", reasonCode: "SECRET_EXPIRED" });
  });

  it("reports revoked consent as the app missing from the tenant, with the consent link as remedy", async () => {
    const id = await seedTenant({ customer: c(2), method: "APP_REGISTRATION" });
    emu.state.revokeConsent(c(2).tenantId, FIXTURE.providerClientId);
    const o = await engine.verifyTenant(id, { actor });
    expect(o).toMatchObject({ status: "FAILED", reasonCode: "APP_NOT_IN_TENANT" });
    expect(o.details.remediation.action).toBe("send_consent_link");
  });

  it("lists missing application permissions by name", async () => {
    const id = await seedTenant({ customer: c(2), method: "APP_REGISTRATION" });
    emu.state.grantConsent(c(2).tenantId, FIXTURE.providerClientId, { applicationPermissions: ["Organization.Read.All"], delegatedPermissions: [] });
    const o = await engine.verifyTenant(id, { actor });
    expect(o).toMatchObject({ status: "FAILED", reasonCode: "INSUFFICIENT_PERMISSIONS" });
    expect(o.details.permissions?.missing).toEqual(["User.Read.All"]);
    expect(o.message).toContain("User.Read.All");
  });

  it("reports an unknown tenant", async () => {
    const id = await seedTenant({ customer: c(3), method: "APP_REGISTRATION", entraTenantId: "0b7c1d2e-0000-4000-8000-000000000000" });
    expect(await engine.verifyTenant(id, { actor })).toMatchObject({ status: "FAILED", reasonCode: "TENANT_NOT_FOUND" });
  });

  it("warns when the secret expires within 30 days and shows when access breaks", async () => {
    const expires = new Date(Date.now() + 10 * 86_400_000);
    await seedProvider({ authorityHost: emu.authorityHost, graphHost: emu.graphHost, secretExpiresAt: expires });
    const id = await seedTenant({ customer: c(3), method: "APP_REGISTRATION" });
    const o = await engine.verifyTenant(id, { actor });
    expect(o).toMatchObject({ status: "WARNING", reasonCode: "SECRET_EXPIRING" });
    expect(o.accessBreaksAt?.getTime()).toBe(expires.getTime());
  });

  it("waits out a token 429 with a fractional Retry-After and succeeds", async () => {
    const id = await seedTenant({ customer: c(4), method: "APP_REGISTRATION" });
    emu.state.throttle({ scope: "token", count: 1, retryAfterSeconds: 0.3 });
    const t0 = Date.now();
    const o = await engine.verifyTenant(id, { actor });
    expect(o.status).toBe("VERIFIED");
    expect(o.details.timings.tokenAttempts).toBe(2);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(300);
  });

  it("retries a throttled Graph sub-request and succeeds", async () => {
    const id = await seedTenant({ customer: c(4), method: "APP_REGISTRATION" });
    emu.state.throttle({ scope: "graph", count: 1, retryAfterSeconds: 0.2 });
    expect((await engine.verifyTenant(id, { actor })).status).toBe("VERIFIED");
  });

  it("reports throttling once the retries are used up", async () => {
    const id = await seedTenant({ customer: c(4), method: "APP_REGISTRATION" });
    emu.state.throttle({ scope: "token", tenantIds: [c(4).tenantId], retryAfterSeconds: 0.05 });
    const o = await engine.verifyTenant(id, { actor });
    expect(o).toMatchObject({ status: "FAILED", reasonCode: "THROTTLED" });
    expect(o.details.diagnostics).toMatchObject({ httpStatus: 429, retryAfterSeconds: 0.05, attempts: 3 });
  });

  it("rides out a transient 5xx and reports a persistent one", async () => {
    const id = await seedTenant({ customer: c(4), method: "APP_REGISTRATION" });
    emu.state.fail5xx({ scope: "graph", count: 1, status: 503 });
    expect((await engine.verifyTenant(id, { actor })).status).toBe("VERIFIED");
    emu.state.fail5xx({ scope: "token", count: 100, status: 500 });
    expect(await engine.verifyTenant(id, { actor })).toMatchObject({ status: "FAILED", reasonCode: "SERVICE_UNAVAILABLE" });
  });

  it("times out a hung token endpoint", async () => {
    const id = await seedTenant({ customer: c(4), method: "APP_REGISTRATION" });
    emu.state.hang({ scope: "token", count: 1 });
    const o = await engine.verifyTenant(id, { actor });
    expect(o).toMatchObject({ status: "FAILED", reasonCode: "TIMEOUT" });
    expect(o.durationMs).toBeLessThan(5000);
  });

  it("verifies with the provider app's certificate and reports a certificate Entra does not know", async () => {
    await seedProvider({ authorityHost: emu.authorityHost, graphHost: emu.graphHost, secret: null, certificate: asStored(providerCert) });
    const id = await seedTenant({ customer: c(5), method: "APP_REGISTRATION" });
    const ok = await engine.verifyTenant(id, { actor });
    expect(ok).toMatchObject({ status: "VERIFIED" });
    expect(ok.details.app?.credential).toBe("certificate");
    expect(JSON.stringify(ok)).not.toContain("PRIVATE KEY");
    await seedProvider({ authorityHost: emu.authorityHost, graphHost: emu.graphHost, secret: null, certificate: asStored(strangerCert) });
    const bad = await engine.verifyTenant(id, { actor });
    expect(bad).toMatchObject({ status: "FAILED", reasonCode: "BAD_CERTIFICATE" });
    expect(bad.details.remediation.action).toBe("rotate_certificate");
  });

  it("shares one token request between concurrent verifications of the same tenant", async () => {
    const id = await seedTenant({ customer: c(3), method: "APP_REGISTRATION" });
    emu.state.setLatency({ token: { fixedMs: 150, jitterMs: 0 } });
    emu.state.resetCounters();
    const [a, b] = await Promise.all([engine.verifyTenant(id, { actor }), engine.verifyTenant(id, { actor })]);
    expect([a.status, b.status]).toEqual(["VERIFIED", "VERIFIED"]);
    expect(emu.state.getCounters().totals.token).toBe(1);
  });

  it("verifies a per-tenant app registration with its own secret", async () => {
    const id = await seedTenant({ customer: c(6), method: "APP_REGISTRATION", useOwnApp: true });
    const o = await engine.verifyTenant(id, { actor });
    expect(o).toMatchObject({ status: "VERIFIED" });
    expect(o.details.app).toEqual({ clientId: c(6).ownApp!.clientId, kind: "tenant", credential: "secret" });
  });

  it("says what is missing when the provider app is not configured", async () => {
    await db.appRegistration.update({ where: { id: "provider" }, data: { clientId: null } });
    const id = await seedTenant({ customer: c(5), method: "APP_REGISTRATION" });
    const o = await engine.verifyTenant(id, { actor });
    expect(o).toMatchObject({ status: "FAILED", reasonCode: "NOT_CONFIGURED" });
    expect(o.details.notes[0]).toContain("client ID");
  });

  it("resolves authority metadata once per host for many tenants verified at once", async () => {
    clearAuthorityMetadata();
    clearMsalClients();
    emu.state.resetCounters();
    const ids = await Promise.all([1, 2, 3, 4, 5].map((i) => seedTenant({ customer: c(i), method: "APP_REGISTRATION" })));
    const outcomes = await Promise.all(ids.map((id) => engine.verifyTenant(id, { actor })));
    expect(outcomes.map((o) => o.status)).toEqual(Array(5).fill("VERIFIED"));
    const totals = emu.state.getCounters().totals;
    expect(totals.discovery).toBe(1);
    expect(totals.token).toBe(5);
    expect(totals.graph).toBe(5);
  });
});

describe("auth token (delegated)", () => {
  async function seedAuthorized(i: number, extra: Partial<Parameters<typeof seedTenant>[0]> = {}) {
    const cache = await authorizeWithMsal(emu.loginUrl, emu.authorityHost, c(i), emu.graphUrl);
    return seedTenant({ customer: c(i), method: "AUTH_TOKEN", msalCache: cache, ...extra });
  }

  it("redeems the refresh token, saves the rotated cache with a versioned replace, and reads /me", async () => {
    const id = await seedAuthorized(1);
    const before = await db.tenantCredential.findFirstOrThrow({ where: { tenantId: id, kind: "MSAL_CACHE" } });
    const o = await engine.verifyTenant(id, { actor });
    expect(o).toMatchObject({ status: "VERIFIED" });
    expect(o.details.signedInUser).toMatchObject({ userPrincipalName: c(1).adminUpn, matchesStoredEmail: true });
    expect(o.details.organization?.id).toBe(c(1).tenantId);
    const after = await db.tenantCredential.findFirstOrThrow({ where: { tenantId: id, kind: "MSAL_CACHE" } });
    expect(after.version).toBe(before.version + 1);
    expect(after.secret).not.toBe(before.secret);
    expect(after.expiresAt!.getTime()).toBeGreaterThan(Date.now() + 89 * 86_400_000);
    expect(o.accessBreaksAt?.getTime()).toBe(after.expiresAt!.getTime());
    expectNoSecrets(o);
    expect((await engine.verifyTenant(id, { actor })).status).toBe("VERIFIED");
  });

  it("asks for re-authorization when the refresh tokens were revoked", async () => {
    const id = await seedAuthorized(2);
    emu.state.revokeUserRefreshTokens(c(2).adminUpn);
    const o = await engine.verifyTenant(id, { actor });
    expect(o).toMatchObject({ status: "FAILED", reasonCode: "REAUTHORIZATION_REQUIRED" });
    expect(o.details.diagnostics?.errorCodes).toEqual([50173]);
    expect(o.details.remediation.action).toBe("reauthorize");
  });

  it("asks for re-authorization after 90 days of inactivity", async () => {
    const id = await seedAuthorized(3);
    emu.state.advanceClock(91 * 86_400);
    const o = await engine.verifyTenant(id, { actor });
    expect(o).toMatchObject({ status: "FAILED", reasonCode: "REAUTHORIZATION_REQUIRED" });
    expect(o.details.diagnostics?.errorCodes).toEqual([700082]);
  });

  it("reports a disabled user and a Conditional Access block", async () => {
    const id = await seedAuthorized(4);
    emu.state.disableUser(c(4).adminUpn, true);
    expect(await engine.verifyTenant(id, { actor })).toMatchObject({ reasonCode: "USER_DISABLED" });
    emu.state.disableUser(c(4).adminUpn, false);
    emu.state.setConditionalAccessBlock(c(4).adminUpn, true);
    expect(await engine.verifyTenant(id, { actor })).toMatchObject({ reasonCode: "CONDITIONAL_ACCESS_BLOCKED" });
  });

  it("warns when the signed-in account differs from the stored email", async () => {
    const id = await seedAuthorized(5);
    await db.tenant.update({ where: { id }, data: { adminEmail: "someone-else@example.com" } });
    expect(await engine.verifyTenant(id, { actor })).toMatchObject({ status: "WARNING", reasonCode: "ACCOUNT_MISMATCH" });
  });

  it("replaces the stored cache atomically: a concurrent refresh is overwritten, a re-authorization is kept", async () => {
    const { saveRotatedCache, loadTenant } = await import("./store");
    const id = await seedAuthorized(1);
    const loaded = (await loadTenant(id))!;
    const cred = loaded.credentials.find((x) => x.kind === "MSAL_CACHE")!;
    const original = cred.label;
    // Someone else refreshed the same account meanwhile: version moved on, label unchanged.
    await db.tenantCredential.update({ where: { id: cred.id }, data: { version: { increment: 1 } } });
    expect(await saveRotatedCache(cred, "{}", original, new Date())).toBe("saved");
    expect((await db.tenantCredential.findUniqueOrThrow({ where: { id: cred.id } })).version).toBe(3);
    // Someone re-authorized with another account: theirs wins.
    const stale = { ...cred, version: 1 };
    await db.tenantCredential.update({ where: { id: cred.id }, data: { label: "other-account", version: { increment: 1 } } });
    expect(await saveRotatedCache(stale, "{}", original, new Date())).toBe("kept_newer");
    expect((await db.tenantCredential.findUniqueOrThrow({ where: { id: cred.id } })).label).toBe("other-account");
  });

  it("needs a stored authorization", async () => {
    const id = await seedTenant({ customer: c(5), method: "AUTH_TOKEN" });
    expect(await engine.verifyTenant(id, { actor })).toMatchObject({ status: "FAILED", reasonCode: "NOT_CONFIGURED" });
  });
});

describe("username and password (legacy)", () => {
  it("verifies but always recommends switching method", async () => {
    const id = await seedTenant({ customer: c(1), method: "PASSWORD" });
    const o = await engine.verifyTenant(id, { actor });
    expect(o).toMatchObject({ status: "WARNING", reasonCode: "LEGACY_METHOD" });
    expect(o.details.remediation.action).toBe("switch_method");
    expect(o.details.organization?.defaultDomain).toBe(c(1).domain);
    expectNoSecrets(o);
  });

  it.each([
    ["a wrong password", (upn: string): void => void upn, "Wrong-password-1", "INVALID_CREDENTIALS"],
    ["MFA", (upn: string): void => void emu.state.setMfa(upn, true), undefined, "MFA_REQUIRED"],
    ["a disabled user", (upn: string): void => void emu.state.disableUser(upn, true), undefined, "USER_DISABLED"],
    ["an expired password", (upn: string): void => void (emu.state.findUser(upn)!.user.passwordExpired = true), undefined, "PASSWORD_EXPIRED"],
    ["Conditional Access", (upn: string): void => void emu.state.setConditionalAccessBlock(upn, true), undefined, "CONDITIONAL_ACCESS_BLOCKED"],
  ] as const)("reports %s", async (_name, flip, password, expected) => {
    const id = await seedTenant({ customer: c(2), method: "PASSWORD", password });
    flip(c(2).adminUpn);
    const o = await engine.verifyTenant(id, { actor });
    expect(o).toMatchObject({ status: "FAILED", reasonCode: expected });
    expect(o.details.notes.join(" ")).toMatch(/legacy/i);
    expectNoSecrets(o);
  });
});

describe("testGraphConnection and reloadTenantDirectory", () => {
  it("shows organization, users and permissions without recording a result", async () => {
    const id = await seedTenant({ customer: c(3), method: "APP_REGISTRATION" });
    const t = await engine.testGraphConnection(id);
    expect(t).toMatchObject({ status: "VERIFIED", details: { userCount: 2, organization: { id: c(3).tenantId } } });
    expect(t.details.permissions?.missing).toEqual([]);
    expect(await db.verificationResult.count({ where: { tenantId: id } })).toBe(0);
  });

  it("reloads display name, default domain and tenant id from Graph", async () => {
    const id = await seedTenant({ customer: c(3), method: "APP_REGISTRATION", entraTenantId: null });
    await db.tenant.update({ where: { id }, data: { displayName: "old" } });
    // Another customer already holds this directory's tenant id: the reload refuses and changes nothing.
    const holder = await seedTenant({ customer: c(3), method: "APP_REGISTRATION" });
    const { customerId } = await db.tenant.findUniqueOrThrow({ where: { id: holder } });
    expect(await engine.reloadTenantDirectory(id, { actor })).toMatchObject({
      ok: false,
      reasonCode: "TENANT_MISMATCH",
      message: `Entra tenant ${c(3).tenantId} is already managed as customer ${customerId}; nothing was changed.`,
    });
    expect(await db.tenant.findUniqueOrThrow({ where: { id } })).toMatchObject({ displayName: "old", entraTenantId: null });
    // Its only holder now (earlier tests of this file seeded the same directory too): the reload fills it in.
    await db.tenant.updateMany({ where: { entraTenantId: c(3).tenantId }, data: { entraTenantId: null } });
    const r = await engine.reloadTenantDirectory(id, { actor });
    expect(r).toEqual({ ok: true, displayName: "Customer 3", primaryDomain: c(3).domain, entraTenantId: c(3).tenantId });
    expect(await db.tenant.findUniqueOrThrow({ where: { id } })).toMatchObject({ displayName: "Customer 3", entraTenantId: c(3).tenantId });
  });

  it("fails a reload whose Entra tenant another tenant took after the check, the unique index deciding", async () => {
    // Two tenants known by the domain of one directory, both read it before either stored its id.
    await db.tenant.deleteMany({ where: { entraTenantId: c(3).tenantId } });
    const first = await seedTenant({ customer: c(3), method: "APP_REGISTRATION", entraTenantId: null });
    const second = await seedTenant({ customer: c(3), method: "APP_REGISTRATION", entraTenantId: null });
    const read = { ok: true as const, displayName: "Customer 3", primaryDomain: c(3).domain, entraTenantId: c(3).tenantId };
    await db.$transaction(engine.directoryWrites(first, read));
    await expect(db.$transaction(engine.directoryWrites(second, read))).rejects.toMatchObject({ code: "P2002" });
    const { customerId } = await db.tenant.findUniqueOrThrow({ where: { id: first } });
    // What a refused write stores instead (Reload All's conflict result): the reason, naming the holder.
    expect(await engine.reloadRefused(second, read)).toEqual({
      ok: false,
      reasonCode: "TENANT_MISMATCH",
      message: `Entra tenant ${c(3).tenantId} is already managed as customer ${customerId}; nothing was changed.`,
    });
    // The holder's own write is not its conflict; a failed reload has none.
    expect(await engine.reloadRefused(first, read)).toBeUndefined();
    expect(await engine.reloadRefused(second, { ok: false, reasonCode: "TENANT_MISMATCH", message: "x" })).toBeUndefined();
    expect(await db.tenant.findUniqueOrThrow({ where: { id: second } })).toMatchObject({ entraTenantId: null });
  });
});

describe("the outbound policy (OUTBOUND_ALLOW_HOSTS=127.0.0.1 in tests)", () => {
  it("fails a tenant whose Custom cloud authority host resolves to loopback and is not allowed, naming the host", async () => {
    const authorityHost = emu.authorityHost.replace("127.0.0.1", "localhost");
    await seedProvider({ authorityHost, graphHost: emu.graphHost });
    const id = await seedTenant({ customer: c(1), method: "APP_REGISTRATION" });
    const calls = emu.state.requestLog().length;
    const o = await engine.verifyTenant(id, { actor });
    expect(o).toMatchObject({ status: "FAILED", reasonCode: "HOST_NOT_ALLOWED", message: "Host not allowed" });
    expect(o.details.remediation.action).toBe("configure_provider");
    expect(o.details.notes[0]).toMatch(
      new RegExp(`^${authorityHost} resolves to a loopback address (127\\.0\\.0\\.1|::1); add it to OUTBOUND_ALLOW_HOSTS if this is intended$`),
    );
    expect(o.details.diagnostics).toMatchObject({ libraryCode: "ERR_OUTBOUND_REFUSED" });
    expect(emu.state.requestLog()).toHaveLength(calls);
    expect(await db.tenant.findUniqueOrThrow({ where: { id } })).toMatchObject({ lastStatus: "FAILED", lastStatusCode: "HOST_NOT_ALLOWED" });
  });
});

describe("one outcome from the engine to the REST API", () => {
  it("parses an engine outcome with the schema, stores it, and its stored result is the API's VerificationResult", async () => {
    const { verificationOutcomeSchema } = await import("./outcome");
    const { latestTenantResult } = await import("@/lib/data/verification-runs");
    const { outcomeDto, storedResultDto } = await import("@/lib/api/dto");
    const { verificationResultSchema } = await import("@/lib/api/schemas");
    const verified = await seedTenant({ customer: c(2), method: "APP_REGISTRATION" });
    const failing = await seedTenant({ customer: c(1), method: "APP_REGISTRATION" });
    const legacy = await seedTenant({ customer: c(3), method: "PASSWORD" });
    const outcomes = [await engine.verifyTenant(verified, { actor }), await engine.verifyTenant(legacy, { actor })];
    emu.state.removeSecret(FIXTURE.providerClientId, providerSecretKeyId());
    outcomes.push(await engine.verifyTenant(failing, { actor }));
    expect(outcomes.map((o) => o.reasonCode)).toEqual(["VERIFIED", "LEGACY_METHOD", "INVALID_SECRET"]);
    for (const o of outcomes) {
      expect(verificationOutcomeSchema.parse(o)).toEqual(o);
      const stored = (await latestTenantResult(o.tenantId))!;
      expect(stored).toMatchObject({ ...o, accessBreaksAt: null, runId: null });
      const wire = (dto: unknown) => verificationResultSchema.parse(JSON.parse(JSON.stringify(dto)));
      // The access deadline is the tenant's (GET /tenants/{id}), not kept per result.
      expect(wire(storedResultDto(stored))).toEqual({ ...wire(outcomeDto(o, stored.customerId)), accessBreaksAt: null });
    }
  });
});
