import { randomUUID } from "node:crypto";
import { readFile } from "node:fs/promises";
import { expect, test } from "./support/test";
import { createAdmin } from "./support/admins";
import { e2eDb } from "./support/db";
import { signInAndExpectConsole } from "./support/pages";

test.use({ viewport: { width: 1440, height: 1000 } });

const unique = () => `M${Date.now().toString(36).toUpperCase()}${randomUUID().slice(0, 4).toUpperCase()}`;

async function seedTenants(prefix: string, count: number) {
  const statuses = ["VERIFIED", "FAILED", "WARNING", "NEVER"] as const;
  const methods = ["APP_REGISTRATION", "AUTH_TOKEN", "PASSWORD"] as const;
  await e2eDb.tenant.createMany({
    data: Array.from({ length: count }, (_, i) => ({
      id: randomUUID(),
      customerId: `${prefix}-${String(i).padStart(3, "0")}`,
      displayName: `Seeded customer ${i}`,
      primaryDomain: `${prefix.toLowerCase()}-${i}.example`,
      adminEmail: `admin${i}@${prefix.toLowerCase()}.example`,
      authMethod: methods[i % 3]!,
      lastStatus: statuses[i % 4]!,
      lastVerifiedAt: i % 4 === 3 ? null : new Date(Date.now() - i * 3_600_000),
    })),
  });
}

test("an administrator adds, edits and deletes a tenant, with inline validation and a stale-edit guard", async ({ page }) => {
  const admin = await createAdmin();
  const customerId = unique();
  await signInAndExpectConsole(page, admin);

  await page.getByRole("button", { name: "Add tenant", exact: true }).first().click();
  const dialog = page.getByRole("dialog", { name: "Add tenant" });
  await dialog.getByRole("button", { name: "Add tenant" }).click();
  await expect(dialog.getByRole("alert")).toHaveText("Check the highlighted fields.");
  await expect(dialog.getByLabel("Customer id")).toHaveAttribute("aria-invalid", "true");
  await expect(dialog.getByText("Enter the customer id.")).toBeVisible();
  await expect(
    dialog
      .getByText("Enter a tenant ID (GUID) or a domain such as contoso.onmicrosoft.com.")
      .or(dialog.getByText("Enter the Entra tenant ID or a domain of the tenant.")),
  ).toBeVisible();

  await dialog.getByLabel("Customer id").fill(customerId);
  await dialog.getByLabel("Display name").fill("Woodgrove Bank");
  await dialog.getByLabel("Entra tenant ID or domain").fill("not a domain");
  await dialog.getByLabel("M365 admin email").fill("it@woodgrove.example");
  await dialog.getByRole("button", { name: "Add tenant" }).click();
  await expect(dialog.getByLabel("Entra tenant ID or domain")).toHaveAttribute("aria-invalid", "true");
  await expect(dialog.getByLabel("Display name")).toHaveValue("Woodgrove Bank");
  await dialog.getByLabel("Entra tenant ID or domain").fill(`${customerId.toLowerCase()}.onmicrosoft.com`);
  await dialog.getByLabel("Authentication method").selectOption("AUTH_TOKEN");
  await dialog.getByRole("button", { name: "Add tenant" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Tenant added" })).toBeVisible();
  await expect(dialog).toBeHidden();

  await page.getByLabel("Search tenants").fill(customerId);
  await expect(page).toHaveURL(new RegExp(`q=${customerId}`));
  const row = page.getByRole("row").filter({ hasText: customerId });
  await expect(row).toContainText("Woodgrove Bank");
  await expect(row).toContainText("Auth token");

  // Edit with the loaded version.
  await row.getByRole("button", { name: `Actions for ${customerId}` }).click();
  await page.getByRole("menuitem", { name: "Edit tenant" }).click();
  const edit = page.getByRole("dialog", { name: `Edit ${customerId}` });
  await edit.getByLabel("Display name").fill("Woodgrove Bank Group");
  await edit.getByRole("button", { name: "Save changes" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Tenant saved" })).toBeVisible();
  await expect(row).toContainText("Woodgrove Bank Group");

  // Someone else changes the tenant while this admin edits it: the save is refused with a clear message.
  await row.getByRole("button", { name: `Actions for ${customerId}` }).click();
  await page.getByRole("menuitem", { name: "Edit tenant" }).click();
  await e2eDb.tenant.update({ where: { customerId }, data: { displayName: "Changed elsewhere", version: { increment: 1 } } });
  await edit.getByLabel("Display name").fill("My stale edit");
  await edit.getByRole("button", { name: "Save changes" }).click();
  await expect(edit.getByRole("alert")).toContainText("changed by someone else");
  await edit.getByRole("button", { name: "Cancel" }).click();
  expect((await e2eDb.tenant.findUniqueOrThrow({ where: { customerId } })).displayName).toBe("Changed elsewhere");

  // Delete asks first, then removes the tenant and audits it.
  await page.getByRole("button", { name: "Update" }).click();
  await expect(row).toContainText("Changed elsewhere");
  await row.getByRole("button", { name: `Actions for ${customerId}` }).click();
  await page.getByRole("menuitem", { name: "Delete tenant" }).click();
  const confirm = page.getByRole("dialog", { name: `Delete ${customerId}?` });
  await expect(confirm).toContainText("This cannot be undone");
  await confirm.getByRole("button", { name: "Delete tenant" }).click();
  await expect(page.getByRole("status").filter({ hasText: `${customerId} deleted` })).toBeVisible();
  await expect(page.getByText("No tenants match this view")).toBeVisible();
  await expect.poll(() => e2eDb.auditEvent.count({ where: { action: "tenant.deleted", actorLabel: admin.email } })).toBe(1);
});

test("the view lives in the URL: sort, filters, page, columns and selection survive a reload", async ({ page }) => {
  const admin = await createAdmin();
  const prefix = unique();
  await seedTenants(prefix, 30);
  await signInAndExpectConsole(page, admin);
  await page.goto(`/tenants?q=${prefix}`);
  await expect(page.getByText("Showing 1–25 of 30")).toBeVisible();

  await page.getByRole("button", { name: "When Last Verified: sort ascending" }).click();
  await expect(page).toHaveURL(/sort=lastVerifiedAt/);
  await expect(page.getByRole("columnheader", { name: /When Last Verified/ })).toHaveAttribute("aria-sort", "ascending");
  await page.getByLabel("Rows per page").selectOption("10");
  await expect(page).toHaveURL(/pageSize=10/);
  await page.getByRole("button", { name: "Next" }).click();
  await expect(page).toHaveURL(/page=2/);
  await expect(page.getByText("Showing 11–20 of 30")).toBeVisible();

  await page.getByRole("button", { name: "Columns" }).click();
  await page.getByRole("menuitemcheckbox", { name: "M365 Email" }).click();
  await page.keyboard.press("Escape");
  await expect(page.getByRole("columnheader", { name: /M365 Email/ })).toHaveCount(0);
  await expect(page).toHaveURL(/hide=adminEmail/);

  const rows = page.getByRole("row").filter({ hasText: prefix });
  const first = (await rows.nth(0).getByRole("link").first().textContent())!;
  const second = (await rows.nth(1).getByRole("link").first().textContent())!;
  await page.getByRole("checkbox", { name: `Select ${first}` }).check();
  await page.getByRole("checkbox", { name: `Select ${second}` }).check();
  await expect(page.getByRole("region", { name: "Selected tenants" })).toContainText("2 selected");
  await expect(page).toHaveURL(/sel=/);

  await page.reload();
  await expect(page.getByText("Showing 11–20 of 30")).toBeVisible();
  await expect(page.getByRole("columnheader", { name: /When Last Verified/ })).toHaveAttribute("aria-sort", "ascending");
  await expect(page.getByRole("columnheader", { name: /M365 Email/ })).toHaveCount(0);
  await expect(page.getByRole("checkbox", { name: `Select ${first}` })).toBeChecked();
  await expect(page.getByRole("region", { name: "Selected tenants" })).toContainText("2 selected");

  const downloading = page.waitForEvent("download");
  await page.getByRole("link", { name: "Export selected" }).click();
  const csv = await readFile((await (await downloading).path())!, "utf8");
  expect(csv.trim().split("\r\n")).toHaveLength(3);
  expect(csv).toContain(`${first},`);

  // Facet filters go to the URL too, and summary counts follow the other filters.
  await page.getByRole("button", { name: "Filter by method" }).click();
  await page.getByRole("menuitemcheckbox", { name: "Auth token" }).click();
  await page.keyboard.press("Escape");
  await expect(page).toHaveURL(/method=AUTH_TOKEN/);
  await expect(page.getByRole("button", { name: "All tenants: 10" })).toBeVisible();
  await page.getByRole("button", { name: /^Verified: / }).click();
  await expect(page).toHaveURL(/status=VERIFIED/);
  for (const text of await page.getByRole("row").filter({ hasText: prefix }).allTextContents()) expect(text).toContain("Auth token");
});

test("viewers read, operators verify, and neither sees controls they cannot use", async ({ page, browser }) => {
  const prefix = unique();
  await seedTenants(prefix, 2);
  const viewer = await createAdmin("VIEWER");
  await signInAndExpectConsole(page, viewer);
  await page.goto(`/tenants?q=${prefix}`);
  await expect(page.getByRole("row").filter({ hasText: prefix })).toHaveCount(2);
  await expect(page.getByRole("button", { name: "Update" })).toBeVisible();
  await expect(page.getByRole("link", { name: "Export CSV" })).toBeVisible();
  for (const name of ["Verify All", "Reload All", "Add tenant"]) await expect(page.getByRole("button", { name, exact: true })).toHaveCount(0);
  await expect(page.getByRole("button", { name: /^Verify / })).toHaveCount(0);
  await page.getByRole("button", { name: `Actions for ${prefix}-000` }).click();
  await expect(page.getByRole("menuitem")).toHaveText(["Open"]);

  const operatorContext = await browser.newContext();
  const operatorPage = await operatorContext.newPage();
  const operator = await createAdmin("OPERATOR");
  await signInAndExpectConsole(operatorPage, operator);
  await operatorPage.goto(`/tenants?q=${prefix}`);
  await expect(operatorPage.getByRole("button", { name: "Verify All" })).toBeVisible();
  await expect(operatorPage.getByRole("button", { name: "Add tenant", exact: true })).toHaveCount(0);
  await operatorPage.getByRole("button", { name: `Actions for ${prefix}-000` }).click();
  await expect(operatorPage.getByRole("menuitem")).toHaveText(["Open", "Copy consent link"]);
  await operatorContext.close();
});
