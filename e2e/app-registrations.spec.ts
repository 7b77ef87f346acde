import { readFileSync } from "node:fs";
import { randomUUID } from "node:crypto";
import { expect, test } from "./support/test";
import { DEMO_SCENARIO_PATH } from "../emulator/index";
import type { ScenarioInput } from "../emulator/scenario";
import { baseURL } from "../playwright.config";
import { createAdmin } from "./support/admins";
import { e2eDb, releaseEntraTenants } from "./support/db";
import { signInAndExpectConsole } from "./support/pages";
import { configureProviderApp } from "./support/provider";

// Issue 15: app registrations as records (a second one for US Government in Settings) and a customer's
// own app registration (source 004) entered on the tenant page, which then verifies with it.

const GOV_NAME = "MSP console (US Government)";
const GOV_CLIENT_ID = "7ac0ffee-0000-4000-8000-0000000000a1";

test.beforeEach(async () => {
  await e2eDb.appRegistration.deleteMany({ where: { cloud: "USGOV" } });
});

test("an administrator adds a US Government app registration beside the default one; a second default for that cloud is refused", async ({
  page,
}, testInfo) => {
  test.setTimeout(120_000);
  await signInAndExpectConsole(page, await createAdmin());
  await configureProviderApp(page);

  await page.goto("/settings/provider");
  await expect(page.getByRole("heading", { name: "App registrations" })).toBeVisible();
  await page.getByRole("link", { name: "Add app registration" }).click();
  await expect(page.getByRole("heading", { name: "New app registration" })).toBeVisible();
  await page.getByLabel("Name").fill(GOV_NAME);
  await page.getByLabel("Cloud").selectOption("USGOV");
  await page.getByLabel("Client ID").fill(GOV_CLIENT_ID);
  await page.getByLabel("Client Secret").fill("gov8Q~us-government-app-secret-value-01");
  await page.getByLabel("Redirect URL").fill(`${baseURL}/authenticate/OAuth2Callback`);
  await page.getByLabel("Extra login parameters").fill("prompt=select_account");
  await page.getByRole("button", { name: "Apply Changes" }).click();

  await expect(page.getByRole("heading", { name: `App registration: ${GOV_NAME}` })).toBeVisible();
  await expect(page.getByText("https://login.microsoftonline.us/{tenant}/oauth2/v2.0/authorize")).toBeVisible();
  await expect(page.getByText("https://login.microsoftonline.us/{tenant}/oauth2/v2.0/token")).toBeVisible();
  await expect(page.getByLabel("Client Secret")).toHaveValue("");
  await expect(page.getByText("A secret is stored (starts with gov)")).toBeVisible();
  const stored = await e2eDb.appRegistration.findFirstOrThrow({ where: { name: GOV_NAME } });
  expect(stored).toMatchObject({ cloud: "USGOV", defaultForCloud: "USGOV", clientId: GOV_CLIENT_ID, loginParameters: '{"prompt":"select_account"}' });
  expect(stored.clientSecret).not.toContain("us-government-app-secret");
  await page.screenshot({ path: testInfo.outputPath("registration.png"), fullPage: true });

  await page.getByRole("link", { name: "App registrations" }).first().click();
  const row = page.getByRole("row").filter({ hasText: GOV_NAME });
  await expect(row).toContainText("US Government");
  await expect(row).toContainText("default");
  await expect(row).toContainText(GOV_CLIENT_ID);
  await page.screenshot({ path: testInfo.outputPath("registrations.png"), fullPage: true });

  // A second default registration for US Government: refused on its field, nothing stored. (The list page
  // holds the default registration's form, whose fields carry the same labels: wait for the new page.)
  await page.getByRole("link", { name: "Add app registration" }).click();
  await expect(page.getByRole("heading", { name: "New app registration" })).toBeVisible();
  await page.getByLabel("Name").fill("Another US Government app");
  await page.getByLabel("Cloud").selectOption("USGOV");
  await page.getByLabel("Client ID").fill("7ac0ffee-0000-4000-8000-0000000000a2");
  await page.getByLabel("Client Secret").fill("7f3c9a1e-2b4d-4e6f-8a0b-1c2d3e4f5a6b");
  await page.getByLabel("Redirect URL").fill(`${baseURL}/authenticate/OAuth2Callback`);
  await page.getByRole("button", { name: "Apply Changes" }).click();
  await expect(page.getByRole("main").getByRole("alert")).toHaveText("Check the highlighted fields.");
  await expect(page.getByLabel("Client Secret")).toHaveAccessibleDescription(/This is the secret's ID \(a GUID\), not its Value/);
  await page.getByLabel("Client Secret").fill("an8Q~other-secret-value");
  await page.getByRole("button", { name: "Apply Changes" }).click();
  await expect(page.getByLabel("Use as the default registration")).toHaveAccessibleDescription(
    new RegExp(`"${GOV_NAME.replace(/[()]/g, "\\$&")}" is already the default registration for US Government`),
  );
  await expect(page.getByLabel("Client Secret")).not.toHaveAttribute("aria-invalid", "true");
  expect(await e2eDb.appRegistration.count({ where: { cloud: "USGOV" } })).toBe(1);
  expect(await e2eDb.appRegistration.count({ where: { name: "Another US Government app" } })).toBe(0);
});

test("a cloud chosen while the page is still loading stays chosen after a refusal, and is the one applied", async ({ page }) => {
  await signInAndExpectConsole(page, await createAdmin());
  const name = `Early choice ${randomUUID().slice(0, 8)}`;
  // The page's scripts are held back (routing also bypasses the browser's cache), so the admin works on
  // the server-rendered form: React attaches to it only after the choice is made.
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  await page.route("**/_next/static/chunks/**", async (route) => {
    await released;
    await route.continue();
  });
  await page.goto("/settings/provider/new", { waitUntil: "commit" });
  const apply = page.getByRole("button", { name: "Apply Changes" });
  await expect(page.getByLabel("Redirect URL")).toBeVisible();
  await expect(apply).toBeDisabled();
  await page.getByLabel("Name").fill(name);
  await page.getByLabel("Cloud").selectOption("USGOV");
  await page.getByLabel("Client ID").fill(GOV_CLIENT_ID);
  await page.getByLabel("Client Secret").fill("7f3c9a1e-2b4d-4e6f-8a0b-1c2d3e4f5a6b");
  await page.getByLabel("Redirect URL").fill(`${baseURL}/authenticate/OAuth2Callback`);
  release();
  await expect(apply).toBeEnabled();

  await apply.click();
  await expect(page.getByLabel("Client Secret")).toHaveAccessibleDescription(/This is the secret's ID \(a GUID\), not its Value/);
  await expect(page.getByLabel("Cloud")).toHaveValue("USGOV");
  await expect(page.getByLabel("Name")).toHaveValue(name);
  await page.getByLabel("Client Secret").fill("gov8Q~us-government-app-secret-value-02");
  await apply.click();
  await expect(page.getByRole("heading", { name: `App registration: ${name}` })).toBeVisible();
  await expect(page.getByText("https://login.microsoftonline.us/{tenant}/oauth2/v2.0/token")).toBeVisible();
  expect(await e2eDb.appRegistration.findFirstOrThrow({ where: { name } })).toMatchObject({ cloud: "USGOV", defaultForCloud: "USGOV" });
});

test("a tenant in a cloud without a registration says so; the customer's own app registration entered on its page verifies it", async ({ page }, testInfo) => {
  test.setTimeout(90_000);
  await signInAndExpectConsole(page, await createAdmin());
  await configureProviderApp(page);
  const scenario = JSON.parse(readFileSync(DEMO_SCENARIO_PATH, "utf8")) as ScenarioInput;
  const tailspin = scenario.tenants!.find((t) => (t.console as { customerId?: string } | undefined)?.customerId === "tailspintravel")!;
  const hints = tailspin.console as { appClientId: string; appClientSecret: string; adminEmail: string };
  const id = randomUUID();
  const customerId = `own-${id.slice(0, 6)}`;
  await releaseEntraTenants([tailspin.id!]);
  await e2eDb.tenant.create({
    data: {
      id,
      customerId,
      displayName: "Tailspin Travel",
      entraTenantId: tailspin.id!,
      adminEmail: hints.adminEmail,
      authMethod: "AUTH_TOKEN",
      cloud: "USGOV",
    },
  });

  await page.goto(`/tenants/${id}`);
  await page.getByRole("button", { name: "Verify", exact: true }).click();
  await expect(page.getByRole("heading", { name: "No app registration for this cloud" })).toBeVisible();
  await expect(page.getByText("No app registration for US Government").first()).toBeVisible();
  await expect(page.getByRole("link", { name: "Fix: add an app registration" })).toHaveAttribute("href", "/settings/provider/new?cloud=USGOV");
  await page.screenshot({ path: testInfo.outputPath("no-registration.png"), fullPage: true });

  // Switching to the customer's own app registration leads straight to its form.
  const panel = page.getByRole("region", { name: "Credentials", exact: true });
  await panel.getByRole("button", { name: "Use the customer's own app registration" }).click();
  const form = panel.getByRole("form", { name: "Customer's app registration" });
  await form.getByLabel("Tenant ID").fill(tailspin.id!);
  await form.getByLabel("Client ID").fill(hints.appClientId);
  await form.getByLabel("Client Secret").fill(hints.appClientId);
  // The emulator is the tenant's cloud here (Custom): the Environment Type offers it beside Azure Public and US Government.
  await e2eDb.tenant.update({ where: { id }, data: { cloud: "CUSTOM" } });
  await form.getByLabel("Environment Type").selectOption("USGOV");
  await form.getByRole("button", { name: "Save and verify" }).click();
  await expect(form.getByLabel("Client Secret")).toHaveAccessibleDescription(/This is the secret's ID \(a GUID\), not its Value/);
  expect(await e2eDb.tenantCredential.count({ where: { tenantId: id } })).toBe(0);

  await page.reload();
  await panel.getByRole("button", { name: "Use the customer's own app registration" }).click();
  await form.getByLabel("Tenant ID").fill(tailspin.id!);
  await form.getByLabel("Client ID").fill(hints.appClientId);
  await form.getByLabel("Client Secret").fill(hints.appClientSecret);
  await form.getByLabel("Secret expires").fill("2031-06-30");
  await expect(form.getByLabel("Environment Type")).toHaveValue("CUSTOM");
  await form.getByRole("button", { name: "Save and verify" }).click();
  await expect(panel.getByRole("status")).toContainText("Saved. Verification: Verified.");
  await expect(page.getByRole("heading", { level: 1 })).toContainText("Verified");
  await expect(panel).toContainText(`Client ID ${hints.appClientId}`);
  // The customer's app may read its own registration in this scenario: Graph's end date (2099-12-31)
  // replaces the one typed, and is marked as read (issue 15 item 6).
  await expect(panel).toContainText(
    new RegExp(`Client secret stored \\(starts with ${hints.appClientSecret.slice(0, 3)}\\), expires \\d+ Dec 2099, \\d\\d:\\d\\d\\.`),
  );
  expect(await e2eDb.tenantCredential.findFirstOrThrow({ where: { tenantId: id, kind: "CLIENT_SECRET" } })).toMatchObject({ expiryCheck: "read" });
  expect(await page.content()).not.toContain(hints.appClientSecret);
  const tenant = await e2eDb.tenant.findUniqueOrThrow({ where: { id } });
  expect(tenant).toMatchObject({ authMethod: "APP_REGISTRATION", appClientId: hints.appClientId, lastStatus: "VERIFIED" });
  await page.screenshot({ path: testInfo.outputPath("own-app.png"), fullPage: true });
});
