import { randomUUID } from "node:crypto";
import { expect, test } from "./support/test";
import { createAdmin } from "./support/admins";
import { e2eDb } from "./support/db";
import { signInAndExpectConsole } from "./support/pages";
import { configureProviderApp } from "./support/provider";

// A consent campaign as an MSP admin runs it: three tenants selected in the table, "Request consent" with
// exported links (shown once, with Copy all), the campaign's board listing each invitation, and one
// invitation revoked, after which its link is refused on the customer's page. No Microsoft calls.

test.use({ viewport: { width: 1440, height: 1000 } });

let prefix = "";

test.afterAll(async () => {
  await e2eDb.tenant.deleteMany({ where: { customerId: { startsWith: `${prefix}-` } } });
  await e2eDb.tag.deleteMany({ where: { name: `Wave ${prefix}` } });
});

test("request consent for three selected tenants with export, see them on the board, revoke one", async ({ page, context }, testInfo) => {
  test.setTimeout(120_000);
  await context.grantPermissions(["clipboard-read", "clipboard-write"]);
  await signInAndExpectConsole(page, await createAdmin());
  await configureProviderApp(page);
  prefix = `CMP${Date.now().toString(36).toUpperCase()}`;
  await e2eDb.tenant.createMany({
    data: ["Northwind", "Contoso", "Fabrikam"].map((name, i) => ({
      id: randomUUID(),
      customerId: `${prefix}-${i + 1}`,
      displayName: `${name} Ltd`,
      // A directory of its own each (one Entra tenant, one customer); nothing here reaches Microsoft.
      entraTenantId: randomUUID(),
      adminEmail: `admin@${name.toLowerCase()}.example`,
      authMethod: "APP_REGISTRATION" as const,
      cloud: "CUSTOM" as const,
    })),
  });

  await page.goto(`/tenants?q=${prefix}&sort=customerId`);
  await expect(page.getByRole("row").filter({ hasText: prefix })).toHaveCount(3);
  for (const n of [1, 2, 3]) await page.getByRole("checkbox", { name: `Select ${prefix}-${n}` }).check();
  const selection = page.getByRole("region", { name: "Selected tenants" });
  await selection.getByRole("button", { name: "Request consent" }).click();

  const dialog = page.getByRole("dialog", { name: "Request consent" });
  await expect(dialog).toContainText("The 3 selected tenants.");
  await dialog.getByLabel("Campaign name").fill(`Wave ${prefix}`);
  await dialog.getByLabel(/Export the links/).check();
  await dialog.getByRole("button", { name: "Create links" }).click();

  const created = page.getByRole("dialog", { name: `Campaign "Wave ${prefix}" created` });
  await expect(created.getByRole("row")).toHaveCount(4);
  for (const n of [1, 2, 3]) await expect(created.getByLabel(`Consent link of ${prefix}-${n}`)).toHaveValue(/\/consent\/[A-Za-z0-9_-]{43}$/);
  const firstLink = await created.getByLabel(`Consent link of ${prefix}-1`).inputValue();
  await created.getByRole("button", { name: "Copy all" }).click();
  await expect(page.getByRole("status").filter({ hasText: "3 links copied to the clipboard." })).toBeAttached();
  expect((await page.evaluate(() => navigator.clipboard.readText())).split("\n")).toHaveLength(3);
  await page.screenshot({ path: testInfo.outputPath("links.png") });
  await created.getByRole("link", { name: "Open the campaign" }).click();

  await expect(page.getByRole("heading", { name: `Wave ${prefix}` })).toBeVisible();
  const summary = page.getByRole("region", { name: "Summary" });
  await expect(summary.getByText("Invited").locator("..").locator("..")).toContainText("3");
  const rows = page.getByRole("row").filter({ hasText: prefix });
  await expect(rows).toHaveCount(3);
  await expect(rows.first()).toContainText("Sent");

  await rows
    .filter({ hasText: `${prefix}-1` })
    .getByRole("button", { name: `Revoke the invitation of ${prefix}-1` })
    .click();
  const confirm = page.getByRole("dialog", { name: `Revoke the invitation of ${prefix}-1?` });
  await confirm.getByRole("button", { name: "Revoke invitation" }).click();
  await expect(page.getByText(`Invitation of ${prefix}-1 revoked`)).toBeVisible();
  await expect(rows.filter({ hasText: `${prefix}-1` })).toContainText("Revoked");

  await page.screenshot({ path: testInfo.outputPath("board.png"), fullPage: true });
  await testInfo.attach("board", { path: testInfo.outputPath("board.png"), contentType: "image/png" });
  await page.getByRole("link", { name: /^Expired or revoked/ }).click();
  await expect(page).toHaveURL(/state=closed/);
  await expect(page.getByRole("row").filter({ hasText: prefix })).toHaveCount(1);

  await page.goto(firstLink);
  await expect(page.getByRole("heading", { name: "This link is not valid" })).toBeVisible();

  // From a tag filter: every tenant with the tag.
  const tagId = randomUUID();
  await e2eDb.tag.create({ data: { id: tagId, name: `Wave ${prefix}` } });
  const tagged = await e2eDb.tenant.findMany({ where: { customerId: { in: [`${prefix}-2`, `${prefix}-3`] } }, select: { id: true } });
  await e2eDb.tenantTag.createMany({ data: tagged.map((t) => ({ tenantId: t.id, tagId })) });
  await page.goto(`/tenants?tag=${tagId}`);
  await page.getByRole("button", { name: `Request consent from every tenant with the tag Wave ${prefix}` }).click();
  const byTag = page.getByRole("dialog", { name: "Request consent" });
  await expect(byTag).toContainText(`Every tenant with the tag Wave ${prefix}.`);
  await byTag.getByLabel("Campaign name").fill(`Tagged ${prefix}`);
  await byTag.getByLabel(/Export the links/).check();
  await byTag.getByRole("button", { name: "Create links" }).click();
  const taggedCreated = page.getByRole("dialog", { name: `Campaign "Tagged ${prefix}" created` });
  await expect(taggedCreated.getByRole("row")).toHaveCount(3);
  await taggedCreated.getByRole("button", { name: "Done" }).click();
  await page.goto("/campaigns");
  const listed = page.getByRole("row").filter({ hasText: `Tagged ${prefix}` });
  await expect(listed).toContainText("Exported links");
  await expect(listed.getByRole("cell").nth(3)).toHaveText("2");
});
