import { NextRequest } from "next/server";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import type { RunningEmulator } from "@/emulator/index";
import { startTestEmulator, TEST } from "@/emulator/testing/index";

/**
 * Consent propagation (issue 16, item 2), end to end: the customer consents through Microsoft (the
 * emulator) and /authenticate/OAuth2Callback while the emulator refuses the app's tokens in that tenant
 * for a while after the consent (set-consent-propagation-delay), and the console's confirmation checks
 * run on the job engine's tick, started like a console process starts them.
 */

// A short confirmation window and backoff for the test (lib/env.ts reads them once, at import).
vi.hoisted(() => {
  process.env.CONSENT_CONFIRM_WINDOW_SECONDS = "10";
  process.env.CONSENT_CONFIRM_BACKOFF_SECONDS = "0.5";
  process.env.CONSENT_CONFIRM_BACKOFF_MAX_SECONDS = "2";
});

const { GET: callbackRoute } = await import("@/app/authenticate/OAuth2Callback/route");
const { db } = await import("@/lib/db");
const { newId } = await import("@/lib/ids");
const { stopJobEngine } = await import("@/lib/jobs");
const { applyEmulatorProvider } = await import("@/lib/provider/testing");
const { startConsentConfirmation } = await import("@/lib/verification");
const { browserBindingValue, CONSENT_BROWSER_COOKIE } = await import("./browser-binding");
const { startConsent } = await import("./flow");
const { createConsentLink } = await import("./links");

const actor = { type: "admin" as const, id: "admin-1", label: "ops@msp.example" };
const browser = browserBindingValue(undefined);
let emu: RunningEmulator;

beforeAll(async () => {
  emu = await startTestEmulator();
  await applyEmulatorProvider(emu);
});

afterAll(async () => {
  await stopJobEngine();
  await emu?.close();
});

beforeEach(async () => {
  emu.state.clearFaults();
  await db.tenant.deleteMany({});
});

async function seedFabrikam() {
  const id = newId();
  await db.tenant.create({
    data: {
      id,
      customerId: `cust-${id.slice(-8)}`,
      displayName: "Fabrikam",
      entraTenantId: TEST.fabrikamId,
      primaryDomain: TEST.fabrikamDomain,
      adminEmail: TEST.fabrikamAdmin,
      authMethod: "APP_REGISTRATION",
      cloud: "CUSTOM",
    },
  });
  return id;
}

/** The customer's admin opens the consent link, consents at Microsoft, and lands on the callback. */
async function consent(tenantId: string) {
  const link = await createConsentLink({ tenantId, actor });
  if (!link.ok) throw new Error(link.error);
  const started = await startConsent(new URL(link.data.url).pathname.split("/").pop()!, browser);
  if (!started.ok) throw new Error(started.error);
  emu.state.armInteraction({ user: TEST.fabrikamAdmin, password: TEST.password, decision: "accept" });
  const location = (await fetch(started.redirectTo, { redirect: "manual" })).headers.get("location");
  expect(location).toBeTruthy();
  const response = await callbackRoute(new NextRequest(location!, { headers: { cookie: `${CONSENT_BROWSER_COOKIE}=${browser}` } }));
  return { status: response.status, html: await response.text() };
}

const tenantState = (id: string) =>
  db.tenant.findUniqueOrThrow({
    where: { id },
    select: { lastStatus: true, lastStatusCode: true, lastStatusMessage: true, consentConfirmingUntil: true, nextCheckAt: true, authMethod: true },
  });

/** The consent is fresh in the emulator (revoked first: a new grant starts the delay). */
function freshConsentWithDelay(seconds: number) {
  emu.state.revokeConsent(TEST.fabrikamId, TEST.providerClientId);
  emu.state.setConsentPropagationDelay(TEST.fabrikamId, seconds);
}

describe("consent propagation", () => {
  it("a delay shorter than the window: 'Consent received — confirming', then Verified by the background checks, also after a restart", async () => {
    const tenantId = await seedFabrikam();
    freshConsentWithDelay(3);

    const page = await consent(tenantId);
    expect(page.status).toBe(200);
    expect(page.html).toContain("Thank you: consent was received");
    expect(page.html).toContain("is confirming it with Microsoft");
    expect(page.html).not.toContain("App not present in the tenant");
    expect(page.html).toContain('role="status"');

    // Meanwhile: the stored state, the link used, the method switched.
    const confirming = await tenantState(tenantId);
    expect(confirming).toMatchObject({
      lastStatus: "WARNING",
      lastStatusCode: "CONSENT_CONFIRMING",
      lastStatusMessage: "Consent received — confirming",
      authMethod: "APP_REGISTRATION",
    });
    expect(confirming.consentConfirmingUntil!.getTime()).toBeGreaterThan(Date.now());
    expect(await db.consentLink.count({ where: { tenantId, completedAt: null } })).toBe(0);
    const granted = await db.auditEvent.findFirstOrThrow({ where: { targetId: tenantId, action: "consent.granted" } });
    expect(JSON.parse(granted.details)).toMatchObject({ confirming: true, codes: ["700016"] });

    // The process that took the callback is gone (no tick ever ran there); another one starts and confirms.
    await stopJobEngine();
    const stop = startConsentConfirmation({ tickMs: 250 });
    try {
      await expect.poll(async () => (await tenantState(tenantId)).lastStatus, { timeout: 30_000, interval: 250 }).toBe("VERIFIED");
    } finally {
      stop();
    }
    const done = await tenantState(tenantId);
    expect(done).toMatchObject({ lastStatusCode: "VERIFIED", consentConfirmingUntil: null, nextCheckAt: null });

    // The checks ran as automatic verify runs of their own slot; while Microsoft still refused, the status stayed.
    const history = await db.verificationResult.findMany({
      where: { tenantId },
      orderBy: { finishedAt: "asc" },
      select: { status: true, reasonCode: true, run: { select: { requestedBy: true, trigger: true } } },
    });
    expect(history.at(-1)).toMatchObject({ status: "VERIFIED", run: { requestedBy: "scheduler:consent", trigger: "schedule" } });
    expect(history.filter((h) => h.reasonCode === "APP_NOT_IN_TENANT").length).toBeGreaterThan(0);
    const changes = await db.auditEvent.findMany({ where: { targetId: tenantId, action: "tenant.status_changed" }, orderBy: { at: "asc" } });
    expect(changes.map((c) => JSON.parse(c.details) as { to: string; reason: string })).toEqual([
      expect.objectContaining({ to: "WARNING", reason: "CONSENT_CONFIRMING" }),
      expect.objectContaining({ to: "VERIFIED", reason: "VERIFIED" }),
    ]);
  });

  it("a delay longer than the window: Failed with Microsoft's real answer once the window is over", async () => {
    const tenantId = await seedFabrikam();
    freshConsentWithDelay(600);

    const page = await consent(tenantId);
    expect(page.html).toContain("Thank you: consent was received");
    const { consentConfirmingUntil } = await tenantState(tenantId);
    expect(consentConfirmingUntil).not.toBeNull();

    const stop = startConsentConfirmation({ tickMs: 250 });
    try {
      await expect.poll(async () => (await tenantState(tenantId)).lastStatus, { timeout: 40_000, interval: 250 }).toBe("FAILED");
    } finally {
      stop();
    }
    const failed = await tenantState(tenantId);
    expect(failed).toMatchObject({ lastStatusCode: "APP_NOT_IN_TENANT", consentConfirmingUntil: null });
    // The first permanent step of the failure policy's backoff, not the confirmation's.
    expect(failed.nextCheckAt!.getTime()).toBeGreaterThan(Date.now() + 30 * 60_000);
    const results = await db.verificationResult.findMany({
      where: { tenantId },
      orderBy: { finishedAt: "asc" },
      select: { reasonCode: true, finishedAt: true },
    });
    expect(results.length).toBeGreaterThan(2);
    expect(results.every((r) => r.reasonCode === "APP_NOT_IN_TENANT")).toBe(true);
    // Failed only at the window's end, on a check made then.
    expect(results.at(-1)!.finishedAt.getTime()).toBeGreaterThanOrEqual(consentConfirmingUntil!.getTime());
  });
});
