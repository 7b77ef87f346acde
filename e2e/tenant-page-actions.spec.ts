import { expect, test } from "./support/test";
import { randomUUID } from "node:crypto";
import { createAdmin } from "./support/admins";
import { seedDemoTenant } from "./support/api";
import { e2eDb, releaseEntraTenants } from "./support/db";
import { DEMO } from "./support/emulator";
import { signInAndExpectConsole } from "./support/pages";
import { configureProviderApp } from "./support/provider";

// Issue 20 items 5 and 6: the tenant page offers each action once; the provider Test result appears
// under its button and is announced; a tenant entered by domain is refused when its Entra tenant is managed.

test("the tenant page offers each action once, in its section", async ({ page }) => {
  await signInAndExpectConsole(page, await createAdmin());
  await configureProviderApp(page);
  const { id } = await seedDemoTenant(`actions-${Date.now()}`, "contoso");
  await page.goto(`/tenants/${id}`);
  const main = page.getByRole("main");
  const names = (await main.getByRole("button").allInnerTexts()).map((t) => t.trim()).filter(Boolean);
  expect(names.length).toBe(new Set(names).size);
  for (const name of ["Verify", "Copy consent link", "Grant consent", "Remove authorization", "Edit", "Delete", "Switch to auth token", "Test the connection"])
    await expect(main.getByRole("button", { name, exact: true })).toHaveCount(1);
  const authorization = main.getByRole("region", { name: "Authorization" });
  await expect(authorization.getByRole("button", { name: "Copy consent link" })).toBeVisible();
  await expect(authorization.getByRole("button", { name: "Remove authorization" })).toBeVisible();
  await expect(main.getByRole("region", { name: "Method and credentials" }).getByRole("button", { name: "Switch to auth token" })).toBeVisible();
  await page.screenshot({ path: "test-results/tenant-page-actions.png", fullPage: true });
});

test("the provider Test result appears under its button, announced, with focus kept on the button", async ({ page }) => {
  await signInAndExpectConsole(page, await createAdmin());
  await configureProviderApp(page);
  await page.reload();
  const testButton = page.getByRole("button", { name: "Test", exact: true });
  // Enabled once React has attached its handler (before that a focused Enter would do nothing).
  await expect(testButton).toBeEnabled();
  await testButton.focus();
  await page.keyboard.press("Enter");
  const result = page.getByRole("status", { name: "Test result" });
  await expect(result).toContainText("Test passed");
  await expect(result).toBeInViewport();
  await expect(testButton).toBeFocused();
  // The live region was there before the result, so it is announced, and it sits right under the button.
  const [buttonBox, resultBox] = await Promise.all([testButton.boundingBox(), result.boundingBox()]);
  expect(resultBox!.y - (buttonBox!.y + buttonBox!.height)).toBeLessThan(60);
  await expect(page.locator("#provider-test-result")).toHaveAttribute("aria-live", "polite");
  await page.screenshot({ path: "test-results/provider-test-result.png" });
});

test("a tenant entered by domain is refused when its Entra tenant is already managed", async ({ page }) => {
  await signInAndExpectConsole(page, await createAdmin());
  await configureProviderApp(page);
  // The directory is stored by its GUID only, under another customer.
  const owner = `owner-${randomUUID().slice(0, 8)}`;
  await releaseEntraTenants([DEMO.contoso.id]);
  await e2eDb.tenant.create({
    data: {
      id: randomUUID(),
      customerId: owner,
      displayName: "Contoso",
      entraTenantId: DEMO.contoso.id,
      adminEmail: DEMO.contoso.admin,
      authMethod: "APP_REGISTRATION",
      cloud: "CUSTOM",
    },
  });
  await page.goto("/tenants");
  await page.getByRole("button", { name: "Add tenant", exact: true }).first().click();
  const dialog = page.getByRole("dialog", { name: "Add tenant" });
  await dialog.getByLabel("Customer id").fill(`dup-${randomUUID().slice(0, 8)}`);
  await dialog.getByLabel("Display name").fill("Contoso again");
  await dialog.getByLabel("Entra tenant ID or domain").fill(DEMO.contoso.domain);
  await dialog.getByLabel("M365 admin email").fill(DEMO.contoso.admin);
  await dialog.getByLabel("Cloud").selectOption("CUSTOM");
  await dialog.getByRole("button", { name: "Add tenant" }).click();
  await expect(dialog.getByLabel("Entra tenant ID or domain")).toHaveAttribute("aria-invalid", "true");
  await expect(
    dialog.getByText(`The domain ${DEMO.contoso.domain} (Entra tenant ${DEMO.contoso.id}) is already managed as customer ${owner}.`, { exact: false }),
  ).toBeVisible();
  expect(await e2eDb.tenant.count({ where: { primaryDomain: DEMO.contoso.domain, customerId: { not: owner } } })).toBe(0);
  await e2eDb.tenant.deleteMany({ where: { customerId: owner } });
});
