import { randomUUID } from "node:crypto";
import { expect, test, type Page, type TestInfo } from "./support/test";
import { createAdmin } from "./support/admins";
import { e2eDb } from "./support/db";
import { signInAndExpectConsole } from "./support/pages";

// The Incidents page, the tenant page's incident history and Settings → Alerts, as an MSP admin uses them.
// Tenants and incidents are seeded in the database with the statuses that go with them (a Failed tenant
// has its open incident, so the console's reconcile finds nothing to change); everything is under a tag
// of this spec's own, and the page's counts are read with that tag's filter.

test.use({ timezoneId: "UTC", viewport: { width: 1280, height: 1000 } });

const minute = 60_000;
const hour = 60 * minute;

async function screenshot(page: Page, testInfo: TestInfo, name: string) {
  const path = testInfo.outputPath(`${name}.png`);
  await page.screenshot({ path, fullPage: true });
  await testInfo.attach(name, { path, contentType: "image/png" });
}

const prefix = `INC${Date.now().toString(36).toUpperCase()}`;
const tagId = randomUUID();
const channelId = randomUUID();

type Seeded = { tenants: Record<string, string>; incidents: Record<string, string> };

async function seed(): Promise<Seeded> {
  const now = Date.now();
  const names = ["Northwind Traders", "Contoso Pharma", "Fabrikam Legal", "Litware Logistics", "Adatum Dental"];
  const failed = [0, 1, 2];
  const tenants: Record<string, string> = {};
  await e2eDb.tag.create({ data: { id: tagId, name: `${prefix} managed`, color: "blue" } });
  for (const [i, name] of names.entries()) {
    const id = randomUUID();
    const customerId = `${prefix}-${String(i + 1).padStart(3, "0")}`;
    tenants[customerId] = id;
    const isFailed = failed.includes(i);
    await e2eDb.tenant.create({
      data: {
        id,
        customerId,
        displayName: name,
        primaryDomain: `${name.split(" ")[0]!.toLowerCase()}${prefix.toLowerCase()}.onmicrosoft.com`,
        adminEmail: `admin@${name.split(" ")[0]!.toLowerCase()}.example`,
        authMethod: "APP_REGISTRATION",
        lastStatus: isFailed ? "FAILED" : "VERIFIED",
        lastStatusCode: isFailed ? (i === 1 ? "SECRET_EXPIRED" : "CONSENT_REQUIRED") : "VERIFIED",
        lastStatusMessage: isFailed ? (i === 1 ? "Client secret expired" : "Consent required") : "Verified",
        lastVerifiedAt: new Date(now - 30 * minute),
        failingSince: isFailed ? new Date(now - (i + 1) * hour) : null,
      },
    });
    await e2eDb.tenantTag.create({ data: { tenantId: id, tagId } });
  }
  const t = (n: number) => tenants[`${prefix}-00${n}`]!;
  const incidents: Record<string, string> = {};
  const add = async (key: string, data: { tenantId: string; reasonCode: string; openedAt: Date; resolvedAt?: Date; acknowledgedBy?: string }) => {
    const id = randomUUID();
    incidents[key] = id;
    await e2eDb.incident.create({
      data: {
        id,
        tenantId: data.tenantId,
        openKey: data.resolvedAt ? null : data.tenantId,
        reasonCode: data.reasonCode,
        reasonMessage: data.reasonCode === "SECRET_EXPIRED" ? "AADSTS7000222: The provided client secret keys are expired." : null,
        openedAt: data.openedAt,
        resolvedAt: data.resolvedAt ?? null,
        acknowledgedAt: data.acknowledgedBy ? new Date(data.openedAt.getTime() + 10 * minute) : null,
        acknowledgedBy: data.acknowledgedBy ?? null,
      },
    });
  };
  // Open: 001 (consent), 002 (secret); acknowledged: 003. Resolved after 2 h 14 min, 30 min and 5 h:
  // mean 2 h 34 min, median 2 h 14 min.
  await add("open1", { tenantId: t(1), reasonCode: "CONSENT_REQUIRED", openedAt: new Date(now - hour) });
  await add("open2", { tenantId: t(2), reasonCode: "SECRET_EXPIRED", openedAt: new Date(now - 2 * hour) });
  await add("ack3", { tenantId: t(3), reasonCode: "CONSENT_REQUIRED", openedAt: new Date(now - 3 * hour), acknowledgedBy: "colleague@msp.example" });
  const resolved = (daysAgo: number, seconds: number) => {
    const resolvedAt = new Date(now - daysAgo * 24 * hour);
    return { openedAt: new Date(resolvedAt.getTime() - seconds * 1000), resolvedAt };
  };
  await add("res4", { tenantId: t(4), reasonCode: "CONSENT_REQUIRED", ...resolved(1, 2 * 3600 + 14 * 60) });
  await add("res5", { tenantId: t(5), reasonCode: "SECRET_EXPIRED", ...resolved(2, 30 * 60) });
  await add("res1", { tenantId: t(1), reasonCode: "MFA_REQUIRED", ...resolved(9, 5 * 3600) });
  await e2eDb.notificationChannel.create({
    data: { id: channelId, name: `${prefix} service desk hook`, kind: "WEBHOOK", config: JSON.stringify({ url: "https://example.invalid/hook" }) },
  });
  return { tenants, incidents };
}

let seeded: Seeded;
test.beforeAll(async () => {
  seeded = await seed();
});

test.afterAll(async () => {
  await e2eDb.alertRule.deleteMany({ where: { name: { startsWith: prefix } } });
  await e2eDb.notificationChannel.deleteMany({ where: { id: channelId } });
  await e2eDb.tenant.deleteMany({ where: { customerId: { startsWith: `${prefix}-` } } });
  await e2eDb.tag.deleteMany({ where: { id: tagId } });
});

test("incidents: counts and times to resolve, state and reason filters, acknowledge, the tenant's history", async ({ page }, testInfo) => {
  test.setTimeout(120_000);
  const { tenants, incidents } = seeded;
  const admin = await createAdmin();
  await signInAndExpectConsole(page, admin);

  // The navigation counts unresolved incidents (every tenant's: at least this spec's three).
  const nav = page.getByRole("navigation", { name: "Main" });
  await expect(nav.getByRole("link", { name: /^Incidents \d+ unresolved$/ })).toBeVisible();
  await nav.getByRole("link", { name: /^Incidents/ }).click();
  await expect(page.getByRole("heading", { name: "Incidents", level: 1 })).toBeVisible();

  // This spec's tag: the counts and times follow the filter.
  await page.getByLabel("Tag", { exact: true }).selectOption({ label: `${prefix} managed` });
  await expect(page).toHaveURL(new RegExp(`tag=${tagId}`));
  const summary = page.getByRole("region", { name: `Summary for tag ${prefix} managed` });
  const card = (label: string) =>
    summary
      .locator(".card")
      .filter({ has: page.getByText(label, { exact: true }) })
      .locator("dd")
      .first();
  await expect(card("Open")).toHaveText("2");
  await expect(card("Acknowledged")).toHaveText("1");
  await expect(card("Resolved")).toHaveText("3");
  await expect(card("Mean time to resolve")).toHaveText("2 h 34 min");
  await expect(card("Median time to resolve")).toHaveText("2 h 14 min");

  // Unresolved (the default): open and acknowledged, the oldest first.
  const rows = page.getByRole("table").getByRole("row").filter({ hasText: prefix });
  await expect(rows).toHaveCount(3);
  await expect(rows.nth(0)).toContainText(`${prefix}-003`);
  const row = (customerId: string) => rows.filter({ hasText: customerId });
  await expect(row(`${prefix}-003`)).toContainText("Acknowledged");
  await expect(row(`${prefix}-003`)).toContainText("by colleague@msp.example");
  await expect(row(`${prefix}-002`)).toContainText("Client secret expired");
  await expect(row(`${prefix}-002`).getByRole("list", { name: `Tags of ${prefix}-002` })).toContainText(`${prefix} managed`);
  await expect(row(`${prefix}-001`).getByRole("link", { name: `${prefix}-001` })).toHaveAttribute("href", `/tenants/${tenants[`${prefix}-001`]}#incidents`);
  await screenshot(page, testInfo, "incidents-unresolved");

  // Resolved: newest first, with their durations.
  await page
    .getByRole("navigation", { name: "Incident state" })
    .getByRole("link", { name: /^Resolved/ })
    .click();
  await expect(page).toHaveURL(/state=resolved/);
  await expect(rows).toHaveCount(3);
  await expect(rows.nth(0)).toContainText(`${prefix}-004`);
  await expect(rows.nth(0)).toContainText("2 h 14 min");
  await expect(row(`${prefix}-005`)).toContainText("30 min");
  await expect(row(`${prefix}-001`)).toContainText("5 h");
  await expect(page.getByRole("button", { name: /^Acknowledge/ })).toHaveCount(0);

  // A reason, over every state.
  await page.getByRole("navigation", { name: "Incident state" }).getByRole("link", { name: /^All/ }).click();
  await expect(page).toHaveURL(/state=all/);
  await page.getByLabel("Reason", { exact: true }).selectOption({ label: "Consent required" });
  await expect(page).toHaveURL(/reason=CONSENT_REQUIRED/);
  await expect(rows).toHaveCount(3);
  for (const n of ["001", "003", "004"]) await expect(row(`${prefix}-${n}`)).toContainText("Consent required");
  await expect(card("Resolved")).toHaveText("1");

  // Acknowledge one open incident: announced, focus moves on to the next one, the row says who.
  await page.goto(`/incidents?state=open&tag=${tagId}`);
  await expect(rows).toHaveCount(2);
  await page.getByRole("button", { name: `Acknowledge the incident of ${prefix}-002` }).click();
  const announced = page.getByRole("status").filter({ hasText: `Incident acknowledged: ${prefix}-002` });
  await expect(announced).toContainText(`Recorded as acknowledged by ${admin.email}`);
  await expect(rows).toHaveCount(1);
  await expect(page.getByRole("button", { name: `Acknowledge the incident of ${prefix}-001` })).toBeFocused();
  await page.goto(`/incidents?tag=${tagId}`);
  await expect(row(`${prefix}-002`)).toContainText("Acknowledged");
  await expect(row(`${prefix}-002`)).toContainText(`by ${admin.email}`);
  const stored = await e2eDb.incident.findUniqueOrThrow({ where: { id: incidents.open2! } });
  expect(stored.acknowledgedBy).toBe(admin.email);
  expect(stored.acknowledgedAt).not.toBeNull();

  await page.goto("/audit");
  const auditRow = page.getByRole("row").filter({ hasText: "incident.acknowledged" }).filter({ hasText: incidents.open2! });
  await expect(auditRow).toContainText(admin.email);
  await expect(auditRow).toContainText(`customerId: ${prefix}-002`);

  // The tenant page: its history and time to resolve, under the anchor notifications link to.
  await page.goto(`/tenants/${tenants[`${prefix}-001`]}#incidents`);
  const section = page.getByRole("region", { name: "Incidents" });
  await expect(section).toHaveAttribute("id", "incidents");
  await expect(section).toContainText("2 in all, 1 unresolved");
  await expect(section).toContainText("mean time to resolve 5 h");
  const history = section.getByRole("row");
  await expect(history).toHaveCount(3);
  await expect(history.nth(1)).toContainText("Open");
  await expect(history.nth(1)).toContainText("Consent required");
  await expect(history.nth(2)).toContainText("Resolved");
  await expect(history.nth(2)).toContainText("MFA required");
  await expect(history.nth(2)).toContainText("5 h");
  await section.screenshot({ path: testInfo.outputPath("tenant-incidents.png") });
  await testInfo.attach("tenant-incidents", { path: testInfo.outputPath("tenant-incidents.png"), contentType: "image/png" });
});

test("alert rules: refused without a channel, created, edited, deleted", async ({ page }, testInfo) => {
  test.setTimeout(120_000);
  const admin = await createAdmin();
  await signInAndExpectConsole(page, admin);
  await page.goto("/settings/provider");
  await page.getByRole("navigation", { name: "Settings sections" }).getByRole("link", { name: "Alerts" }).click();
  await expect(page.getByRole("heading", { name: "Alert rules" })).toBeVisible();
  await page.getByRole("link", { name: "Add alert rule" }).click();

  // No channel: the message is next to the channels.
  const name = `${prefix} lost access to service desk`;
  await page.getByLabel("Name").fill(name);
  await page.getByRole("checkbox", { name: /^Incident opened/ }).check();
  await page.getByRole("checkbox", { name: /^Incident resolved/ }).check();
  await page.getByRole("button", { name: "Create rule" }).click();
  const channels = page.getByRole("group", { name: "Channels" });
  await expect(channels).toContainText("Choose at least one channel.");
  await expect(channels).toHaveAccessibleDescription(/Choose at least one channel\./);
  await expect(page.getByRole("alert").filter({ hasText: "Check the highlighted fields." })).toBeVisible();
  expect(await e2eDb.alertRule.count({ where: { name } })).toBe(0);

  // Valid: what was typed is still there; tick the channel and the rest.
  await expect(page.getByLabel("Name")).toHaveValue(name);
  await channels.getByRole("checkbox", { name: new RegExp(`${prefix} service desk hook`) }).check();
  await expect(page.getByLabel("Minimum severity")).toHaveAccessibleDescription(/Not sent with this minimum: Incident resolved/);
  await page.getByLabel("Minimum severity").selectOption("info");
  await page
    .getByRole("group", { name: "Tags" })
    .getByRole("checkbox", { name: `${prefix} managed` })
    .check();
  await page.getByLabel("Quiet hours from").fill("22:00");
  await page.getByLabel("Quiet hours until").fill("07:00");
  await page.getByLabel("Daily digest at").fill("08:30");
  await page.getByLabel("Time zone").selectOption("Europe/Amsterdam");
  await page.screenshot({ path: testInfo.outputPath("alert-rule-form.png"), fullPage: true });
  await page.getByRole("button", { name: "Create rule" }).click();

  await expect(page).toHaveURL(/\/settings\/alerts\?saved=/);
  await expect(page.getByRole("status").filter({ hasText: `Saved the rule ${name}.` })).toBeVisible();
  const listed = page.getByRole("row").filter({ hasText: name });
  await expect(listed).toContainText("Incident opened, Incident resolved");
  await expect(listed).toContainText("Info and above");
  await expect(listed).toContainText(`${prefix} service desk hook`);
  await expect(listed).toContainText(`${prefix} managed`);
  await expect(listed).toContainText("Quiet 22:00–07:00");
  await expect(listed).toContainText("Daily digest at 08:30");
  await expect(listed).toContainText("Europe/Amsterdam");
  const rule = await e2eDb.alertRule.findFirstOrThrow({ where: { name }, include: { channels: true, tags: true } });
  expect(JSON.parse(rule.events)).toEqual(["incident.opened", "incident.resolved"]);
  expect(rule).toMatchObject({ minSeverity: "info", quietStart: "22:00", quietEnd: "07:00", digestAt: "08:30", timeZone: "Europe/Amsterdam", enabled: true });
  expect(rule.channels.map((c) => c.channelId)).toEqual([channelId]);
  expect(rule.tags.map((t) => t.tagId)).toEqual([tagId]);
  await screenshot(page, testInfo, "settings-alerts");

  // Edit: a bad value is refused next to its field, then the change is saved.
  await listed.getByRole("link", { name }).click();
  await expect(page.getByLabel("Name")).toHaveValue(name);
  await page.getByLabel("Quiet hours until").fill("");
  await page.getByRole("button", { name: "Save rule" }).click();
  await expect(page.getByLabel("Quiet hours until")).toHaveAccessibleDescription("Give both the start and the end of quiet hours, or neither.");
  await page.getByLabel("Quiet hours from").fill("");
  const renamed = `${prefix} lost access (paused)`;
  await page.getByLabel("Name").fill(renamed);
  await page.getByRole("checkbox", { name: "Enabled" }).uncheck();
  await page.getByRole("button", { name: "Save rule" }).click();
  const edited = page.getByRole("row").filter({ hasText: renamed });
  await expect(edited).toContainText("Disabled");
  await expect(edited).toContainText("No quiet hours");
  expect(await e2eDb.alertRule.findUniqueOrThrow({ where: { id: rule.id } })).toMatchObject({ name: renamed, enabled: false, quietStart: null, version: 2 });

  // Delete, after a confirmation.
  await edited.getByRole("link", { name: renamed }).click();
  await page.getByRole("button", { name: "Delete rule" }).click();
  const dialog = page.getByRole("dialog", { name: `Delete ${renamed}?` });
  await expect(dialog).toBeVisible();
  await dialog.getByRole("button", { name: "Delete rule" }).click();
  await expect(page).toHaveURL(/\/settings\/alerts$/);
  await expect(page.getByRole("row").filter({ hasText: renamed })).toHaveCount(0);
  expect(await e2eDb.alertRule.count({ where: { id: rule.id } })).toBe(0);
  const audit = await e2eDb.auditEvent.findMany({ where: { targetId: rule.id }, orderBy: { at: "asc" }, select: { action: true, actorLabel: true } });
  expect(audit.map((a) => a.action)).toEqual(["alert_rule.created", "alert_rule.updated", "alert_rule.deleted"]);
  expect(audit.every((a) => a.actorLabel === admin.email)).toBe(true);
});

test("a viewer reads incidents and alert rules without their controls", async ({ page }) => {
  const viewer = await createAdmin("VIEWER");
  await signInAndExpectConsole(page, viewer);
  await page.goto(`/incidents?state=all&tag=${tagId}`);
  await expect(page.getByRole("table").getByRole("row").filter({ hasText: prefix })).toHaveCount(6);
  await expect(page.getByRole("button", { name: /^Acknowledge/ })).toHaveCount(0);
  await page.goto("/settings/alerts");
  await expect(page.getByRole("heading", { name: "Alert rules" })).toBeVisible();
  await expect(page.getByRole("link", { name: "Add alert rule" })).toHaveCount(0);
  await page.goto("/settings/alerts/new");
  await expect(page).toHaveURL(/\/forbidden/);
});
