import { randomUUID } from "node:crypto";
import { expect, test, type Locator, type Page, type TestInfo } from "./support/test";
import { createAdmin } from "./support/admins";
import { e2eDb } from "./support/db";
import { signInAndExpectConsole } from "./support/pages";

// Tags on tenants, as an MSP admin uses them: created in Settings → Tags from the keyboard (a duplicate
// name refused whatever its case), put on the table's selection in bulk, shown as chips under each
// tenant's name, the table filtered by a tag, that view saved and opened again, a tag taken off, a
// tenant's tags changed on its page, and a tag renamed and deleted. Tenants are seeded (no Microsoft calls).

test.use({ viewport: { width: 1440, height: 1000 } });

async function screenshot(page: Page, testInfo: TestInfo, name: string) {
  const path = testInfo.outputPath(`${name}.png`);
  await page.screenshot({ path, fullPage: true });
  await testInfo.attach(name, { path, contentType: "image/png" });
}

const names = ["Northwind", "Contoso", "Fabrikam", "Litware", "Adatum", "Tailspin", "Wingtip", "Proseware"];
let prefix = "";
const tagNames: string[] = [];

test.afterAll(async () => {
  await e2eDb.tenant.deleteMany({ where: { customerId: { startsWith: `${prefix}-` } } });
  await e2eDb.tag.deleteMany({ where: { name: { in: tagNames } } });
});

test("tags: create in Settings, bulk assign, filter, saved view, remove, tenant page", async ({ page }, testInfo) => {
  test.setTimeout(120_000);
  const admin = await createAdmin();
  prefix = `TAG${Date.now().toString(36).toUpperCase()}`;
  const s = prefix.slice(-4);
  await e2eDb.tenant.createMany({
    data: names.map((name, i) => ({
      id: randomUUID(),
      customerId: `${prefix}-${i + 1}`,
      displayName: `${name} Ltd`,
      primaryDomain: `${name.toLowerCase()}${s.toLowerCase()}.onmicrosoft.com`,
      adminEmail: `admin@${name.toLowerCase()}.example`,
      authMethod: "APP_REGISTRATION" as const,
      lastStatus: i % 3 === 0 ? ("FAILED" as const) : ("VERIFIED" as const),
      lastStatusCode: i % 3 === 0 ? "CONSENT_REQUIRED" : "VERIFIED",
      lastStatusMessage: i % 3 === 0 ? "Consent required" : "Verified",
      lastVerifiedAt: new Date(),
    })),
  });
  const gold = `Gold ${s}`;
  const health = `Healthcare ${s}`;
  const extra = [`EU ${s}`, `Backup add-on ${s}`, `Quarterly review ${s}`, `Priority support ${s}`];
  tagNames.push(gold, health, ...extra, `Gold tier ${s}`);
  await signInAndExpectConsole(page, admin);

  // ---- Settings → Tags, from the keyboard ----
  await page.goto("/settings/tags");
  await expect(page.getByRole("link", { name: "Tags", exact: true })).toHaveAttribute("aria-current", "page");
  const settings = page.getByRole("region", { name: "Tags", exact: true });
  const newTag = page.getByLabel("New tag");
  // A colour swatch is the label of a visually hidden radio button.
  const pick = (scope: Locator, colour: string) =>
    scope
      .locator("label")
      .filter({ has: page.getByRole("radio", { name: colour, exact: true }) })
      .click();
  const create = async (name: string, colour: string) => {
    await newTag.fill(name);
    await pick(settings.locator("form"), colour);
    await newTag.press("Enter");
    await expect(page.getByRole("row").filter({ hasText: name })).toBeVisible();
  };
  await newTag.focus();
  await page.keyboard.type(gold);
  // The colours are a radio group: Tab into it, arrows choose.
  await page.keyboard.press("Tab");
  await page.keyboard.press("Tab");
  await expect(page.getByRole("radio", { name: "Grey" })).toBeFocused();
  await page.keyboard.press("ArrowRight");
  await page.keyboard.press("ArrowRight");
  await page.keyboard.press("ArrowRight");
  await expect(page.getByRole("radio", { name: "Yellow" })).toBeChecked();
  await newTag.press("Enter");
  await expect(page.getByRole("row").filter({ hasText: gold })).toContainText("Yellow");
  await create(health, "Teal");
  for (const [i, name] of extra.entries()) await create(name, ["Blue", "Grey", "Violet", "Red"][i]!);

  // A duplicate, whatever its case, is refused with the existing name.
  await newTag.fill(`  ${gold.toUpperCase()} `);
  await newTag.press("Enter");
  await expect(settings.getByRole("alert")).toHaveText(`A tag named "${gold}" already exists. Choose another name, or use that tag.`);
  await newTag.fill("");
  await newTag.press("Enter");
  await expect(settings.getByRole("alert")).toHaveText("Enter a name for the tag.");
  expect(await e2eDb.tag.count({ where: { name: { in: tagNames } } })).toBe(6);

  // ---- Bulk assign from the table's selection ----
  await page.goto(`/tenants?q=${prefix}&sort=customerId`);
  const rows = page.getByRole("row").filter({ hasText: prefix });
  await expect(rows).toHaveCount(8);
  const select = (n: number) => page.getByRole("checkbox", { name: `Select ${prefix}-${n}` }).check();
  const bulk = async (menu: "Add a tag to the selected tenants" | "Remove a tag from the selected tenants", tag: string, toast: string) => {
    await page.getByRole("button", { name: menu }).click();
    await page.getByRole("menuitem", { name: tag, exact: true }).click();
    await expect(page.getByText(toast)).toBeVisible();
  };
  for (const n of [1, 2, 3]) await select(n);
  await expect(page.getByRole("region", { name: "Selected tenants" })).toContainText("3 selected");
  await bulk("Add a tag to the selected tenants", gold, `“${gold}” added to 3 tenants`);
  const tagsOf = (n: number) => page.getByRole("list", { name: `Tags of ${prefix}-${n}` });
  await expect(tagsOf(1)).toContainText(gold);
  await expect(tagsOf(3)).toContainText(gold);
  await expect(tagsOf(4)).toHaveCount(0);
  // Many tags on one tenant: the first three, then "+N" naming the rest.
  await page.getByRole("button", { name: "Clear selection" }).click();
  await select(2);
  for (const t of [health, ...extra]) await bulk("Add a tag to the selected tenants", t, `“${t}” added to 1 tenant`);
  await expect(tagsOf(2).getByRole("listitem")).toHaveCount(4);
  await expect(tagsOf(2)).toContainText("+3");
  await page.getByRole("button", { name: "Clear selection" }).click();
  for (const n of [5, 6]) await select(n);
  await bulk("Add a tag to the selected tenants", health, `“${health}” added to 2 tenants`);
  await bulk("Add a tag to the selected tenants", extra[0]!, `“${extra[0]}” added to 2 tenants`);
  await page.getByRole("button", { name: "Clear selection" }).click();
  const goldId = (await e2eDb.tag.findUniqueOrThrow({ where: { name: gold } })).id;
  expect(await e2eDb.tenantTag.count({ where: { tagId: goldId } })).toBe(3);
  expect(await e2eDb.auditEvent.count({ where: { action: "tenant.tag_assigned", actorLabel: admin.email } })).toBe(8);
  await page.reload();
  await expect(tagsOf(2)).toContainText("+3");
  await screenshot(page, testInfo, "tenants-with-tags");

  // ---- Filter by tag, save the view, open it again ----
  await page.goto("/tenants");
  await page.getByRole("button", { name: "Filter by tag" }).click();
  await page.getByRole("menuitemcheckbox", { name: gold }).click();
  await expect(page).toHaveURL(new RegExp(`tag=${goldId}`));
  await page.keyboard.press("Escape");
  await expect(rows).toHaveCount(3);
  await expect(page.getByRole("button", { name: /^Failed: 1$/ })).toBeVisible();
  const filtered = new URL(page.url());
  await page.getByRole("button", { name: /^View: / }).click();
  await page.getByRole("menuitem", { name: "Save this view…" }).click();
  const dialog = page.getByRole("dialog", { name: "Save this view" });
  await dialog.getByLabel("Name").fill(`Gold customers ${s}`);
  await dialog.getByLabel("Name").press("Enter");
  await expect(page.getByRole("button", { name: new RegExp(`^View: Gold customers ${s}`) })).toBeVisible();
  const stored = await e2eDb.savedView.findFirstOrThrow({ where: { admin: { email: admin.email } } });
  expect(stored.query).toContain(`tag=${goldId}`);

  await page.goto("/tenants");
  await expect(page.getByRole("button", { name: /^View: Needs attention/ })).toBeVisible();
  await page.getByRole("button", { name: /^View: / }).click();
  await page.getByRole("menuitem", { name: `Gold customers ${s}` }).click();
  await expect.poll(() => new URL(page.url()).searchParams.get("tag")).toBe(filtered.searchParams.get("tag"));
  await expect(rows).toHaveCount(3);
  await expect(page.getByRole("button", { name: "Filter by tag" })).toContainText("1");

  // ---- Take the tag off one tenant: it leaves the filtered view ----
  await select(3);
  await bulk("Remove a tag from the selected tenants", gold, `“${gold}” removed from 1 tenant`);
  await expect(rows).toHaveCount(2);
  expect(await e2eDb.tenantTag.count({ where: { tagId: goldId } })).toBe(2);

  // ---- The tenant page: add and remove ----
  await page.getByRole("link", { name: `${prefix}-1`, exact: true }).click();
  await expect(page.getByRole("heading", { level: 1 })).toContainText(`${prefix}-1`);
  const pageTags = page.getByRole("group", { name: "Tags" });
  await expect(pageTags).toContainText(gold);
  await pageTags.getByRole("button", { name: "Add a tag to this tenant" }).click();
  await page.getByRole("menuitem", { name: health, exact: true }).click();
  await expect(page.getByText(`Tag “${health}” added`)).toBeVisible();
  await expect(pageTags).toContainText(health);
  await pageTags.getByRole("button", { name: `Remove tag ${gold}` }).click();
  await expect(page.getByText(`Tag “${gold}” removed`)).toBeVisible();
  await expect(pageTags).not.toContainText(gold);
  await screenshot(page, testInfo, "tenant-page-tags");
  const t1 = await e2eDb.tenant.findUniqueOrThrow({ where: { customerId: `${prefix}-1` }, select: { tags: { select: { tag: { select: { name: true } } } } } });
  expect(t1.tags.map((t) => t.tag.name)).toEqual([health]);
  // The tenant's audit trail names what changed.
  await expect(page.getByRole("listitem").filter({ hasText: "tenant.tags_set" }).first()).toContainText(`removed: ${gold}`);

  // ---- Settings → Tags: counts, rename, delete with confirmation ----
  await page.goto("/settings/tags");
  const goldRow = page.getByRole("row").filter({ hasText: gold });
  await screenshot(page, testInfo, "settings-tags");
  await expect(goldRow.getByRole("link", { name: `1 tenant tagged ${gold}` })).toBeVisible();
  await goldRow.getByRole("button", { name: `Edit ${gold}` }).click();
  const edit = page.getByRole("dialog", { name: `Edit tag “${gold}”` });
  await edit.getByLabel("Name").fill(`Gold tier ${s}`);
  await pick(edit, "Violet");
  await edit.getByRole("button", { name: "Save" }).click();
  await expect(edit).toBeHidden();
  const renamed = page.getByRole("row").filter({ hasText: `Gold tier ${s}` });
  await expect(renamed).toContainText("Violet");
  await renamed.getByRole("button", { name: `Delete Gold tier ${s}` }).click();
  const confirm = page.getByRole("dialog", { name: `Delete tag “Gold tier ${s}”?` });
  await expect(confirm).toContainText("It is removed from 1 tenant");
  await confirm.getByRole("button", { name: "Delete tag" }).click();
  await expect(page.getByText(`Tag “Gold tier ${s}” deleted`)).toBeVisible();
  await expect(renamed).toHaveCount(0);
  expect(await e2eDb.tag.count({ where: { id: goldId } })).toBe(0);
  expect(await e2eDb.tenant.count({ where: { customerId: { startsWith: `${prefix}-` } } })).toBe(8);
});
