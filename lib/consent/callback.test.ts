import { NextRequest } from "next/server";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { RunningEmulator } from "@/emulator/index";
import { startTestEmulator, TEST } from "@/emulator/testing/index";
import { GET as callbackRoute } from "@/app/authenticate/OAuth2Callback/route";
import { db } from "@/lib/db";
import { newId } from "@/lib/ids";
import { applyEmulatorProvider } from "@/lib/provider/testing";
import { refreshDelegatedToken, removeAuthorization } from "@/lib/tenants/lifecycle";
import { releaseEntraTenant } from "@/lib/verification/testing";
import { browserBindingValue, CONSENT_BROWSER_COOKIE } from "./browser-binding";
import { startConsent } from "./flow";
import { createConsentLink, hashToken, revokeConsentLinks } from "./links";

const actor = { type: "admin" as const, id: "admin-1", label: "ops@msp.example" };
let emu: RunningEmulator;

beforeAll(async () => {
  emu = await startTestEmulator();
  await applyEmulatorProvider(emu);
});

afterAll(async () => {
  await emu?.close();
});

beforeEach(() => {
  emu.state.clearFaults?.();
});

async function seedTenant(
  over: Partial<{ entraTenantId: string | null; primaryDomain: string; authMethod: "APP_REGISTRATION" | "AUTH_TOKEN" | "PASSWORD"; adminEmail: string }> = {},
) {
  const id = newId();
  const entraTenantId = over.entraTenantId === undefined ? TEST.fabrikamId : over.entraTenantId;
  await releaseEntraTenant(entraTenantId);
  await db.tenant.create({
    data: {
      id,
      customerId: `cust-${id.slice(-8)}`,
      displayName: "Fabrikam",
      entraTenantId,
      primaryDomain: over.primaryDomain ?? TEST.fabrikamDomain,
      adminEmail: over.adminEmail ?? TEST.fabrikamAdmin,
      authMethod: over.authMethod ?? "APP_REGISTRATION",
      cloud: "CUSTOM",
    },
  });
  return id;
}

async function linkToken(tenantId: string) {
  const link = await createConsentLink({ tenantId, actor });
  if (!link.ok) throw new Error(link.error);
  return new URL(link.data.url).pathname.split("/").pop()!;
}

/** One browser: the value of its consent cookie, as the landing page's action sets it. */
const newBrowser = () => browserBindingValue(undefined);
/** The browser most tests run in; `callback` sends its cookie unless told otherwise. */
const defaultBrowser = newBrowser();

/** Clicks "Continue to Microsoft" on the link in `browser`; returns Microsoft's URL. */
async function continueToMicrosoft(token: string, browser: string) {
  const started = await startConsent(token, browser);
  if (!started.ok) throw new Error(started.error);
  return started.redirectTo;
}

/** Answers Microsoft's page as `user`; returns where Microsoft sends the browser back (the callback URL). */
async function answerMicrosoft(authorizeUrl: string, user: string, decision: "accept" | "cancel" = "accept") {
  emu.state.armInteraction({ user, password: TEST.password, decision });
  const response = await fetch(authorizeUrl, { redirect: "manual" });
  const location = response.headers.get("location");
  expect(location, await response.text()).toBeTruthy();
  return new URL(location!);
}

/** Opens the consent link as the customer's admin, answers Microsoft's page, returns the callback URL. */
async function consentAs(tenantId: string, user: string, decision: "accept" | "cancel" = "accept", browser = defaultBrowser) {
  return answerMicrosoft(await continueToMicrosoft(await linkToken(tenantId), browser), user, decision);
}

async function callback(url: URL | string, browser: string | null = defaultBrowser) {
  const headers = browser ? { cookie: `${CONSENT_BROWSER_COOKIE}=${browser}` } : undefined;
  const response = await callbackRoute(new NextRequest(url, { headers }));
  return { status: response.status, html: await response.text() };
}

async function snapshot(tenantId: string) {
  const tenant = await db.tenant.findUniqueOrThrow({ where: { id: tenantId }, include: { credentials: true } });
  return {
    entraTenantId: tenant.entraTenantId,
    lastStatus: tenant.lastStatus,
    method: tenant.authMethod,
    credentials: tenant.credentials.length,
    version: tenant.version,
  };
}

describe("consent links", () => {
  it("refuses to create a link before the provider Client ID is configured", async () => {
    const saved = await db.appRegistration.findUniqueOrThrow({ where: { id: "provider" } });
    await db.appRegistration.update({ where: { id: "provider" }, data: { clientId: null } });
    const result = await createConsentLink({ tenantId: await seedTenant(), actor });
    await db.appRegistration.update({ where: { id: "provider" }, data: { clientId: saved.clientId } });
    expect(result.ok).toBe(false);
    expect(!result.ok && result.error).toMatch(/the Client ID is not set/);
  });

  it("stores only the token's hash and builds Microsoft's admin consent URL with a fresh state", async () => {
    const tenantId = await seedTenant();
    const token = await linkToken(tenantId);
    const stored = await db.consentLink.findFirstOrThrow({ where: { tenantId } });
    expect(stored.tokenHash).not.toContain(token);
    const started = await startConsent(token, defaultBrowser);
    expect(started.ok).toBe(true);
    const url = new URL(started.ok ? started.redirectTo : "");
    expect(url.pathname).toBe(`/${TEST.fabrikamId}/v2.0/adminconsent`);
    expect(url.searchParams.get("scope")).toBe(`${emu.graphUrl}/.default`);
    expect(url.searchParams.get("redirect_uri")).toBe(TEST.redirectUri);
    expect(url.searchParams.get("state")).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });
});

describe("admin consent through /authenticate/OAuth2Callback", () => {
  it("confirms consent with a token for the tenant, verifies it, and refuses a replay", async () => {
    emu.state.revokeConsent?.(TEST.fabrikamId, TEST.providerClientId);
    const tenantId = await seedTenant();
    const location = await consentAs(tenantId, TEST.fabrikamAdmin);
    expect(location.searchParams.get("admin_consent")).toBe("True");
    const first = await callback(location);
    expect(first.status).toBe(200);
    expect(first.html).toContain("consent was granted");
    const after = await snapshot(tenantId);
    expect(after.lastStatus).not.toBe("NEVER");
    expect(after.entraTenantId).toBe(TEST.fabrikamId);
    expect(await db.auditEvent.count({ where: { targetId: tenantId, action: "consent.granted" } })).toBe(1);

    const replay = await callback(location);
    expect(replay.status).toBe(400);
    expect(await snapshot(tenantId)).toEqual(after);
  });

  it("records a cancelled consent on the tenant and shows it in plain words", async () => {
    const tenantId = await seedTenant();
    const location = await consentAs(tenantId, TEST.fabrikamAdmin, "cancel");
    expect(location.searchParams.get("error")).toBeTruthy();
    expect(location.searchParams.has("tenant")).toBe(false);
    const page = await callback(location);
    expect(page.status).toBe(200);
    expect(page.html).toContain("You cancelled: nothing was granted");
    const tenant = await db.tenant.findUniqueOrThrow({ where: { id: tenantId } });
    expect(tenant.lastStatus).toBe("FAILED");
    expect(tenant.lastStatusCode).toBe("CONSENT_DECLINED");
    expect(await db.auditEvent.count({ where: { targetId: tenantId, action: "consent.failed" } })).toBe(1);
  });

  it("reports a forged tenant parameter as consent from a different tenant and stores nothing", async () => {
    const tenantId = await seedTenant({ entraTenantId: TEST.contosoId, primaryDomain: TEST.contosoDomain, adminEmail: TEST.admin });
    const location = await consentAs(tenantId, TEST.admin);
    const before = await snapshot(tenantId);
    location.searchParams.set("tenant", TEST.northwindId);
    const page = await callback(location);
    expect(page.html).toContain("You signed in with an account of another organization");
    expect(await snapshot(tenantId)).toEqual(before);
    expect(await db.auditEvent.count({ where: { targetId: tenantId, action: "consent.granted" } })).toBe(0);
  });

  it("reports an administrator of another tenant as a mismatch and stores nothing", async () => {
    emu.state.revokeConsent?.(TEST.fabrikamId, TEST.providerClientId);
    const tenantId = await seedTenant({ entraTenantId: null });
    const before = await snapshot(tenantId);
    const location = await consentAs(tenantId, TEST.admin);
    const page = await callback(location);
    expect(page.html).toContain("You signed in with an account of another organization");
    const after = await snapshot(tenantId);
    expect(after.entraTenantId).toBeNull();
    expect(after.credentials).toBe(before.credentials);
    expect(await db.auditEvent.count({ where: { targetId: tenantId, action: "consent.granted" } })).toBe(0);
  });
});

describe("one Entra tenant, one customer", () => {
  it("refuses consent from an Entra tenant another customer manages: nothing stored, the reason on the tenant, the customer not named to the consenting admin", async () => {
    const holder = await seedTenant();
    const holderRow = await db.tenant.findUniqueOrThrow({ where: { id: holder } });
    // Known by its domain only (its domain could not be resolved when it was added).
    const tenantId = await seedTenant({ entraTenantId: null });
    const before = await snapshot(tenantId);
    const page = await callback(await consentAs(tenantId, TEST.fabrikamAdmin));
    expect(page.status).toBe(200);
    expect(page.html).toContain("This Microsoft tenant is already registered with your provider");
    expect(page.html).not.toContain(holderRow.customerId);
    const after = await db.tenant.findUniqueOrThrow({ where: { id: tenantId }, include: { credentials: true } });
    expect(after).toMatchObject({ entraTenantId: null, authMethod: before.method, lastStatus: "FAILED", lastStatusCode: "TENANT_MISMATCH" });
    expect(after.lastStatusMessage).toBe(
      `Consent came from Entra tenant ${TEST.fabrikamId}, which is already managed as customer ${holderRow.customerId}. Nothing was stored: one Entra tenant is managed as one customer. Delete one of the two tenants, or send this customer's link to the right tenant.`,
    );
    expect(after.credentials).toHaveLength(before.credentials);
    const audit = await db.auditEvent.findFirstOrThrow({ where: { targetId: tenantId, action: "consent.failed" } });
    expect(JSON.parse(audit.details)).toMatchObject({ reason: "tenant_already_managed", entraTenantId: TEST.fabrikamId, alsoManagedAs: holderRow.customerId });
    expect(await db.auditEvent.count({ where: { targetId: tenantId, action: "consent.granted" } })).toBe(0);
    // The holder is untouched.
    expect(await db.tenant.findUniqueOrThrow({ where: { id: holder } })).toMatchObject({ entraTenantId: TEST.fabrikamId, version: holderRow.version });
  });
});

describe("the state completes only in the browser that continued, while its link stands", () => {
  const stateOf = (location: URL) =>
    db.oAuthState.findUniqueOrThrow({ where: { stateHash: hashToken(location.searchParams.get("state")!) }, select: { usedAt: true, cancelledAt: true } });

  it("keeps the browser's existing cookie value, so consents started in two tabs both complete", () => {
    const browser = newBrowser();
    expect(browser).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(browserBindingValue(browser)).toBe(browser);
    expect(browserBindingValue("tampered value")).not.toBe("tampered value");
  });

  it("refuses the response without the cookie or with another browser's, then completes it in the right one", async () => {
    const tenantId = await seedTenant();
    const location = await consentAs(tenantId, TEST.fabrikamAdmin);
    const before = await snapshot(tenantId);

    for (const browser of [null, newBrowser()]) {
      const page = await callback(location, browser);
      expect(page.html).toContain("Open the consent link again in this browser");
      expect(page.html).not.toContain("consent was granted");
      expect(await snapshot(tenantId)).toEqual(before);
      expect((await stateOf(location)).usedAt).toBeNull();
    }
    const refusals = await db.auditEvent.findMany({ where: { targetId: tenantId, action: "consent.failed" }, select: { details: true } });
    expect(refusals).toHaveLength(2);
    expect(refusals.map((r) => JSON.parse(r.details))).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ reason: "browser_mismatch", binding: "missing" }),
        expect.objectContaining({ reason: "browser_mismatch", binding: "different" }),
      ]),
    );
    expect(await db.auditEvent.count({ where: { targetId: tenantId, action: "consent.granted" } })).toBe(0);

    const page = await callback(location);
    expect(page.html).toContain("consent was granted");
    expect((await stateOf(location)).usedAt).not.toBeNull();
  });

  it("refuses a response for a link revoked after Continue, and records nothing on the tenant", async () => {
    const tenantId = await seedTenant();
    const authorize = await continueToMicrosoft(await linkToken(tenantId), defaultBrowser);
    expect(await revokeConsentLinks({ tenantId, actor })).toBe(1);
    const location = await answerMicrosoft(authorize, TEST.fabrikamAdmin);
    expect((await stateOf(location)).cancelledAt).not.toBeNull();
    const before = await snapshot(tenantId);

    const page = await callback(location);
    expect(page.html).toContain("This consent link was revoked");
    expect(await snapshot(tenantId)).toEqual(before);
    expect((await stateOf(location)).usedAt).toBeNull();
    expect(await db.auditEvent.count({ where: { targetId: tenantId, action: "consent.granted" } })).toBe(0);
    const refusal = await db.auditEvent.findFirstOrThrow({ where: { targetId: tenantId, action: "consent.failed" } });
    expect(JSON.parse(refusal.details)).toMatchObject({ reason: "link_revoked" });
  });
});

describe("hostile callbacks store nothing", () => {
  async function expectRejected(url: string, status = 400) {
    const auditBefore = await db.auditEvent.count();
    const statesUsedBefore = await db.oAuthState.count({ where: { usedAt: { not: null } } });
    const tenantsBefore = await db.tenant.findMany({ select: { id: true, version: true }, orderBy: { id: "asc" } });
    const page = await callback(url);
    expect(page.status).toBe(status);
    expect(page.html).not.toMatch(/at .*\.ts:\d+|Error:/);
    expect(await db.auditEvent.count()).toBe(auditBefore);
    expect(await db.oAuthState.count({ where: { usedAt: { not: null } } })).toBe(statesUsedBefore);
    expect(await db.tenant.findMany({ select: { id: true, version: true }, orderBy: { id: "asc" } })).toEqual(tenantsBefore);
  }

  const base = "http://localhost:3000/authenticate/OAuth2Callback";

  it("rejects a missing state", () => expectRejected(`${base}?admin_consent=True&tenant=${TEST.fabrikamId}`));
  it("rejects an unknown state", () => expectRejected(`${base}?admin_consent=True&tenant=${TEST.fabrikamId}&state=${"A".repeat(43)}`));
  it("rejects a malformed state", () => expectRejected(`${base}?state=%3Cscript%3E`));
  it("rejects duplicated parameters", async () => {
    const tenantId = await seedTenant();
    const started = await startConsent(await linkToken(tenantId), defaultBrowser);
    const state = new URL(started.ok ? started.redirectTo : "").searchParams.get("state")!;
    await expectRejected(`${base}?admin_consent=True&tenant=${TEST.fabrikamId}&state=${state}&state=${state}`);
    await expectRejected(`${base}?admin_consent=True&tenant=${TEST.fabrikamId}&tenant=${TEST.contosoId}&state=${state}`);
  });
  it("rejects huge values", async () => {
    await expectRejected(`${base}?state=${"A".repeat(43)}&error_description=${"x".repeat(20_000)}`);
    await expectRejected(`${base}?state=${"A".repeat(5000)}`);
  });
  it("rejects an expired state", async () => {
    const tenantId = await seedTenant();
    const started = await startConsent(await linkToken(tenantId), defaultBrowser);
    const state = new URL(started.ok ? started.redirectTo : "").searchParams.get("state")!;
    await db.oAuthState.updateMany({ where: { tenantId }, data: { expiresAt: new Date(Date.now() - 1000) } });
    await expectRejected(`${base}?admin_consent=True&tenant=${TEST.fabrikamId}&state=${state}`);
  });
});

/** Seeds an auth-token tenant, continues to Microsoft and answers as its admin: the callback URL with a code. */
async function authCodeCallbackUrl() {
  const tenantId = await seedTenant({ entraTenantId: TEST.contosoId, primaryDomain: TEST.contosoDomain, adminEmail: TEST.admin, authMethod: "AUTH_TOKEN" });
  const location = await answerMicrosoft(await continueToMicrosoft(await linkToken(tenantId), defaultBrowser), TEST.admin);
  expect(location.searchParams.get("code")).toBeTruthy();
  return { tenantId, location };
}

/** The statuses the emulator's token endpoint answered for a tenant since `since`, in order. */
function tokenStatuses(since: number, tenant: string = TEST.contosoId) {
  return emu.state
    .requestLog()
    .filter((e) => e.kind === "token" && e.tenant === tenant && Date.parse(e.at) >= since)
    .map((e) => e.status);
}

async function consentFailures(tenantId: string) {
  const events = await db.auditEvent.findMany({ where: { targetId: tenantId, action: "consent.failed" }, select: { details: true } });
  return events.map((e) => JSON.parse(e.details) as Record<string, unknown>);
}

describe("the callback's calls to Microsoft go through the shared Entra client", () => {
  it("retries a token endpoint answering 503, then completes the authorization", async () => {
    const { tenantId, location } = await authCodeCallbackUrl();
    const since = emu.state.clock.now();
    emu.state.fail5xx({ scope: "token", count: 1, status: 503 });
    const page = await callback(location);
    expect(page.html).toContain("access was authorized");
    expect(tokenStatuses(since).slice(0, 2)).toEqual([503, 200]);
    expect(await db.tenantCredential.count({ where: { tenantId, kind: "MSAL_CACHE" } })).toBe(1);
  });

  it("waits out a short Retry-After on 429 and completes the authorization", async () => {
    const { tenantId, location } = await authCodeCallbackUrl();
    const since = emu.state.clock.now();
    emu.state.throttle({ scope: "token", count: 1, retryAfterSeconds: 0.2 });
    const page = await callback(location);
    expect(page.html).toContain("access was authorized");
    expect(tokenStatuses(since).slice(0, 2)).toEqual([429, 200]);
    expect(await db.tenantCredential.count({ where: { tenantId, kind: "MSAL_CACHE" } })).toBe(1);
  });

  it("does not keep the customer waiting through a long Retry-After: it says Microsoft throttled, by code", async () => {
    const { tenantId, location } = await authCodeCallbackUrl();
    const since = emu.state.clock.now();
    emu.state.throttle({ scope: "token", retryAfterSeconds: 60 });
    const page = await callback(location);
    expect(page.html).toContain("Throttled by Microsoft");
    expect(tokenStatuses(since)).toEqual([429]);
    expect(await consentFailures(tenantId)).toEqual([expect.objectContaining({ flow: "AUTH_CODE", reason: "THROTTLED", codes: ["90055"] })]);
    expect(await db.tenantCredential.count({ where: { tenantId, kind: "MSAL_CACHE" } })).toBe(0);
  });

  it("classifies a refused code redemption by its error code: an expired code is AUTHORIZATION_CODE_REJECTED, on the page and in the audit", async () => {
    const { tenantId, location } = await authCodeCallbackUrl();
    const before = await snapshot(tenantId);
    // The customer left Microsoft's answer open for longer than a code lives (about ten minutes).
    emu.state.advanceClock(11 * 60);
    try {
      const page = await callback(location);
      expect(page.status).toBe(200);
      expect(page.html).toContain("Sign-in code refused");
      expect(page.html).toContain("Open the consent link again");
    } finally {
      emu.state.advanceClock(-11 * 60);
    }
    expect(await consentFailures(tenantId)).toEqual([
      expect.objectContaining({ flow: "AUTH_CODE", reason: "AUTHORIZATION_CODE_REJECTED", error: "invalid_grant", codes: ["70008"] }),
    ]);
    expect(await snapshot(tenantId)).toEqual(before);
  });

  it("gives up on admin consent's proof token the same way: a long Retry-After is reported at once as THROTTLED", async () => {
    emu.state.revokeConsent?.(TEST.fabrikamId, TEST.providerClientId);
    const tenantId = await seedTenant();
    const location = await consentAs(tenantId, TEST.fabrikamAdmin);
    const since = emu.state.clock.now();
    emu.state.throttle({ scope: "token", tenantIds: [TEST.fabrikamId], retryAfterSeconds: 60 });
    const page = await callback(location);
    expect(page.html).toContain("Throttled by Microsoft");
    expect(tokenStatuses(since, TEST.fabrikamId)).toEqual([429]);
    expect(await consentFailures(tenantId)).toEqual([expect.objectContaining({ flow: "ADMIN_CONSENT", reason: "THROTTLED", codes: ["90055"] })]);
    // Transient: the failure policy keeps the tenant's status and shows the throttled check beside it.
    expect(await db.tenant.findUniqueOrThrow({ where: { id: tenantId } })).toMatchObject({ lastStatus: "NEVER", lastCheckCode: "THROTTLED", failureStreak: 1 });
  });
});

describe("auth token flow", () => {
  it("redeems the code with PKCE, stores the MSAL cache encrypted, refreshes and removes it", async () => {
    const tenantId = await seedTenant({ entraTenantId: TEST.contosoId, primaryDomain: TEST.contosoDomain, adminEmail: TEST.admin, authMethod: "AUTH_TOKEN" });
    const started = await startConsent(await linkToken(tenantId), defaultBrowser);
    if (!started.ok) throw new Error(started.error);
    const authorize = new URL(started.redirectTo);
    expect(authorize.pathname).toBe(`/${TEST.contosoId}/oauth2/v2.0/authorize`);
    expect(authorize.searchParams.get("code_challenge_method")).toBe("S256");
    expect(authorize.searchParams.get("scope")).toContain("offline_access");
    emu.state.armInteraction({ user: TEST.admin, password: TEST.password, decision: "accept" });
    const location = new URL((await fetch(started.redirectTo, { redirect: "manual" })).headers.get("location")!);
    expect(location.searchParams.get("code")).toBeTruthy();

    const page = await callback(location);
    expect(page.status).toBe(200);
    expect(page.html).toContain("access was authorized");
    const credential = await db.tenantCredential.findUniqueOrThrow({ where: { tenantId_kind: { tenantId, kind: "MSAL_CACHE" } } });
    expect(credential.secret).not.toContain("RefreshToken");
    const tenant = await db.tenant.findUniqueOrThrow({ where: { id: tenantId } });
    expect(tenant.authMethod).toBe("AUTH_TOKEN");
    expect(["VERIFIED", "WARNING"]).toContain(tenant.lastStatus);

    const refreshed = await refreshDelegatedToken({ tenantId, actor });
    expect(refreshed.ok, refreshed.ok ? "" : refreshed.error).toBe(true);
    const rotated = await db.tenantCredential.findUniqueOrThrow({ where: { tenantId_kind: { tenantId, kind: "MSAL_CACHE" } } });
    expect(rotated.version).toBeGreaterThan(credential.version);

    const removed = await removeAuthorization({ tenantId, actor });
    expect(removed.ok).toBe(true);
    expect(await db.tenantCredential.count({ where: { tenantId } })).toBe(0);
    expect((await db.tenant.findUniqueOrThrow({ where: { id: tenantId } })).lastStatus).toBe("FAILED");
    expect(
      await db.auditEvent.count({
        where: { targetId: tenantId, action: { in: ["consent.granted", "tenant.token_refreshed", "tenant.authorization_removed"] } },
      }),
    ).toBe(3);
  });
});
