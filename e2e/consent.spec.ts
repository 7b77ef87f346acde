import { expect, test, type Browser, type Page } from "./support/test";
import { randomUUID } from "node:crypto";
import { createAdmin } from "./support/admins";
import { e2eDb, releaseEntraTenants } from "./support/db";
import { control, DEMO } from "./support/emulator";
import { signInAndExpectConsole } from "./support/pages";
import { configureProviderApp } from "./support/provider";

type Customer = { id: string; domain: string; admin: string };

async function seedTenant(customer: Customer, name: string, method: "APP_REGISTRATION" | "AUTH_TOKEN") {
  const id = randomUUID();
  const customerId = `${name.toLowerCase().replace(/\W+/g, "-")}-${id.slice(0, 6)}`;
  await releaseEntraTenants([customer.id]);
  await e2eDb.tenant.create({
    data: {
      id,
      customerId,
      displayName: name,
      entraTenantId: customer.id,
      primaryDomain: customer.domain,
      adminEmail: customer.admin,
      authMethod: method,
      cloud: "CUSTOM",
    },
  });
  return { id, customerId };
}

/** The MSP admin copies the tenant's consent link from its page. */
async function copyConsentLink(page: Page, tenantId: string) {
  await page.context().grantPermissions(["clipboard-read", "clipboard-write"]);
  await page.goto(`/tenants/${tenantId}`);
  await page.getByRole("button", { name: "Copy consent link", exact: true }).click();
  await expect(page.getByText("Consent link copied")).toBeVisible();
  const url = await page.evaluate(() => navigator.clipboard.readText());
  expect(url).toMatch(/\/consent\/[A-Za-z0-9_-]{43}$/);
  return url;
}

/** The customer's administrator, in a browser of their own, opens the link and answers Microsoft. */
async function consentAsCustomer(browser: Browser, link: string, user: string, decision: "Accept" | "Cancel") {
  const context = await browser.newContext({ ignoreHTTPSErrors: true });
  const page = await context.newPage();
  await page.goto(link);
  await expect(page.getByRole("heading", { name: /Grant your service provider access/ })).toBeVisible();
  await page.getByRole("button", { name: "Continue to Microsoft" }).click();
  await page.getByLabel("Email").fill(user);
  // The consent state is bound to this browser by an HttpOnly cookie that must come back with Microsoft's redirect.
  const [binding] = (await context.cookies()).filter((c) => c.name === "tac-consent");
  expect(binding).toMatchObject({ httpOnly: true, sameSite: "Lax", path: "/" });
  await page.getByLabel("Password").fill(DEMO.userPassword);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("button", { name: decision }).click();
  await expect(page).toHaveURL(/\/authenticate\/OAuth2Callback\?/);
  return { page, close: () => context.close() };
}

test.describe("customer consent through the emulator", () => {
  test("admin consent: the customer accepts, lands on the confirmation, and the tenant turns verified", async ({ page, browser }) => {
    await signInAndExpectConsole(page, await createAdmin());
    await configureProviderApp(page);
    const tenant = await seedTenant(DEMO.litware, "Litware Logistics", "APP_REGISTRATION");
    const link = await copyConsentLink(page, tenant.id);

    const customer = await consentAsCustomer(browser, link, DEMO.litware.admin, "Accept");
    await expect(customer.page.getByRole("heading", { name: "Thank you: consent was granted" })).toBeVisible();
    await expect(customer.page.getByText("Permissions granted:")).toBeVisible();
    await customer.close();

    await page.reload();
    await expect(page.getByText("Verified").first()).toBeVisible();
    const stored = await e2eDb.tenant.findUniqueOrThrow({ where: { id: tenant.id } });
    expect(stored.lastStatus).toBe("VERIFIED");
    await page.goto("/audit");
    await expect(page.getByRole("row").filter({ hasText: "consent.granted" }).first()).toBeVisible();
    await expect(page.getByRole("row").filter({ hasText: "consent.started" }).first()).toBeVisible();
    await expect(page.getByRole("row").filter({ hasText: "consent_link.created" }).first()).toBeVisible();
  });

  test("admin consent while Microsoft still replicates it: the customer is told it was received, the tenant confirms, then verifies", async ({
    page,
    browser,
  }) => {
    test.setTimeout(150_000);
    await signInAndExpectConsole(page, await createAdmin());
    await configureProviderApp(page);
    const tenant = await seedTenant(DEMO.litware, "Litware Logistics", "APP_REGISTRATION");
    const link = await copyConsentLink(page, tenant.id);
    // A fresh consent, after which Entra answers AADSTS700016 (the app is not in the tenant yet) until the
    // spec ends the replication below: what the customer and the MSP see meanwhile does not race a timer.
    await control.revokeConsent(DEMO.litware.id, DEMO.providerClientId);
    await control.setConsentPropagationDelay(DEMO.litware.id, 600);
    try {
      const customer = await consentAsCustomer(browser, link, DEMO.litware.admin, "Accept");
      await expect(customer.page.getByRole("heading", { name: "Thank you: consent was received" })).toBeVisible();
      await expect(customer.page.getByRole("status")).toContainText("is confirming it with Microsoft");
      await expect(customer.page.getByText("App not present in the tenant")).toHaveCount(0);
      await expect(customer.page.getByRole("alert")).toHaveCount(0);
      await customer.page.screenshot({ path: "test-results/consent-confirming-customer.png" });
      await customer.close();

      // The link counts as used; the tenant shows the consent being confirmed.
      expect(await e2eDb.consentLink.count({ where: { tenantId: tenant.id, completedAt: null } })).toBe(0);
      await page.goto(`/tenants/${tenant.id}`);
      await expect(page.getByRole("heading", { name: "Consent received — confirming" })).toBeVisible();
      await expect(page.getByTestId("consent-confirming")).toContainText("Consent received; confirming with Microsoft until");
      await page.screenshot({ path: "test-results/consent-confirming-tenant.png", fullPage: true });
      await page.goto(`/tenants?q=${tenant.customerId}`);
      await expect(page.getByRole("row").filter({ hasText: tenant.customerId })).toContainText("Consent received — confirming");
      await page.screenshot({ path: "test-results/consent-confirming-table.png" });

      // Entra has replicated; the console's background checks (job engine) confirm it.
      await control.setConsentPropagationDelay(DEMO.litware.id, 0);
      await expect
        .poll(async () => (await e2eDb.tenant.findUniqueOrThrow({ where: { id: tenant.id } })).lastStatus, { timeout: 45_000, intervals: [500] })
        .toBe("VERIFIED");
      await page.reload();
      await expect(page.getByTestId("consent-confirming")).toHaveCount(0);
      await expect(page.getByText("Verified").first()).toBeVisible();
    } finally {
      await control.setConsentPropagationDelay(DEMO.litware.id, 0);
    }
  });

  test("admin consent: a response that comes back without the browser's consent cookie is refused; the link still works", async ({ page, browser }) => {
    await signInAndExpectConsole(page, await createAdmin());
    await configureProviderApp(page);
    const tenant = await seedTenant(DEMO.litware, "Litware Outfitters", "APP_REGISTRATION");
    const link = await copyConsentLink(page, tenant.id);

    // As if Microsoft's redirect had been opened in another browser (or this one's cookies were cleared).
    const context = await browser.newContext({ ignoreHTTPSErrors: true });
    const customer = await context.newPage();
    await customer.goto(link);
    await customer.getByRole("button", { name: "Continue to Microsoft" }).click();
    await customer.getByLabel("Email").fill(DEMO.litware.admin);
    await customer.getByLabel("Password").fill(DEMO.userPassword);
    await customer.getByRole("button", { name: "Sign in" }).click();
    await context.clearCookies({ name: "tac-consent" });
    await customer.getByRole("button", { name: "Accept" }).click();
    await expect(customer.getByRole("heading", { name: "Open the consent link again in this browser" })).toBeVisible();
    await context.close();
    expect(await e2eDb.auditEvent.count({ where: { targetId: tenant.id, action: "consent.granted" } })).toBe(0);

    const again = await consentAsCustomer(browser, link, DEMO.litware.admin, "Accept");
    await expect(again.page.getByRole("heading", { name: "Thank you: consent was granted" })).toBeVisible();
    await again.close();
  });

  test("admin consent cancelled: the customer is told, and the console shows it declined", async ({ page, browser }) => {
    await signInAndExpectConsole(page, await createAdmin());
    await configureProviderApp(page);
    const tenant = await seedTenant(DEMO.proseware, "Proseware Architects", "APP_REGISTRATION");
    const link = await copyConsentLink(page, tenant.id);

    const customer = await consentAsCustomer(browser, link, DEMO.proseware.admin, "Cancel");
    await expect(customer.page.getByRole("heading", { name: "You cancelled: nothing was granted" })).toBeVisible();
    await customer.close();

    const stored = await e2eDb.tenant.findUniqueOrThrow({ where: { id: tenant.id } });
    expect(stored.lastStatus).toBe("FAILED");
    expect(stored.lastStatusCode).toBe("CONSENT_DECLINED");
    await page.goto(`/tenants/${tenant.id}`);
    await expect(page.getByText(/declined/i).first()).toBeVisible();
  });

  test("an administrator of another tenant: mismatch, nothing stored for the link's tenant", async ({ page, browser }) => {
    await signInAndExpectConsole(page, await createAdmin());
    await configureProviderApp(page);
    const tenant = await seedTenant(DEMO.southridge, "Southridge Video", "APP_REGISTRATION");
    const before = await e2eDb.tenant.findUniqueOrThrow({ where: { id: tenant.id } });
    const link = await copyConsentLink(page, tenant.id);

    const context = await browser.newContext({ ignoreHTTPSErrors: true });
    const customer = await context.newPage();
    await customer.goto(link);
    await customer.getByRole("button", { name: "Continue to Microsoft" }).click();
    await customer.getByLabel("Email").fill(DEMO.contoso.admin);
    await customer.getByLabel("Password").fill(DEMO.userPassword);
    await customer.getByRole("button", { name: "Sign in" }).click();
    // Entra refuses a user of another directory at its sign-in (AADSTS50020); should a consent still come
    // back, the console must call it another organization. Either way nothing is stored.
    await expect(customer.getByText(/AADSTS50020|another organization/).first()).toBeVisible();
    await context.close();
    const after = await e2eDb.tenant.findUniqueOrThrow({ where: { id: tenant.id }, include: { credentials: true } });
    expect(after.entraTenantId).toBe(before.entraTenantId);
    expect(after.lastStatus).not.toBe("VERIFIED");
    expect(after.credentials).toHaveLength(0);
    expect(await e2eDb.auditEvent.count({ where: { targetId: tenant.id, action: "consent.granted" } })).toBe(0);
  });

  test("auth token: the customer signs in, the token is stored, refreshed and removed", async ({ page, browser }) => {
    await signInAndExpectConsole(page, await createAdmin());
    await configureProviderApp(page);
    const tenant = await seedTenant(DEMO.southridge, "Southridge Video", "AUTH_TOKEN");
    const link = await copyConsentLink(page, tenant.id);

    const customer = await consentAsCustomer(browser, link, DEMO.southridge.admin, "Accept");
    await expect(customer.page.getByRole("heading", { name: "Thank you: access was authorized" })).toBeVisible();
    await customer.close();

    await expect.poll(async () => (await e2eDb.tenant.findUniqueOrThrow({ where: { id: tenant.id } })).lastStatus).toBe("VERIFIED");
    const credential = await e2eDb.tenantCredential.findUniqueOrThrow({ where: { tenantId_kind: { tenantId: tenant.id, kind: "MSAL_CACHE" } } });

    await page.goto(`/tenants/${tenant.id}`);
    await page.getByRole("button", { name: "Refresh access token" }).click();
    await expect(page.getByText("Access token refreshed")).toBeVisible();
    const rotated = await e2eDb.tenantCredential.findUniqueOrThrow({ where: { tenantId_kind: { tenantId: tenant.id, kind: "MSAL_CACHE" } } });
    expect(rotated.version).toBeGreaterThan(credential.version);

    await page.getByRole("button", { name: "Remove authorization" }).click();
    await page.getByRole("dialog").getByRole("button", { name: "Remove authorization" }).click();
    await expect(page.getByText("Authorization removed")).toBeVisible();
    expect(await e2eDb.tenantCredential.count({ where: { tenantId: tenant.id } })).toBe(0);
  });
});
