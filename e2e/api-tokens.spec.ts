import { randomUUID } from "node:crypto";
import { expect, test, type Page, type TestInfo } from "./support/test";
import { generateApiToken, hashApiToken } from "../lib/api-tokens/format";
import { createAdmin } from "./support/admins";
import { e2eDb } from "./support/db";
import { signInAndExpectConsole, tablesFit } from "./support/pages";

test.use({ viewport: { width: 1440, height: 1000 }, permissions: ["clipboard-read", "clipboard-write"] });

const uniqueName = (label: string) => `${label} ${randomUUID().slice(0, 6)}`;

async function screenshot(page: Page, testInfo: TestInfo, name: string) {
  const body = await page.screenshot({ path: testInfo.outputPath(`${name}.png`) });
  await testInfo.attach(name, { body, contentType: "image/png" });
}

test("an administrator creates an API token, sees it once, uses it and revokes it", async ({ page }, testInfo) => {
  const admin = await createAdmin();
  const name = uniqueName("PSA sync");
  await signInAndExpectConsole(page, admin);

  await page.goto("/settings");
  await page.getByRole("navigation", { name: "Settings sections" }).getByRole("link", { name: "API tokens" }).click();
  await expect(page).toHaveURL(/\/settings\/api-tokens$/);
  await expect(page.getByRole("heading", { name: "API tokens" })).toBeVisible();
  if ((await e2eDb.apiToken.count()) === 0) {
    await expect(page.getByText("No API tokens yet")).toBeVisible();
    await expect(page.getByRole("link", { name: "Read the API reference" })).toHaveAttribute("href", "/api-docs");
    await screenshot(page, testInfo, "api-tokens-empty");
  }

  // Server-side validation, shown next to each field.
  await page.getByRole("button", { name: "Create token" }).first().click();
  const dialog = page.getByRole("dialog", { name: "Create API token" });
  await expect(dialog.getByLabel("Name")).toBeFocused();
  await dialog.getByRole("button", { name: "Create token" }).click();
  await expect(dialog.getByRole("alert")).toHaveText("Check the highlighted fields.");
  await expect(dialog.getByLabel("Name")).toHaveAttribute("aria-invalid", "true");
  await expect(dialog.getByText("Enter a name, e.g. the system that will use the token.")).toBeVisible();

  await dialog.getByLabel("Name").fill(name);
  await dialog.getByRole("radio", { name: /^Operator/ }).check();
  await dialog.getByLabel("Expires").selectOption("custom");
  await dialog.getByLabel("Expiry date").fill(new Date(Date.now() + 800 * 86_400_000).toISOString().slice(0, 10));
  await dialog.getByRole("button", { name: "Create token" }).click();
  await expect(dialog.getByLabel("Expiry date")).toHaveAttribute("aria-invalid", "true");
  await expect(dialog.getByText(/At most two years from today/)).toBeVisible();
  await expect(dialog.getByLabel("Name")).toHaveValue(name);
  await dialog.getByLabel("Expires").selectOption("90");
  await expect(dialog.getByText(/^Expires on /)).toBeVisible();
  await screenshot(page, testInfo, "api-tokens-create-dialog");
  await dialog.getByRole("button", { name: "Create token" }).click();

  // Shown once, with a warning and a Copy button.
  const reveal = page.getByRole("dialog", { name: "Copy your new API token" });
  await expect(reveal).toBeVisible();
  await expect(dialog).toBeHidden();
  await expect(reveal.getByText("This is the only time the token is shown.")).toBeVisible();
  const token = await reveal.getByLabel("API token").inputValue();
  expect(token).toMatch(/^tac_[A-Za-z0-9_-]{43}$/);
  await reveal.getByRole("button", { name: "Copy" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Token copied to the clipboard" })).toBeVisible();
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(token);
  await screenshot(page, testInfo, "api-tokens-created-dialog");
  await reveal.getByRole("button", { name: "Done" }).click();
  await expect(reveal).toBeHidden();

  // Never again: not in the page, not after a reload, and only its hash in the database.
  const prefix = token.slice(0, 12);
  const row = page.getByRole("row").filter({ hasText: name });
  await expect(row).toContainText(`${prefix}…`);
  expect(await page.content()).not.toContain(token);
  await page.reload();
  await expect(row).toContainText(`${prefix}…`);
  expect(await page.content()).not.toContain(token);
  await expect(row).toContainText("Operator");
  await expect(row).toContainText(admin.email);
  await expect(row.locator('time[title="in 3 months"]')).toHaveCount(1);
  await expect(row).toContainText("Never");
  await expect(row).toContainText("Active");
  const stored = await e2eDb.apiToken.findFirstOrThrow({ where: { name } });
  expect(stored.tokenHash).toBe(hashApiToken(token));
  expect(stored.prefix).toBe(prefix);
  expect(stored.role).toBe("OPERATOR");
  expect(Math.round((stored.expiresAt.getTime() - stored.createdAt.getTime()) / 86_400_000)).toBe(90);

  // The name is unique among active tokens.
  await page.getByRole("button", { name: "Create token" }).first().click();
  await dialog.getByLabel("Name").fill(name.toUpperCase());
  await dialog.getByRole("button", { name: "Create token" }).click();
  await expect(dialog.getByText(/An active token is already named/)).toBeVisible();
  await expect(dialog.getByLabel("Name")).toHaveAttribute("aria-invalid", "true");
  await page.keyboard.press("Escape");
  await expect(dialog).toBeHidden();

  // The token works against the REST API, and its use shows in the list.
  const authorization = { Authorization: `Bearer ${token}` };
  const listed = await page.request.get("/api/v1/tenants", { headers: authorization });
  expect(listed.status()).toBe(200);
  await expect.poll(async () => (await e2eDb.apiToken.findUniqueOrThrow({ where: { id: stored.id } })).lastUsedAt).not.toBeNull();
  await page.reload();
  // Created, expires and last used: three moments (the relative form is their hint).
  await expect(row.locator("time")).toHaveCount(3);
  await expect(row).toContainText(/from \S+/);
  await expect(row).not.toContainText("Never");
  await screenshot(page, testInfo, "api-tokens-list");
  // At a laptop's width the whole table shows: nothing scrolls sideways inside it, its last column included.
  expect(await tablesFit(page)).toBe(true);
  await page.setViewportSize({ width: 1280, height: 900 });
  await expect.poll(() => tablesFit(page)).toBe(true);
  await expect(row.getByRole("button", { name: `Revoke ${name}` })).toBeInViewport();
  await screenshot(page, testInfo, "api-tokens-list-1280");
  await page.setViewportSize({ width: 1440, height: 1000 });

  // Revoke asks first; the token stays listed as Revoked and stops working.
  await row.getByRole("button", { name: `Revoke ${name}` }).click();
  const confirm = page.getByRole("dialog", { name: `Revoke ${name}?` });
  await expect(confirm).toContainText(`${prefix}…`);
  await expect(confirm.getByRole("button", { name: "Cancel" })).toBeFocused();
  await confirm.getByRole("button", { name: "Revoke token" }).click();
  await expect(page.getByRole("status").filter({ hasText: `${name} revoked` })).toBeVisible();
  await expect(confirm).toBeHidden();
  await expect(row).toContainText("Revoked");
  await expect(row).toContainText(`by ${admin.email}`);
  await expect(row.getByRole("button", { name: `Revoke ${name}` })).toHaveCount(0);
  const refused = await page.request.get("/api/v1/tenants", { headers: authorization });
  expect(refused.status()).toBe(401);
  await screenshot(page, testInfo, "api-tokens-revoked");

  const audit = await e2eDb.auditEvent.findMany({ where: { targetType: "api_token", targetId: stored.id }, orderBy: { at: "asc" } });
  expect(audit.map((e) => [e.action, e.actorLabel])).toEqual([
    ["api_token.created", admin.email],
    ["api_token.revoked", admin.email],
  ]);
  for (const e of audit) expect(e.details).not.toContain(token);
});

test("other roles neither see API tokens nor get past the server actions", async ({ page, browser }) => {
  const operator = await createAdmin("OPERATOR");
  const operatorPage = await (await browser.newContext()).newPage();
  await signInAndExpectConsole(operatorPage, operator);
  await operatorPage.goto("/settings/provider");
  const tabs = operatorPage.getByRole("navigation", { name: "Settings sections" });
  await expect(tabs.getByRole("link", { name: "App registrations" })).toBeVisible();
  await expect(tabs.getByRole("link", { name: "API tokens" })).toHaveCount(0);
  await operatorPage.goto("/settings/api-tokens");
  await expect(operatorPage).toHaveURL(/\/forbidden$/);
  await expect(operatorPage.getByRole("heading", { name: "You do not have access to this page" })).toBeVisible();
  await operatorPage.context().close();

  // An administrator demoted while the page is open: the actions re-check the role and refuse.
  const demoted = await createAdmin();
  const seeded = generateApiToken();
  const seededName = uniqueName("Seeded");
  await e2eDb.apiToken.create({
    data: {
      id: randomUUID(),
      name: seededName,
      role: "VIEWER",
      tokenHash: seeded.hash,
      prefix: seeded.prefix,
      createdBy: "seed",
      expiresAt: new Date(Date.now() + 30 * 86_400_000),
    },
  });
  await signInAndExpectConsole(page, demoted);
  await page.goto("/settings/api-tokens");
  await page.getByRole("button", { name: "Create token" }).first().click();
  const dialog = page.getByRole("dialog", { name: "Create API token" });
  const name = uniqueName("Refused");
  await dialog.getByLabel("Name").fill(name);
  await e2eDb.adminUser.update({ where: { email: demoted.email }, data: { role: "OPERATOR" } });
  await dialog.getByRole("button", { name: "Create token" }).click();
  await expect(dialog.getByRole("alert")).toHaveText("Only administrators can create API tokens.");
  expect(await e2eDb.apiToken.count({ where: { name } })).toBe(0);
  await dialog.getByRole("button", { name: "Cancel" }).click();

  await page
    .getByRole("row")
    .filter({ hasText: seededName })
    .getByRole("button", { name: `Revoke ${seededName}` })
    .click();
  await page
    .getByRole("dialog", { name: `Revoke ${seededName}?` })
    .getByRole("button", { name: "Revoke token" })
    .click();
  await expect(page.getByRole("alert").filter({ hasText: "Only administrators can revoke API tokens." })).toBeVisible();
  expect((await e2eDb.apiToken.findFirstOrThrow({ where: { name: seededName } })).revokedAt).toBeNull();
});

test("the API reference renders the OpenAPI document with authentication, operations and schemas", async ({ page }, testInfo) => {
  test.setTimeout(120_000);
  const viewer = await createAdmin("VIEWER");
  await signInAndExpectConsole(page, viewer);
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "API reference" }).click();
  await expect(page).toHaveURL(/\/api-docs$/);
  await expect(page.getByRole("heading", { name: "API reference", level: 1 })).toBeVisible();

  const auth = page.getByRole("region", { name: "Authentication" });
  await expect(auth).toContainText("Authorization: Bearer <token>");
  await expect(auth).toContainText("API token");
  await expect(auth).toContainText("Microsoft Entra access token");
  await expect(auth.getByRole("link", { name: "Settings → API tokens" })).toHaveCount(0);

  const list = page.getByRole("article", { name: "List tenants" });
  await expect(list).toContainText("GET");
  await expect(list).toContainText("/api/v1/tenants");
  await expect(list).toContainText("Minimum role: Viewer");
  await expect(list.getByRole("table")).toContainText("pageSize");
  await expect(page.getByRole("article", { name: "Add a tenant" })).toContainText("Minimum role: Administrator");
  await expect(page.getByRole("article", { name: "Add a tenant" })).toContainText("Request body");

  const download = page.getByRole("link", { name: "Download openapi.json" });
  await expect(download).toHaveAttribute("href", "/api/v1/openapi.json");
  const spec = await page.request.get("/api/v1/openapi.json");
  expect(spec.status()).toBe(200);
  expect((await spec.json()).openapi).toBe("3.1.0");

  await page.evaluate(() => window.scrollTo(0, 0));
  await screenshot(page, testInfo, "api-reference-top");
  const shoot = async (name: string) =>
    testInfo.attach(`api-reference-${name}`, {
      body: await page.getByRole("article", { name }).screenshot({ path: testInfo.outputPath(`api-reference-${name.replace(/ /g, "-").toLowerCase()}.png`) }),
      contentType: "image/png",
    });
  for (const name of ["List tenants", "Add a tenant"]) await shoot(name);

  // One section a page: the contents lead to another section's page, at the operation.
  const contents = page.getByRole("navigation", { name: "API reference contents" });
  await contents.getByRole("link", { name: /Start Verify All/ }).click();
  await expect(page).toHaveURL(/\/api-docs\?section=tag-verification-runs#op-startverificationrun$/);
  await expect(page.getByRole("article", { name: "Start Verify All" })).toBeInViewport();
  await expect(page.getByRole("article", { name: "List tenants" })).toHaveCount(0);
  await shoot("Start Verify All");
  // A named schema's link leads to the schemas section.
  await page.getByRole("article", { name: "Start Verify All" }).getByRole("link", { name: "schema" }).first().click();
  await expect(page).toHaveURL(/section=schemas#schema-/);
  await expect(page.getByRole("heading", { name: "Schemas", level: 2 })).toBeVisible();
});
