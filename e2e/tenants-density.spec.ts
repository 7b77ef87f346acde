import { randomUUID } from "node:crypto";
import { expect, test, type Locator, type Page, type TestInfo } from "./support/test";
import { createAdmin, type TestAdmin } from "./support/admins";
import { e2eDb } from "./support/db";
import { signInAndExpectConsole, tablesFit } from "./support/pages";

// The Tenants page for an MSP with many customers: a phone-width layout without sideways scrolling that
// keeps every tenant's status in view, the compact density and the column choice remembered per admin on
// the server (applied in the first HTML, not after it), and dates in one format in the admin's zone.

// The browser's zone: dates follow it until the admin chooses one.
test.use({ timezoneId: "Asia/Kolkata" });

const VERIFIED_AT = new Date("2026-11-20T10:00:00Z");
const statuses = ["FAILED", "WARNING", "VERIFIED", "NEVER"] as const;

const seeded: string[] = [];
test.afterAll(async () => {
  for (const prefix of seeded) await e2eDb.tenant.deleteMany({ where: { customerId: { startsWith: `${prefix}-` } } });
});

/** Twelve tenants with long names and addresses (what pushes a narrow table sideways), every status. */
async function seedTenants(): Promise<string> {
  const prefix = `DNS${Date.now().toString(36).toUpperCase()}`;
  seeded.push(prefix);
  await e2eDb.tenant.createMany({
    data: Array.from({ length: 12 }, (_, i) => {
      const status = statuses[i % statuses.length]!;
      return {
        id: randomUUID(),
        customerId: `${prefix}-${String(i).padStart(2, "0")}`,
        displayName: `Northwind Traders International Holdings ${i}`,
        primaryDomain: `${prefix.toLowerCase()}-northwind-traders-international-${i}.onmicrosoft.com`,
        adminEmail: `global.administrator.${i}@northwind-traders-international.example`,
        authMethod: "APP_REGISTRATION" as const,
        lastStatus: status,
        lastStatusCode: status === "FAILED" ? "CONSENT_REQUIRED" : status === "WARNING" ? "SECRET_EXPIRING" : status === "VERIFIED" ? "VERIFIED" : null,
        lastStatusMessage: status === "FAILED" ? "Consent required" : status === "WARNING" ? "Secret expires soon" : status === "VERIFIED" ? "Verified" : null,
        lastVerifiedAt: status === "NEVER" ? null : VERIFIED_AT,
      };
    }),
  });
  return prefix;
}

async function screenshot(page: Page, testInfo: TestInfo, name: string) {
  const path = testInfo.outputPath(`${name}.png`);
  await page.screenshot({ path, fullPage: true });
  await testInfo.attach(name, { path, contentType: "image/png" });
}

const noSideways = (page: Page) => page.evaluate(() => document.scrollingElement!.scrollWidth <= document.scrollingElement!.clientWidth);

/** Wholly within a 390 px wide screen as laid out, without scrolling anything sideways. */
async function expectWithin390(locator: Locator) {
  await expect(locator).toBeVisible();
  const box = (await locator.boundingBox())!;
  expect(box.x).toBeGreaterThanOrEqual(0);
  expect(box.x + box.width).toBeLessThanOrEqual(390);
}

async function preferencesOf(admin: TestAdmin) {
  const user = await e2eDb.adminUser.findUniqueOrThrow({ where: { email: admin.email }, select: { preference: true } });
  return user.preference;
}

/**
 * Incidents as the console keeps them: it opens one for each Failed tenant (lib/notify/incidents.ts, every
 * tick), here tenants 00 and 04. The one of 04 is then acknowledged, by an admin with a long address, and
 * dated first so it is on the page: an acknowledged row and an open one are the widest of the table.
 */
async function seedIncidents(openTenantId: string, acknowledgedTenantId: string) {
  const tenantIds = [openTenantId, acknowledgedTenantId];
  await expect.poll(() => e2eDb.incident.count({ where: { openKey: { in: tenantIds } } }), { timeout: 20_000 }).toBe(2);
  const openedAt = new Date(Date.now() - 30 * 86_400_000);
  await e2eDb.incident.updateMany({ where: { openKey: { in: tenantIds } }, data: { openedAt } });
  await e2eDb.incident.update({
    where: { openKey: acknowledgedTenantId },
    data: { acknowledgedAt: new Date(openedAt.getTime() + 600_000), acknowledgedBy: "global.administrator@northwind-traders-international.example" },
  });
}

test("at 390 px the page does not scroll sideways, every tenant's status is in view, and the keyboard still works", async ({ page }, testInfo) => {
  const prefix = await seedTenants();
  const admin = await createAdmin("OPERATOR");
  await page.setViewportSize({ width: 390, height: 844 });
  await signInAndExpectConsole(page, admin);
  await page.goto(`/tenants?q=${prefix}`);
  const rows = page.getByRole("row").filter({ hasText: prefix });
  await expect(rows).toHaveCount(12);

  for (const density of ["comfortable", "compact"] as const) {
    if (density === "compact") {
      await page.getByRole("button", { name: "Compact" }).click();
      await expect(page.getByRole("button", { name: "Compact" })).toHaveAttribute("aria-pressed", "true");
    }
    expect(await noSideways(page)).toBe(true);
    // Every row fits on screen as it is, without scrolling the table: its tenant, its status and its menu.
    for (let i = 0; i < 12; i++) {
      const row = rows.nth(i);
      await expectWithin390(row.getByRole("link", { name: new RegExp(`^${prefix}-\\d\\d$`) }));
      await expectWithin390(row.getByRole("button", { name: /^(Failed|Warning|Verified|Not verified)$/ }));
      await expectWithin390(row.getByRole("button", { name: /^Actions for / }));
    }
    expect(await tablesFit(page)).toBe(true);
    // The low-priority columns give way; the status, the tenant and the actions stay.
    await expect(page.getByRole("columnheader", { name: /M365 Email/ })).toBeHidden();
    await expect(page.getByRole("columnheader", { name: /Last Verification Status/ })).toBeVisible();
    await screenshot(page, testInfo, `tenants-390-${density}`);
  }

  // Keyboard: the status opens its details, and the row's menu opens and closes.
  const first = rows.first();
  await first.getByRole("button", { name: "Failed", exact: true }).focus();
  await page.keyboard.press("Enter");
  await expect(first.getByRole("button", { name: "Failed", exact: true })).toHaveAttribute("aria-expanded", "true");
  await expect(page.getByRole("heading", { name: "What to do" })).toBeVisible();
  expect(await noSideways(page)).toBe(true);
  await first.getByRole("button", { name: /^Actions for / }).focus();
  await page.keyboard.press("Enter");
  await expect(page.getByRole("menu")).toBeVisible();
  await page.keyboard.press("Escape");
  await expect(page.getByRole("menu")).toHaveCount(0);

  // While a tenant's page loads, its own skeleton stands in for it (not the list's), and fits the screen too:
  // the page's data is held back until that is checked.
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  await page.route(/\/tenants\/[^/?]+\?_rsc=/, async (route) => {
    if (!route.request().headers()["next-router-prefetch"]) await released;
    await route.continue();
  });
  await page.getByRole("link", { name: `${prefix}-00`, exact: true }).click();
  await expect(page.getByLabel("Loading the tenant")).toBeVisible();
  await expect(page.getByRole("heading", { name: "Authentication Status" })).toHaveCount(0);
  expect(await noSideways(page)).toBe(true);
  release();
  await expect(page.getByRole("heading", { level: 1, name: new RegExp(`${prefix}-00`) })).toBeVisible();
  await page.unrouteAll();

  // The other pages an admin opens on a phone don't scroll sideways either: /incidents with an open and an
  // acknowledged incident (their rows are the widest), and a tenant's page with its incident history.
  const tenantId = (await e2eDb.tenant.findFirstOrThrow({ where: { customerId: `${prefix}-00` } })).id;
  await seedIncidents(tenantId, (await e2eDb.tenant.findFirstOrThrow({ where: { customerId: `${prefix}-04` } })).id);
  for (const path of ["/audit", "/preferences", "/incidents", `/tenants/${tenantId}`]) {
    await page.goto(path);
    await expect(page.locator("main h1").first()).toBeVisible();
    await expect(page.locator("main [aria-busy=true]")).toHaveCount(0);
    expect(await noSideways(page), path).toBe(true);
    // The audit log's wide table scrolls in its own area; the incidents tables show what fits.
    if (path !== "/audit") expect(await tablesFit(page), path).toBe(true);
  }
  // The tenant page's history (the last page visited) and /incidents: each row's tenant, state and Acknowledge.
  await expect(page.getByRole("region", { name: "Incidents" }).getByRole("row")).toHaveCount(2);
  await screenshot(page, testInfo, "tenant-390");
  await page.goto("/incidents");
  for (const n of ["00", "04"]) {
    const row = page.getByRole("row").filter({ hasText: `${prefix}-${n}` });
    await expectWithin390(row.getByRole("link", { name: `${prefix}-${n}` }));
    await expectWithin390(row.getByText(n === "00" ? "Open" : "Acknowledged", { exact: true }));
  }
  await expectWithin390(page.getByRole("button", { name: `Acknowledge the incident of ${prefix}-00` }));
  await screenshot(page, testInfo, "incidents-390");
});

test("density and column choice are remembered on the server, in the first HTML, across reloads and sign-ins; dates in the admin's zone", async ({
  page,
}, testInfo) => {
  const prefix = await seedTenants();
  const admin = await createAdmin();
  await page.setViewportSize({ width: 1280, height: 900 });
  await signInAndExpectConsole(page, admin);
  await page.goto(`/tenants?q=${prefix}`);
  const rows = page.getByRole("row").filter({ hasText: prefix });
  await expect(rows).toHaveCount(12);
  // The browser's zone (Asia/Kolkata, UTC+05:30), in the one format, the relative form as the hint.
  // Tenant 02 is a verified one (statuses repeat every four).
  const verified = rows.filter({ hasText: `${prefix}-02` }).locator("time");
  await expect(verified).toHaveText("20 Nov 2026, 15:30");
  await expect(verified).toHaveAttribute("title", /ago/);
  // Chromium names the zone by its older alias.
  await expect(page.getByRole("link", { name: /^Times in Asia\/(Kolkata|Calcutta)$/ })).toBeVisible();
  await screenshot(page, testInfo, "tenants-1280-comfortable");

  await page.getByRole("button", { name: "Compact" }).click();
  await page.getByRole("button", { name: "Columns" }).click();
  await page.getByRole("menuitemcheckbox", { name: "M365 Email" }).click();
  await page.keyboard.press("Escape");
  await expect(page.getByRole("columnheader", { name: /M365 Email/ })).toHaveCount(0);
  await expect.poll(async () => preferencesOf(admin)).toMatchObject({ density: "compact", hiddenColumns: "adminEmail" });
  await screenshot(page, testInfo, "tenants-1280-compact");

  // The server's first HTML already has them (no flash of the other layout): the page without `hide`.
  const html = await (await page.request.get(`/tenants?q=${prefix}`)).text();
  expect(html).toContain("dt-compact");
  expect(html).not.toContain(">M365 Email<");
  // …and the browser's zone, from its cookie, so hydration changes nothing.
  expect(html).toContain("20 Nov 2026, 15:30");

  await page.reload();
  await expect(page.getByRole("button", { name: "Compact" })).toHaveAttribute("aria-pressed", "true");
  await expect(page.getByRole("columnheader", { name: /M365 Email/ })).toHaveCount(0);

  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/sign-in/);
  await signInAndExpectConsole(page, admin);
  await page.goto(`/tenants?q=${prefix}`);
  await expect(page.getByRole("button", { name: "Compact" })).toHaveAttribute("aria-pressed", "true");
  await expect(page.getByRole("columnheader", { name: /M365 Email/ })).toHaveCount(0);
  await expect(page.locator("table.dt-compact")).toBeVisible();

  // A chosen zone wins over the browser's, on pages and in the export (ISO 8601 with the offset).
  await page.getByRole("link", { name: /^Times in / }).click();
  await page.getByLabel("Time zone").selectOption("America/New_York");
  await page.getByRole("button", { name: "Save preferences" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Preferences saved." })).toBeVisible();
  await expect(page.getByRole("link", { name: "Times in America/New_York" })).toBeVisible();
  await page.goto(`/tenants?q=${prefix}`);
  await expect(rows.filter({ hasText: `${prefix}-02` }).locator("time")).toHaveText("20 Nov 2026, 05:00");
  const csv = await (await page.request.get(`/tenants/export?q=${prefix}`)).text();
  expect(csv).toContain("2026-11-20T05:00:00-05:00");

  // Showing every column again is remembered too.
  await page.getByRole("button", { name: "Columns" }).click();
  await page.getByRole("menuitemcheckbox", { name: "M365 Email" }).click();
  await page.keyboard.press("Escape");
  await expect.poll(async () => (await preferencesOf(admin))?.hiddenColumns).toBe("");
  await page.goto(`/tenants?q=${prefix}`);
  await expect(page.getByRole("columnheader", { name: /M365 Email/ })).toBeVisible();
});
