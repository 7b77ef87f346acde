import { randomUUID } from "node:crypto";
import { expect, test, type Page, type TestInfo } from "./support/test";
import { createAdmin } from "./support/admins";
import { apiClient, createApiToken, seedDemoTenant } from "./support/api";
import { emulator } from "./support/emulator";
import { signInAndExpectConsole, tablesFit } from "./support/pages";
import { configureProviderApp } from "./support/provider";

// The access-token broker as an administrator uses it: allow access tokens on an API token (Settings →
// API tokens), the automation gets one over the REST API, the tenant page lists the issuance, and the
// tenant's kill switch refuses the next request at once.

test.use({ viewport: { width: 1440, height: 1000 } });

async function screenshot(page: Page, testInfo: TestInfo, name: string) {
  const body = await page.screenshot({ path: testInfo.outputPath(`${name}.png`), fullPage: true });
  await testInfo.attach(name, { body, contentType: "image/png" });
}

test("an administrator allows access tokens on an API token, sees the issuance on the tenant page and switches the tenant off", async ({ page }, testInfo) => {
  // Several pages, a provider set-up and a dozen API calls: more than the default minute on a busy machine.
  test.setTimeout(180_000);
  const admin = await createAdmin();
  await signInAndExpectConsole(page, admin);
  await configureProviderApp(page);
  const prefix = `AT${randomUUID().slice(0, 6)}`;
  const tenant = await seedDemoTenant(prefix, "contoso");
  // Created by a long address: with the grant's summary, the widest row the API tokens table shows.
  const token = await createApiToken("OPERATOR", { name: `Automation ${prefix}`, createdBy: "automation.owner@northwind-managed-services.example" });
  const api = await apiClient(token.token);
  const resource = emulator.graphUrl;

  // Off by default: refused with the reason.
  const before = await api.post(`tenants/${tenant.customerId}/access-token`, { data: { resource } });
  expect(before.status()).toBe(403);
  expect((await before.json()).detail).toMatch(/no access-token grant/);

  // Settings → API tokens: allow it for one tenant and the emulator's Graph.
  await page.goto("/settings/api-tokens");
  const row = page.getByRole("row").filter({ hasText: token.name });
  await expect(row.getByText("Off")).toBeVisible();
  await row.getByRole("button", { name: `Allow access tokens for ${token.name}` }).click();
  const dialog = page.getByRole("dialog", { name: `Access tokens for ${token.name}` });
  await dialog.getByRole("radio", { name: /Listed tenants/ }).check();
  await dialog.getByRole("button", { name: "Allow access tokens" }).click();
  await expect(dialog.getByText("Enter at least one customer ID.")).toBeVisible();
  await dialog.getByLabel("Customer IDs", { exact: true }).fill(tenant.customerId);
  await dialog.getByLabel("Resources", { exact: true }).fill(resource);
  await dialog.getByLabel("Requests per minute", { exact: true }).fill("30");
  await screenshot(page, testInfo, "access-grant-dialog");
  await dialog.getByRole("button", { name: "Allow access tokens" }).click();
  await expect(dialog).toBeHidden();
  await expect(row.getByText("On · 30/min")).toBeVisible();
  await expect(row.getByText(`1 tenant: ${tenant.customerId}`)).toBeVisible();
  await screenshot(page, testInfo, "api-tokens-with-grant");
  // With a grant's summary and a long creator in the row, the table still fits a laptop's width.
  await page.setViewportSize({ width: 1280, height: 900 });
  await expect.poll(() => tablesFit(page)).toBe(true);
  await screenshot(page, testInfo, "api-tokens-with-grant-1280");
  await page.setViewportSize({ width: 1440, height: 1000 });

  // The automation gets a token; another resource is outside the grant.
  const issued = await api.post(`tenants/${tenant.customerId}/access-token`, { data: { resource } });
  expect(issued.status(), await issued.text()).toBe(200);
  const body = (await issued.json()) as Record<string, unknown>;
  expect(body).toMatchObject({ method: "APP_REGISTRATION", tokenType: "Bearer", scopes: [`${resource}/.default`] });
  expect(String(body.accessToken)).toMatch(/^eyJ/);
  const outside = await api.post(`tenants/${tenant.customerId}/access-token`, { data: { resource: "https://outlook.office.com" } });
  expect(outside.status()).toBe(403);

  // The tenant page lists the issuance and the refusal; the kill switch refuses at once.
  await page.goto(`/tenants/${tenant.id}`);
  const section = page.getByRole("region", { name: "Access tokens" });
  await expect(section.getByRole("row").filter({ hasText: "Issued" }).filter({ hasText: token.name })).toBeVisible();
  await expect(section.getByRole("row").filter({ hasText: "Refused: The grant does not allow the scope https://outlook.office.com/.default" })).toBeVisible();
  await section.scrollIntoViewIfNeeded();
  await screenshot(page, testInfo, "tenant-access-tokens");
  await section.getByRole("button", { name: "Switch off access tokens" }).click();
  await page.getByRole("dialog", { name: "Switch off access tokens for this tenant?" }).getByRole("button", { name: "Switch off" }).click();
  await expect(section.getByTestId("access-token-state")).toContainText("Switched off");
  const blocked = await api.post(`tenants/${tenant.customerId}/access-token`, { data: { resource } });
  expect(blocked.status()).toBe(403);
  expect((await blocked.json()).detail).toMatch(/switched off for this tenant/);
  await page.reload();
  await expect(section.getByRole("row").filter({ hasText: "Refused: Access tokens are switched off" })).toBeVisible();
  await screenshot(page, testInfo, "tenant-access-tokens-off");
  await section.getByRole("button", { name: "Allow access tokens again" }).click();
  await expect(section.getByTestId("access-token-state")).toContainText("Issued to callers whose grant covers this tenant.");
  expect((await api.post(`tenants/${tenant.customerId}/access-token`, { data: { resource } })).status()).toBe(200);
});
