import { expect, test } from "./support/test";
import { createAdmin } from "./support/admins";
import { e2eDb } from "./support/db";
import { signIn, signInAndExpectConsole } from "./support/pages";

test.describe("local admin sign-in", () => {
  test("an anonymous visitor is sent to the sign-in page", async ({ page }) => {
    await page.goto("/tenants");
    await expect(page).toHaveURL(/\/sign-in\?callbackUrl=%2Ftenants/);
    await expect(page.getByRole("button", { name: "Sign in" })).toBeVisible();
  });

  test("a wrong password shows an error and is audited", async ({ page }) => {
    const admin = await createAdmin();
    await signIn(page, admin, "definitely-not-it");
    await expect(page.getByRole("main").getByRole("alert")).toHaveText("Incorrect email or password.");
    await expect(page).toHaveURL(/\/sign-in/);
    const failures = await e2eDb.auditEvent.findMany({ where: { action: "auth.sign_in.failed", actorLabel: admin.email } });
    expect(failures).toHaveLength(1);
    expect(failures[0]!.details).not.toContain("definitely-not-it");
  });

  test("an unknown email gets the same message", async ({ page }) => {
    await signIn(page, { email: "nobody@msp.example", password: "whatever-password" });
    await expect(page.getByRole("main").getByRole("alert")).toHaveText("Incorrect email or password.");
  });

  test("the right password reaches the Tenants page, sign-out works, and the audit log shows both sign-ins", async ({ page }) => {
    const admin = await createAdmin();
    await signIn(page, admin, "wrong-password-1");
    await expect(page.getByRole("main").getByRole("alert")).toBeVisible();
    await signInAndExpectConsole(page, admin);
    await expect(page).toHaveURL(/\/tenants$/);
    await expect(page.getByText(`Signed in as ${admin.email}`)).toBeVisible();

    await page.getByRole("link", { name: "Audit log" }).click();
    await expect(page.getByRole("heading", { name: "Audit log" })).toBeVisible();
    const rows = page.getByRole("row").filter({ hasText: admin.email });
    await expect(rows.filter({ hasText: "auth.sign_in.succeeded" })).toHaveCount(1);
    await expect(rows.filter({ hasText: "auth.sign_in.failed" })).toHaveCount(1);

    await page.getByRole("button", { name: "Sign out" }).click();
    await expect(page).toHaveURL(/\/sign-in/);
    await page.goto("/tenants");
    await expect(page).toHaveURL(/\/sign-in/);
    await expect.poll(() => e2eDb.auditEvent.count({ where: { action: "auth.sign_out", actorLabel: admin.email } })).toBe(1);
  });

  test("repeated failures lock the sign-in with a clear message, even for the right password", async ({ page }) => {
    const admin = await createAdmin();
    for (let i = 0; i < 5; i++) {
      await signIn(page, admin, `wrong-${i}`);
      await expect(page.getByRole("main").getByRole("alert")).toBeVisible();
    }
    await signIn(page, admin);
    await expect(page.getByRole("main").getByRole("alert")).toContainText("Too many failed sign-in attempts");
    await expect(page).toHaveURL(/\/sign-in/);
    await expect.poll(() => e2eDb.auditEvent.count({ where: { action: "auth.sign_in.throttled", actorLabel: admin.email } })).toBeGreaterThan(0);
  });

  test("the tenants stored in the database are listed", async ({ page }) => {
    const admin = await createAdmin();
    const customerId = `cust-${Date.now()}`;
    await e2eDb.tenant.create({
      data: {
        id: crypto.randomUUID(),
        customerId,
        displayName: "Northwind Traders",
        adminEmail: "it@northwind.example",
        authMethod: "APP_REGISTRATION",
        primaryDomain: "northwind.example",
      },
    });
    await signInAndExpectConsole(page, admin);
    const row = page.getByRole("row").filter({ hasText: customerId });
    await expect(row).toContainText("it@northwind.example");
    await expect(row).toContainText("App registration");
    await expect(row).toContainText("Not verified");
  });

  test("the health endpoint reports the database", async ({ request }) => {
    const response = await request.get("/api/health");
    expect(response.status()).toBe(200);
    expect(await response.json()).toMatchObject({ status: "ok", database: "ok" });
  });
});
