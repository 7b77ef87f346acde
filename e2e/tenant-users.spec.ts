import { randomUUID } from "node:crypto";
import { createAdmin } from "./support/admins";
import { e2eDb, releaseEntraTenants } from "./support/db";
import { signInAndExpectConsole } from "./support/pages";
import { configureProviderApp } from "./support/provider";
import { expect, test } from "./support/test";

// Source 004's connection test: the tenant's users synchronized into a lookup list. The Users tab shows
// no users, Synchronize users reads them from Graph (the emulator's Woodgrove Clinic has 121), the list
// is paged and searched on the server, and a viewer can read it but not synchronize.
const WOODGROVE = { id: "d0000000-0000-4000-8000-000000000004", domain: "woodgroveclinic.example", admin: "admin@woodgroveclinic.onmicrosoft.com" };

test("Users tab: synchronize a tenant's users, see the count and a user, search, page", async ({ page }, testInfo) => {
  test.setTimeout(120_000);
  await signInAndExpectConsole(page, await createAdmin());
  await configureProviderApp(page);
  const id = randomUUID();
  const customerId = `users-${id.slice(0, 6)}`;
  await releaseEntraTenants([WOODGROVE.id]);
  await e2eDb.tenant.create({
    data: {
      id,
      customerId,
      displayName: "Woodgrove Clinic",
      entraTenantId: WOODGROVE.id,
      primaryDomain: WOODGROVE.domain,
      adminEmail: WOODGROVE.admin,
      authMethod: "APP_REGISTRATION",
      cloud: "CUSTOM",
    },
  });

  // From the tenant page to its Users tab.
  await page.goto(`/tenants/${id}`);
  await page.getByRole("navigation", { name: "Tenant sections" }).getByRole("link", { name: "Users" }).click();
  await expect(page).toHaveURL(new RegExp(`/tenants/${id}/users$`));
  await expect(page.getByRole("link", { name: "Users", exact: true })).toHaveAttribute("aria-current", "page");
  await expect(page.getByText("No users yet: synchronize to read them from Microsoft Graph.")).toBeVisible();
  await expect(page.getByTestId("user-count")).toHaveText("0");

  await page.getByRole("button", { name: "Synchronize users" }).click();
  await expect(page.getByTestId("user-count")).toHaveText("121", { timeout: 60_000 });
  await expect(page.getByRole("button", { name: "Synchronize users" })).toBeEnabled();
  await expect(page.getByText("Full read of every user")).toBeVisible();
  const table = page.getByRole("table", { name: "Synchronized users" });
  await expect(table.getByRole("row").filter({ hasText: "avery@woodgroveclinic.onmicrosoft.com" })).toContainText("Avery Brooks");
  await expect(page.getByRole("navigation", { name: "Pagination" })).toContainText("Showing 1–50 of 121");
  await testInfo.attach("users-tab", { body: await page.screenshot({ fullPage: true }), contentType: "image/png" });

  // Server-side paging keeps the page in the URL.
  await page.getByRole("link", { name: "Next" }).click();
  await expect(page.getByRole("navigation", { name: "Pagination" })).toContainText("Showing 51–100 of 121");

  // Search by name, from the keyboard.
  await page.getByLabel("Search users").fill("jordan lee");
  await page.getByLabel("Search users").press("Enter");
  await expect(page).toHaveURL(/q=jordan\+lee/);
  const found = page.getByRole("table", { name: /Synchronized users matching/ });
  await expect(found.getByRole("row").filter({ hasText: "jordan@woodgroveclinic.onmicrosoft.com" })).toBeVisible();
  await expect(found.getByRole("row")).not.toHaveCount(1);
  await page.getByLabel("Search users").fill("nobody-like-this");
  await page.getByLabel("Search users").press("Enter");
  await expect(page.getByText("No user matches “nobody-like-this”.")).toBeVisible();

  // A second sync follows the delta link: nothing changed, the count stays.
  await page.getByRole("link", { name: "Clear" }).click();
  await page.getByRole("button", { name: "Synchronize users" }).click();
  await expect(page.getByText("Changes since the sync before (delta)")).toBeVisible({ timeout: 30_000 });
  await expect(page.getByTestId("user-count")).toHaveText("121");
});

test("Users tab: a viewer reads the list but cannot synchronize", async ({ page }) => {
  await signInAndExpectConsole(page, await createAdmin("VIEWER"));
  const id = randomUUID();
  await releaseEntraTenants([WOODGROVE.id]);
  await e2eDb.tenant.create({
    data: {
      id,
      customerId: `users-v-${id.slice(0, 6)}`,
      displayName: "Woodgrove Clinic",
      entraTenantId: WOODGROVE.id,
      primaryDomain: WOODGROVE.domain,
      adminEmail: WOODGROVE.admin,
      authMethod: "APP_REGISTRATION",
      cloud: "CUSTOM",
    },
  });
  await page.goto(`/tenants/${id}/users`);
  await expect(page.getByText("Operators and administrators can synchronize users.")).toBeVisible();
  await expect(page.getByRole("button", { name: "Synchronize users" })).toHaveCount(0);
});
