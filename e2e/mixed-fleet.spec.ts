import { randomUUID } from "node:crypto";
import { expect, test, type Browser, type Page, type TestInfo } from "./support/test";
import { baseURL } from "../playwright.config";
import { createAdmin } from "./support/admins";
import { e2eDb, releaseEntraTenants } from "./support/db";
import { control, control2, DEMO, emulator2, restoreDemoScenario, restoreSecondCloudScenario, SECOND_CLOUD } from "./support/emulator";
import { signInAndExpectConsole } from "./support/pages";
import { configureProviderApp } from "./support/provider";

// Issue 15 item 7, a mixed fleet end to end: two emulator instances are two clouds, each with the MSP's
// own app registration there (another client id and secret). The first stands for Global as the Custom
// cloud's default registration; the second for US Government as a second Custom registration that the
// tenants of that cloud name in the import file's app_registration column (a national cloud's hosts are
// Microsoft's own, so an emulator can only stand in for a cloud as Custom). One CSV holds tenants of
// both; each customer's administrator consents on their own cloud's pages; Verify All verifies them all,
// and each tenant's tokens come from its own cloud's instance.

test.use({ viewport: { width: 1440, height: 1000 } });

const SECOND_NAME = "US Government (second cloud)";

type Customer = { id: string; domain: string; admin: string; name: string; cloud: "first" | "second" };
const customers: Customer[] = [
  { ...DEMO.litware, name: "Litware Logistics", cloud: "first" },
  { ...DEMO.proseware, name: "Proseware Architects", cloud: "first" },
  { ...SECOND_CLOUD.fabrikam, name: "Fabrikam Federal", cloud: "second" },
  { ...SECOND_CLOUD.tailspin, name: "Tailspin Defense Works", cloud: "second" },
];

test.beforeEach(async () => {
  // This spec's data only: earlier specs may have added the same customers' tenants.
  await releaseEntraTenants(customers.map((c) => c.id));
  await e2eDb.appRegistration.deleteMany({ where: { name: SECOND_NAME } });
});

test.afterAll(async () => {
  // Consents granted here would change what later specs expect of the demo directory.
  await restoreDemoScenario();
  await restoreSecondCloudScenario();
});

async function screenshot(page: Page, testInfo: TestInfo, name: string) {
  const path = testInfo.outputPath(`${name}.png`);
  await page.screenshot({ path, fullPage: true });
  await testInfo.attach(name, { path, contentType: "image/png" });
}

/** Settings → App registrations → Add: the MSP's app registered in the second cloud. */
async function addSecondCloudRegistration(page: Page) {
  await page.goto("/settings/provider");
  await page.getByRole("link", { name: "Add app registration" }).click();
  await expect(page.getByRole("heading", { name: "New app registration" })).toBeVisible();
  await page.getByLabel("Name").fill(SECOND_NAME);
  // The Custom cloud's default is the first instance's registration; this one is chosen per tenant.
  await page.getByLabel("Use as the default registration").uncheck();
  await page.getByLabel("Cloud").selectOption("CUSTOM");
  await page.getByLabel("Client ID").fill(SECOND_CLOUD.providerClientId);
  await page.getByLabel("Client Secret").fill(SECOND_CLOUD.providerSecret);
  await page.getByLabel("Redirect URL").fill(`${baseURL}/authenticate/OAuth2Callback`);
  await page.getByLabel("Home tenant").fill(SECOND_CLOUD.homeTenantId);
  await page.getByLabel("Authority host").fill(emulator2.authorityHost);
  await page.getByLabel("Graph host").fill(emulator2.graphHost);
  await page.getByLabel("Required application permissions").fill("Organization.Read.All User.Read.All");
  await page.getByRole("button", { name: "Apply Changes" }).click();
  await expect(page.getByRole("heading", { name: `App registration: ${SECOND_NAME}` })).toBeVisible();
  await expect(page.getByText(`https://${emulator2.authorityHost}/{tenant}/oauth2/v2.0/token`)).toBeVisible();
}

/** The MSP admin copies the tenant's consent link; the customer's administrator consents in a browser of their own. */
async function consent(page: Page, browser: Browser, tenantId: string, customer: Customer) {
  await page.goto(`/tenants/${tenantId}`);
  await page.getByRole("button", { name: "Copy consent link", exact: true }).click();
  await expect(page.getByText("Consent link copied")).toBeVisible();
  const link = await page.evaluate(() => navigator.clipboard.readText());
  const context = await browser.newContext({ ignoreHTTPSErrors: true });
  const admin = await context.newPage();
  await admin.goto(link);
  await admin.getByRole("button", { name: "Continue to Microsoft" }).click();
  // Microsoft's sign-in page of the tenant's own cloud.
  const signInHost = customer.cloud === "second" ? emulator2.authorityHost : new URL(control.loginUrl).host;
  await expect(admin).toHaveURL(new RegExp(`^https://${signInHost.replace(/\./g, "\\.")}/`));
  await admin.getByLabel("Email").fill(customer.admin);
  await admin.getByLabel("Password").fill(DEMO.userPassword);
  await admin.getByRole("button", { name: "Sign in" }).click();
  await admin.getByRole("button", { name: "Accept" }).click();
  await expect(admin).toHaveURL(/\/authenticate\/OAuth2Callback\?/);
  await expect(admin.getByRole("heading", { name: "Thank you: consent was granted" })).toBeVisible();
  await context.close();
}

test("one CSV imports tenants of two clouds; each consents on its own cloud and Verify All verifies them all there", async ({ page, browser }, testInfo) => {
  test.setTimeout(240_000);
  await signInAndExpectConsole(page, await createAdmin());
  await page.context().grantPermissions(["clipboard-read", "clipboard-write"]);
  // The first cloud: the default registration, Custom, at the first instance; the second beside it.
  await configureProviderApp(page);
  await addSecondCloudRegistration(page);
  await page.goto("/settings/provider");
  await expect(page.getByRole("row").filter({ hasText: SECOND_NAME })).toContainText(SECOND_CLOUD.providerClientId);

  // One file: the first cloud's tenants use the Custom cloud's default registration, the second cloud's name theirs.
  const prefix = `mix${randomUUID().slice(0, 6)}`;
  const customerId = (c: Customer) => `${prefix}-${c.name.split(" ")[0]!.toLowerCase()}`;
  const csv = [
    "customer_id,display_name,tenant,admin_email,auth_method,cloud,app_registration",
    ...customers.map((c) =>
      [customerId(c), c.name, c.id, c.admin, "APP_REGISTRATION", c.cloud === "first" ? "CUSTOM" : "", c.cloud === "second" ? `"${SECOND_NAME}"` : ""].join(","),
    ),
  ].join("\r\n");
  await page.goto("/tenants/import");
  await page.getByLabel("CSV file").setInputFiles({ name: "mixed-fleet.csv", mimeType: "text/csv", buffer: Buffer.from(`${csv}\r\n`) });
  await page.getByRole("button", { name: "Check file" }).click();
  const preview = page.getByRole("region", { name: /Preview/ });
  await expect(preview.getByRole("status")).toContainText("4 rows: 4 ready, 0 with errors.");
  await expect(preview.getByRole("row").filter({ hasText: customerId(customers[2]!) })).toContainText(`app registration ${SECOND_NAME}`);
  await screenshot(page, testInfo, "import-preview");
  await page.getByRole("button", { name: "Import 4 tenants" }).click();
  await expect(page.getByRole("heading", { name: "Imported 4 tenants" })).toBeVisible();

  const second = await e2eDb.appRegistration.findFirstOrThrow({ where: { name: SECOND_NAME } });
  const stored = await e2eDb.tenant.findMany({ where: { customerId: { startsWith: prefix } }, orderBy: { customerId: "asc" } });
  expect(stored).toHaveLength(4);
  const tenantOf = (c: Customer) => stored.find((t) => t.entraTenantId === c.id)!;
  for (const c of customers) {
    expect(tenantOf(c)).toMatchObject({ cloud: "CUSTOM", appRegistrationId: c.cloud === "second" ? second.id : null, lastStatus: "NEVER" });
  }
  await page.goto(`/tenants/${tenantOf(customers[2]!).id}`);
  await expect(page.getByText(SECOND_NAME).first()).toBeVisible();

  // Consent, tenant by tenant, through the real flow on each cloud's own pages.
  for (const c of customers) await consent(page, browser, tenantOf(c).id, c);

  // Verify All from the Tenants page.
  await page.goto(`/tenants?q=${prefix}`);
  await page.getByRole("button", { name: "Verify All" }).click();
  const run = page.getByRole("region", { name: "Verification run" });
  await expect(run.getByRole("heading", { name: /Verification finished/ })).toBeVisible({ timeout: 180_000 });
  for (const c of customers) await expect(page.getByRole("row").filter({ hasText: customerId(c) })).toContainText("Verified");
  await screenshot(page, testInfo, "tenants-after-verify-all");
  for (const t of await e2eDb.tenant.findMany({ where: { customerId: { startsWith: prefix } } })) {
    expect(t, t.customerId).toMatchObject({ lastStatus: "VERIFIED", lastStatusCode: "VERIFIED" });
  }

  // Each tenant's tokens came from its own cloud's instance, with that cloud's app, and never from the other.
  const tokens = async (log: typeof control) =>
    (await log.requestLog()).filter((e) => e.kind === "token" && e.status === 200 && customers.some((c) => c.id === e.tenant));
  const [first, other] = await Promise.all([tokens(control), tokens(control2)]);
  for (const c of customers) {
    const own = c.cloud === "first" ? first : other;
    const foreign = c.cloud === "first" ? other : first;
    expect(own.filter((e) => e.tenant === c.id).length, `${c.name}: tokens from its own cloud`).toBeGreaterThan(0);
    expect(
      own.filter((e) => e.tenant === c.id).every((e) => e.clientId === (c.cloud === "first" ? DEMO.providerClientId : SECOND_CLOUD.providerClientId)),
    ).toBe(true);
    expect(
      foreign.filter((e) => e.tenant === c.id),
      `${c.name}: no token from the other cloud`,
    ).toEqual([]);
  }
});
