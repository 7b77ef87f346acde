import { randomUUID } from "node:crypto";
import AxeBuilder from "@axe-core/playwright";
import { expect, test, type Page } from "./support/test";
import { createAdmin } from "./support/admins";
import { e2eDb } from "./support/db";
import { signInAndExpectConsole } from "./support/pages";

// The automated accessibility check: axe-core (WCAG 2.x A and AA rules) on every page of the console, the
// sign-in page and the customer's consent pages. Any serious or critical violation fails the test, with
// the rule, its impact and the offending elements in the message.

const WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"];

async function seriousViolations(page: Page) {
  // A sandboxed preview without scripts (the invitation email on Settings → Branding) cannot take axe's
  // script, and axe waits for it forever: the preview is the email's HTML, not the console's, so it goes.
  await page.locator("iframe[sandbox]").evaluateAll((frames) => frames.forEach((f) => f.remove()));
  const { violations, passes } = await new AxeBuilder({ page }).withTags(WCAG).analyze();
  // The rules ran: a page the check could not read would pass with no violations and no passes either.
  expect(passes.length).toBeGreaterThan(5);
  return violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.impact} ${v.id}: ${v.help}\n${v.nodes.map((n) => `    ${n.target.join(" ")}: ${n.failureSummary?.split("\n").join(" ")}`).join("\n")}`);
}

async function expectAccessible(page: Page, path: string, heading: string | RegExp) {
  await page.goto(path);
  await expect(page.getByRole("heading", { name: heading }).first()).toBeVisible();
  await page.waitForLoadState("load");
  expect(await seriousViolations(page), path).toEqual([]);
}

let prefix = "";
let tenantId = "";
let campaignId = "";

test.beforeAll(async () => {
  prefix = `A11Y${Date.now().toString(36).toUpperCase()}`;
  tenantId = randomUUID();
  await e2eDb.tenant.create({
    data: {
      id: tenantId,
      customerId: `${prefix}-1`,
      displayName: "Accessible Ltd",
      primaryDomain: `${prefix.toLowerCase()}.example`,
      adminEmail: "admin@accessible.example",
      authMethod: "APP_REGISTRATION",
      cloud: "GLOBAL",
    },
  });
  await e2eDb.notificationChannel.create({
    data: { id: `a11y-${prefix}`, name: `${prefix} hook`, kind: "WEBHOOK", config: JSON.stringify({ url: "https://example.invalid/hook" }) },
  });
  await e2eDb.alertRule.create({ data: { id: `a11y-${prefix}`, name: `${prefix} rule`, channels: { create: { channelId: `a11y-${prefix}` } } } });
  campaignId = randomUUID();
  await e2eDb.consentCampaign.create({ data: { id: campaignId, name: `Wave ${prefix}`, delivery: "export", linkDays: 14, createdBy: "e2e" } });
});

test.afterAll(async () => {
  await e2eDb.consentCampaign.deleteMany({ where: { id: campaignId } });
  await e2eDb.alertRule.deleteMany({ where: { id: `a11y-${prefix}` } });
  await e2eDb.notificationChannel.deleteMany({ where: { id: `a11y-${prefix}` } });
  await e2eDb.tenant.deleteMany({ where: { customerId: { startsWith: `${prefix}-` } } });
});

test("the sign-in page and the customer's pages have no serious or critical violation", async ({ page }) => {
  await expectAccessible(page, "/sign-in", "Tenant Access Console");
  // A consent link that is not (or no longer) valid: the page the customer sees then.
  await expectAccessible(page, `/consent/${"x".repeat(43)}`, /.+/);
  // An administrator's invitation link that is not (or no longer) valid.
  await expectAccessible(page, `/join/${"x".repeat(43)}`, "Invitation not valid");
  // The consent result page (the OAuth callback's own HTML) for an answer it cannot match.
  await page.goto("/authenticate/OAuth2Callback?error=access_denied&state=unknown");
  await expect(page.getByRole("heading").first()).toBeVisible();
  expect(await seriousViolations(page), "consent result").toEqual([]);
});

// One test a page: each has its own time, and a report names its page.
const consolePages: [string, () => string, () => string | RegExp][] = [
  ["tenants", () => "/tenants", () => "Authentication Status"],
  ["a tenant", () => `/tenants/${tenantId}`, () => `${prefix}-1`],
  ["incidents", () => "/incidents", () => "Incidents"],
  ["campaigns", () => "/campaigns", () => /Campaigns/],
  ["a campaign", () => `/campaigns/${campaignId}`, () => `Wave ${prefix}`],
  ["audit log", () => "/audit", () => "Audit log"],
  ["API reference", () => "/api-docs", () => /API/],
  ["API reference schemas", () => "/api-docs?section=schemas", () => "Schemas"],
  ["a tenant's users", () => `/tenants/${tenantId}/users`, () => `${prefix}-1`],
  ["import tenants", () => "/tenants/import", () => "Import tenants from CSV"],
  ["preferences", () => "/preferences", () => "Preferences"],
  ["forbidden", () => "/forbidden", () => "You do not have access to this page"],
  ["settings channel", () => `/settings/channels/a11y-${prefix}`, () => "Settings"],
  ["settings alert rule", () => `/settings/alerts/a11y-${prefix}`, () => "Settings"],
  ...["provider/new", "alerts/new", "channels/new"].map((tab): [string, () => string, () => string] => [
    `settings ${tab}`,
    () => `/settings/${tab}`,
    () => "Settings",
  ]),
  ...["provider", "entra", "alerts", "admins", "api-tokens", "channels", "tags", "branding", "instance"].map((tab): [string, () => string, () => string] => [
    `settings ${tab}`,
    () => `/settings/${tab}`,
    () => "Settings",
  ]),
];

for (const [title, path, heading] of consolePages) {
  test(`${title}: no serious or critical violation`, async ({ page }) => {
    test.setTimeout(120_000);
    await signInAndExpectConsole(page, await createAdmin());
    await expectAccessible(page, path(), heading());
  });
}

test("Skip to content is the first stop of the keyboard and moves focus to the main landmark", async ({ page }) => {
  await signInAndExpectConsole(page, await createAdmin());
  await page.goto("/incidents");
  await page.keyboard.press("Tab");
  const skip = page.getByRole("link", { name: "Skip to content" });
  await expect(skip).toBeFocused();
  await expect(skip).toBeVisible();
  await page.keyboard.press("Enter");
  await expect(page.getByRole("main")).toBeFocused();
});

test("the keyboard path on the tenants page: a too-long search says so, and focus follows Update and Verify All", async ({ page }) => {
  test.setTimeout(90_000);
  await signInAndExpectConsole(page, await createAdmin());
  await page.goto(`/tenants?q=${prefix}`);
  await expect(page.getByRole("row").filter({ hasText: `${prefix}-1` })).toHaveCount(1);

  const search = page.getByLabel("Search tenants");
  await search.fill("y".repeat(201));
  await expect(page.getByRole("alert").filter({ hasText: "Search is limited to 200 characters (201 typed): shorten it to search." })).toBeVisible();
  await expect(search).toHaveAttribute("aria-invalid", "true");
  // Not run: the view keeps its search.
  await expect(page).toHaveURL(new RegExp(`q=${prefix}`));
  await search.fill(prefix);
  await expect(page.getByRole("alert").filter({ hasText: "Search is limited" })).toHaveCount(0);
  // A link with a longer search shows the same message instead of silently showing every tenant.
  await page.goto(`/tenants?q=${"z".repeat(250)}`);
  await expect(page.getByText("Search is limited to 200 characters (250 typed)")).toBeVisible();

  await page.goto(`/tenants?q=${prefix}`);
  const update = page.getByRole("button", { name: "Update", exact: true });
  await update.focus();
  await page.keyboard.press("Enter");
  await expect(page.getByRole("status").filter({ hasText: "Table updated" })).toBeAttached();
  await expect(update).toBeFocused();

  const verifyAll = page.getByRole("button", { name: "Verify All" });
  await verifyAll.focus();
  await page.keyboard.press("Enter");
  const panel = page.getByRole("region", { name: "Verification run" });
  await expect(panel.getByRole("heading", { name: /Verif/ })).toBeFocused();
  await expect(panel.getByRole("heading", { name: /Verification finished/ })).toBeVisible({ timeout: 30_000 });
  // The end is announced once: by the toast; the panel's own live region is silent then.
  await expect(page.getByRole("status").filter({ hasText: "Verification finished" })).toHaveCount(1);
  await panel.getByRole("button", { name: "Dismiss" }).focus();
  await page.keyboard.press("Enter");
  await expect(verifyAll).toBeFocused();
});
