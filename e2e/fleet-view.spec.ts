import { randomUUID } from "node:crypto";
import { expect, test, type Page, type TestInfo } from "./support/test";
import { createAdmin } from "./support/admins";
import { e2eDb } from "./support/db";
import { signInAndExpectConsole } from "./support/pages";

// The fleet view an MSP admin lands on: failed tenants grouped by cause with the one fix for each group,
// a click on a group filters the table to its tenants, the default "Needs attention" order (failed, then
// warnings, then the soonest access break, then verified), status sorted by severity, and saved views
// chosen and saved from the keyboard. The tenants are seeded with their statuses (no verification runs),
// under an app registration of this spec's own, so other specs' tenants form other groups.

test.use({ timezoneId: "Europe/Amsterdam", viewport: { width: 1440, height: 1100 } });

const day = 86_400_000;

async function screenshot(page: Page, testInfo: TestInfo, name: string) {
  const path = testInfo.outputPath(`${name}.png`);
  await page.screenshot({ path, fullPage: true });
  await testInfo.attach(name, { path, contentType: "image/png" });
}

type Kind = {
  n: number;
  code: string;
  status: "FAILED" | "WARNING" | "VERIFIED" | "NEVER";
  method: "PASSWORD" | "AUTH_TOKEN" | "APP_REGISTRATION";
  breaksInDays?: number;
  message: string;
};

async function seedFleet(prefix: string, registrationId: string) {
  const names = [
    "Northwind",
    "Contoso",
    "Fabrikam",
    "Litware",
    "Adatum",
    "Tailspin",
    "Wingtip",
    "Proseware",
    "Fourth Coffee",
    "Woodgrove",
    "Alpine Ski",
    "Blue Yonder",
    "Coho Winery",
    "Lucerne",
    "Margie's Travel",
    "Trey Research",
  ];
  const kinds: Kind[] = [
    { n: 12, code: "SECRET_EXPIRED", status: "FAILED", method: "APP_REGISTRATION", message: "Client secret expired" },
    { n: 7, code: "CONSENT_REQUIRED", status: "FAILED", method: "APP_REGISTRATION", message: "Consent required" },
    { n: 3, code: "MFA_REQUIRED", status: "FAILED", method: "PASSWORD", message: "MFA required" },
    { n: 2, code: "REAUTHORIZATION_REQUIRED", status: "FAILED", method: "AUTH_TOKEN", message: "Re-authorization required" },
    { n: 4, code: "SECRET_EXPIRING", status: "WARNING", method: "APP_REGISTRATION", breaksInDays: 9, message: "Secret expires soon" },
    { n: 3, code: "REFRESH_TOKEN_EXPIRING", status: "WARNING", method: "AUTH_TOKEN", breaksInDays: 4, message: "Authorization expires soon" },
    { n: 2, code: "LEGACY_METHOD", status: "WARNING", method: "PASSWORD", message: "Verified with username and password" },
    { n: 10, code: "VERIFIED", status: "VERIFIED", method: "APP_REGISTRATION", breaksInDays: 120, message: "Verified" },
    { n: 6, code: "VERIFIED", status: "VERIFIED", method: "AUTH_TOKEN", breaksInDays: 60, message: "Verified" },
    { n: 2, code: "", status: "NEVER", method: "APP_REGISTRATION", message: "" },
  ];
  let i = 0;
  const now = Date.now();
  const data = kinds.flatMap((k) =>
    Array.from({ length: k.n }, (_, j) => {
      i++;
      const name = `${names[i % names.length]} ${Math.floor(i / names.length) + 1}`;
      const slug = name.toLowerCase().replace(/[^a-z0-9]+/g, "");
      return {
        id: randomUUID(),
        customerId: `${prefix}-${String(i).padStart(3, "0")}`,
        displayName: name,
        primaryDomain: `${prefix.toLowerCase()}${slug}.onmicrosoft.com`,
        adminEmail: `admin@${slug}.example`,
        authMethod: k.method,
        appRegistrationId: registrationId,
        lastStatus: k.status,
        lastStatusCode: k.code || null,
        lastStatusMessage: k.message || null,
        lastVerifiedAt: k.status === "NEVER" ? null : new Date(now - (j + 1) * 3_600_000),
        accessBreaksAt: k.breaksInDays === undefined ? null : new Date(now + (k.breaksInDays + j) * day),
      };
    }),
  );
  await e2eDb.tenant.createMany({ data });
}

// The seeded tenants fail without calling Microsoft ("Not configured"); later specs' Verify All runs would
// include them, so they are removed again.
const seededPrefixes: string[] = [];
test.afterAll(async () => {
  for (const prefix of seededPrefixes) {
    await e2eDb.tenant.deleteMany({ where: { customerId: { startsWith: `${prefix}-` } } });
    await e2eDb.appRegistration.deleteMany({ where: { id: `e2e-${prefix.toLowerCase()}` } });
  }
});

test("failures grouped by cause, each with its fix; a group filters the table; Needs attention first; saved views", async ({ page }, testInfo) => {
  test.setTimeout(120_000);
  const admin = await createAdmin();
  const prefix = `FLT${Date.now().toString(36).toUpperCase()}`;
  const registrationId = `e2e-${prefix.toLowerCase()}`;
  const registrationName = `${prefix} MSP app`;
  await e2eDb.appRegistration.create({ data: { id: registrationId, name: registrationName, cloud: "GLOBAL" } });
  seededPrefixes.push(prefix);
  await seedFleet(prefix, registrationId);
  await signInAndExpectConsole(page, admin);

  // The groups: the largest cause first, each with its one bulk action.
  await expect(page.getByRole("button", { name: /^View: Needs attention/ })).toBeVisible();
  const groups = page.getByRole("region", { name: /failed tenants? · \d+ causes?/ });
  await expect(groups).toBeVisible();
  const showAll = groups.getByRole("button", { name: /^Show all \d+ causes$/ });
  if (await showAll.isVisible()) await showAll.click();
  const group = (count: number, reason: string) =>
    groups.getByRole("listitem").filter({ has: page.getByRole("link", { name: new RegExp(`^${count} tenants: ${reason}, ${registrationName},`) }) });
  const expired = group(12, "Client secret expired");
  await expect(expired).toBeVisible();
  await expect(expired.getByRole("link", { name: "Apply a new secret" })).toHaveAttribute("href", `/settings/provider/${registrationId}`);
  await expect(group(7, "Consent required").getByRole("button", { name: "Send consent links" })).toBeVisible();
  await expect(group(3, "MFA required").getByRole("button", { name: "Switch to auth token" })).toBeVisible();
  await expect(group(2, "Re-authorization required").getByRole("button", { name: "Send re-authorization links" })).toBeVisible();
  // Largest first among this fleet's groups.
  const order = await groups
    .getByRole("link", { name: new RegExp(`, ${registrationName},`) })
    .evaluateAll((links) => links.map((l) => Number(l.getAttribute("aria-label")!.split(" ")[0])));
  expect(order).toEqual([12, 7, 3, 2]);

  await screenshot(page, testInfo, "fleet-needs-attention");
  await page.goto(`/tenants?q=${prefix}`);

  // Needs attention is the default order: failed, then warnings by soonest break, then not verified, then verified.
  const statuses = async () =>
    page
      .getByRole("row")
      .filter({ hasText: prefix })
      .evaluateAll((rows) => rows.map((r) => r.querySelector(".badge")?.textContent?.trim() ?? ""));
  await expect(page.getByRole("button", { name: /^View: Custom view/ })).toBeVisible();
  // A choice made before the page is interactive is not seen by it: choose again until the URL takes it.
  await expect(async () => {
    await page.getByLabel("Rows per page").selectOption("100");
    await expect(page).toHaveURL(/[?&]pageSize=100(&|$)/, { timeout: 3_000 });
  }).toPass({ timeout: 30_000 });
  await expect(page.getByRole("row").filter({ hasText: prefix })).toHaveCount(51);
  await screenshot(page, testInfo, "fleet-needs-attention-51-rows");
  const seen = await statuses();
  const rank = (s: string) => ["Failed", "Warning", "Not verified", "Verified"].indexOf(s);
  expect(seen.map(rank)).toEqual([...seen.map(rank)].sort((a, b) => a - b));
  expect(seen[0]).toBe("Failed");
  expect(seen.at(-1)).toBe("Verified");
  // Among warnings, the soonest access break first: the refresh tokens (4 days) before the secrets (9 days).
  const firstWarning = page.getByRole("row").filter({ hasText: "Authorization expires soon" }).first();
  await expect(firstWarning).toBeVisible();

  // Status sorts by severity, not by name: ascending Failed first, descending Verified first, Warning never after Verified.
  await page.getByRole("button", { name: /Last Verification Status/ }).click();
  await expect(page).toHaveURL(/sort=lastStatus/);
  await expect.poll(async () => (await statuses())[0]).toBe("Failed");
  const asc = await statuses();
  expect(asc.map(rank)).toEqual([...asc.map(rank)].sort((a, b) => a - b));
  await page.getByRole("button", { name: /Last Verification Status/ }).click();
  await expect(page).toHaveURL(/dir=desc/);
  await expect.poll(async () => (await statuses())[0]).toBe("Verified");
  const desc = await statuses();
  expect(desc.map(rank)).toEqual([...desc.map(rank)].sort((a, b) => b - a));

  // A group's link filters the table to exactly its tenants; the filter is in the URL, so it is linkable.
  await page.goto("/tenants");
  if (await showAll.isVisible()) await showAll.click();
  await group(7, "Consent required").getByRole("link").first().click();
  await expect(page).toHaveURL(/reason=CONSENT_REQUIRED/);
  expect(Object.fromEntries(new URL(page.url()).searchParams)).toEqual({
    status: "FAILED",
    reason: "CONSENT_REQUIRED",
    method: "APP_REGISTRATION",
    cloud: "GLOBAL",
    app: registrationId,
  });
  await expect(page.getByRole("row").filter({ hasText: prefix })).toHaveCount(7);
  await expect(page.getByRole("button", { name: "Remove the cause filter" })).toBeVisible();
  await expect(page.getByRole("button", { name: /^Failed: 7$/ })).toBeVisible();
  const filtered = page.url();

  // Save this view from the keyboard, then come back to it from the default view.
  const picker = page.getByRole("button", { name: /^View: / });
  await picker.focus();
  await page.keyboard.press("Enter");
  await expect(page.getByRole("menuitem", { name: /Needs attention/ })).toBeFocused();
  const save = page.getByRole("menuitem", { name: "Save this view…" });
  while (!(await save.evaluate((el) => el === document.activeElement))) await page.keyboard.press("ArrowDown");
  await page.keyboard.press("Enter");
  const dialog = page.getByRole("dialog", { name: "Save this view" });
  await expect(dialog.getByLabel("Name")).toBeFocused();
  await page.keyboard.type("Consent to chase");
  await page.keyboard.press("Enter");
  await expect(dialog).toBeHidden();
  await expect(page.getByRole("button", { name: /^View: Consent to chase/ })).toBeVisible();

  await page.goto("/tenants");
  await expect(page.getByRole("button", { name: /^View: Needs attention/ })).toBeVisible();
  await page.getByRole("button", { name: /^View: / }).focus();
  await page.keyboard.press("Enter");
  const saved = page.getByRole("menuitem", { name: "Consent to chase" });
  while (!(await saved.evaluate((el) => el === document.activeElement))) await page.keyboard.press("ArrowDown");
  await page.keyboard.press("Enter");
  await expect(page).toHaveURL(filtered);
  await expect(page.getByRole("row").filter({ hasText: prefix })).toHaveCount(7);
  const stored = await e2eDb.savedView.findMany({ where: { admin: { email: admin.email } } });
  expect(stored.map((v) => v.name)).toEqual(["Consent to chase"]);
  expect(await e2eDb.auditEvent.count({ where: { action: "saved_view.created", actorLabel: admin.email } })).toBe(1);

  // The fix for a credential cause opens the registration's Apply form.
  if (await showAll.isVisible()) await showAll.click();
  await expired.getByRole("link", { name: "Apply a new secret" }).click();
  await expect(page).toHaveURL(new RegExp(`/settings/provider/${registrationId}$`));
  await expect(page.getByRole("navigation", { name: "Breadcrumb" })).toContainText(registrationName);
});
