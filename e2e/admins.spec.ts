import { expect, test } from "./support/test";
import { createAdmin } from "./support/admins";
import { e2eDb } from "./support/db";
import { signIn, signInAndExpectConsole } from "./support/pages";

// Issue 20 item 1: Settings → Admins adds an admin with a one-time password shown once, who signs in with
// it; disabling them ends their session; the last enabled Administrator cannot demote themselves.

test.describe("Settings → Admins", () => {
  test("add an admin with a one-time password; they sign in; disabling them ends their session", async ({ page, browser }) => {
    const lead = await createAdmin();
    await signInAndExpectConsole(page, lead);
    await page.goto("/settings/admins");
    await expect(page.getByRole("heading", { name: "Add an admin" })).toBeVisible();

    const email = `new-${Date.now()}@msp.example`;
    const add = page.getByRole("region", { name: "Add an admin" });
    await add.getByLabel("Email").fill(email);
    await add.getByLabel("Name").fill("New Tech");
    await add.getByLabel("Role", { exact: true }).selectOption("OPERATOR");
    await add.getByRole("button", { name: "Add admin" }).click();
    await expect(page.getByRole("main").getByRole("status")).toHaveText(`${email} added as Operator.`);
    const password = (await page.getByTestId("one-time-password").textContent())!.trim();
    expect(password).toHaveLength(24);
    const row = page.getByRole("row").filter({ hasText: email });
    await expect(row).toContainText("New Tech");
    await expect(row.getByRole("combobox", { name: `Role of ${email}` })).toHaveValue("OPERATOR");
    await page.screenshot({ path: "test-results/settings-admins.png", fullPage: true });

    // The one-time password is gone from the page after a reload, and was never stored or audited in clear.
    await page.reload();
    await expect(page.getByTestId("one-time-password")).toHaveCount(0);
    const audit = await e2eDb.auditEvent.findMany({ where: { action: "admin.created" } });
    expect(JSON.stringify(audit)).not.toContain(password);

    // They sign in with it in another browser, and must choose their own password before anything else.
    const theirs = await browser.newContext();
    const their = await theirs.newPage();
    await signIn(their, { email, password });
    await expect(their).toHaveURL(/\/change-password$/);
    await their.goto("/tenants");
    await expect(their).toHaveURL(/\/change-password$/);
    await their.getByLabel("One-time password").fill(password);
    await their.getByLabel("New password", { exact: true }).fill(password);
    await their.getByLabel("New password again").fill(password);
    await their.getByRole("button", { name: "Save and continue" }).click();
    await expect(their.getByText("Choose a password other than the one-time password.")).toBeVisible();
    const own = `own-${Date.now()}-password`;
    await their.getByLabel("One-time password").fill(password);
    await their.getByLabel("New password", { exact: true }).fill(own);
    await their.getByLabel("New password again").fill(own);
    await their.getByRole("button", { name: "Save and continue" }).click();
    await expect(their.getByRole("heading", { name: "Authentication Status" })).toBeVisible();
    const changed = await e2eDb.auditEvent.findFirstOrThrow({ where: { action: "admin.password_changed", actorLabel: email } });
    expect(changed.details).not.toContain(own);
    expect(await e2eDb.adminUser.findUniqueOrThrow({ where: { email }, select: { mustChangePassword: true } })).toEqual({ mustChangePassword: false });

    // Disabled: their session ends at their next request, and they cannot sign in again.
    await page.getByRole("button", { name: `Disable ${email}` }).click();
    await expect(page.getByRole("main").getByRole("status")).toHaveText(`${email} disabled.`);
    await expect(page.getByRole("row").filter({ hasText: email })).toContainText("Disabled");
    await their.goto("/tenants");
    await expect(their).toHaveURL(/\/sign-in/);
    await signIn(their, { email, password: own });
    await expect(their.getByRole("heading", { name: "Authentication Status" })).toHaveCount(0);
    await expect(their).toHaveURL(/\/sign-in/);

    const updated = await e2eDb.auditEvent.findFirstOrThrow({ where: { action: "admin.updated", actorLabel: lead.email }, orderBy: { at: "desc" } });
    expect(JSON.parse(updated.details)).toMatchObject({ email, changedFields: ["disabled"], disabled: true, sessionsEnded: 1 });
    await theirs.close();
  });

  test("the last enabled Administrator cannot demote themselves", async ({ page }) => {
    const lead = await createAdmin();
    // This spec runs alone (one worker): the other Administrators of the e2e database are set aside for it.
    const others = await e2eDb.adminUser.findMany({ where: { role: "ADMINISTRATOR", disabled: false, email: { not: lead.email } }, select: { id: true } });
    await e2eDb.adminUser.updateMany({ where: { id: { in: others.map((o) => o.id) } }, data: { disabled: true } });
    try {
      await signInAndExpectConsole(page, lead);
      await page.goto("/settings/admins");
      await page.getByRole("combobox", { name: `Role of ${lead.email}` }).selectOption("VIEWER");
      await expect(page.getByRole("main").getByRole("alert")).toHaveText(
        "The console needs at least one enabled Administrator: add or enable another Administrator first.",
      );
      await expect(page.getByRole("combobox", { name: `Role of ${lead.email}` })).toHaveValue("ADMINISTRATOR");
      // No Disable button for yourself.
      await expect(page.getByRole("button", { name: `Disable ${lead.email}` })).toHaveCount(0);
      expect((await e2eDb.adminUser.findUniqueOrThrow({ where: { email: lead.email } })).role).toBe("ADMINISTRATOR");
    } finally {
      await e2eDb.adminUser.updateMany({ where: { id: { in: others.map((o) => o.id) } }, data: { disabled: false } });
    }
  });
});
