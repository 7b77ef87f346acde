import { randomUUID } from "node:crypto";
import { expect, test, type Page } from "./support/test";
import { createAdmin } from "./support/admins";
import { e2eDb, releaseEntraTenants } from "./support/db";
import { control, DEMO } from "./support/emulator";
import { signInAndExpectConsole } from "./support/pages";
import { configureProviderApp } from "./support/provider";

// What a person sees when something fails: no control stays busy after its action failed or never
// answered, and a page that cannot be rendered shows the error page, from which "Try again" recovers.

test.use({ viewport: { width: 1440, height: 1000 } });

async function seedContoso(prefix: string) {
  const id = randomUUID();
  const customerId = `${prefix}-contoso`;
  await releaseEntraTenants([DEMO.contoso.id]);
  await e2eDb.tenant.create({
    data: {
      id,
      customerId,
      displayName: "Contoso Dental",
      entraTenantId: DEMO.contoso.id,
      primaryDomain: DEMO.contoso.domain,
      adminEmail: DEMO.contoso.admin,
      authMethod: "APP_REGISTRATION",
      cloud: "CUSTOM",
    },
  });
  return { id, customerId };
}

/** Server actions are POSTs carrying a Next-Action header; these fail as a dropped connection would. */
async function dropServerActions(page: Page) {
  await page.route("**/*", (route) =>
    route.request().method() === "POST" && route.request().headers()["next-action"] ? route.abort("connectionreset") : route.fallback(),
  );
}

test("a row's Verify whose action fails (the tenant was deleted meanwhile) stops spinning and says so", async ({ page }) => {
  await signInAndExpectConsole(page, await createAdmin());
  await configureProviderApp(page);
  const tenant = await seedContoso(`gone${randomUUID().slice(0, 6)}`);
  await page.goto(`/tenants?q=${tenant.customerId}`);
  const verify = page.getByRole("button", { name: `Verify ${tenant.customerId}` });
  // Microsoft answers slowly, so the tenant can be deleted (by another admin, another instance) while it is verified.
  await control.setLatency({ token: { fixedMs: 3000, jitterMs: 0 } });
  try {
    await verify.click();
    await expect(verify).toHaveAttribute("aria-busy", "true");
    await e2eDb.tenant.delete({ where: { id: tenant.id } });
    await expect(page.getByRole("alert").filter({ hasText: `Could not verify ${tenant.customerId}` })).toBeVisible({ timeout: 20_000 });
  } finally {
    await control.clearFaults();
  }
  await expect(page.getByRole("main").locator("[aria-busy=true]")).toHaveCount(0);
  await expect(page.getByText("No tenants match this view")).toBeVisible();
});

test("row actions that never get an answer (network failure) leave the row usable, with the error shown", async ({ page }) => {
  await signInAndExpectConsole(page, await createAdmin());
  await configureProviderApp(page);
  const tenant = await seedContoso(`net${randomUUID().slice(0, 6)}`);
  await page.goto(`/tenants?q=${tenant.customerId}`);
  const row = page.getByRole("row").filter({ hasText: tenant.customerId });
  const verify = row.getByRole("button", { name: `Verify ${tenant.customerId}` });

  await dropServerActions(page);
  await verify.click();
  await expect(page.getByRole("alert").filter({ hasText: `Could not verify ${tenant.customerId}` })).toContainText("did not answer");
  await expect(verify).toBeEnabled();
  await expect(verify).not.toHaveAttribute("aria-busy", "true");

  // A confirmed action from the row's menu: the dialog does not stay busy either.
  await row.getByRole("button", { name: `Actions for ${tenant.customerId}` }).click();
  await page.getByRole("menuitem", { name: "Remove authorization" }).click();
  const confirm = page.getByRole("dialog", { name: `Remove authorization of ${tenant.customerId}?` });
  await confirm.getByRole("button", { name: "Remove authorization" }).click();
  await expect(page.getByRole("alert").filter({ hasText: "Could not remove the authorization" })).toBeVisible();
  await expect(confirm).toBeHidden();

  // The network is back: the same row works. The error toasts stay until dismissed (they may cover the
  // row's buttons, low on the page): the admin dismisses them first.
  await page.unrouteAll({ behavior: "ignoreErrors" });
  const dismiss = page.getByRole("button", { name: /^Dismiss: Could not/ });
  while ((await dismiss.count()) > 0) await dismiss.first().click();
  await expect(page.getByRole("alert").filter({ hasText: "Could not" })).toHaveCount(0);
  await verify.click();
  await expect(page.getByRole("status").filter({ hasText: `${tenant.customerId}: verified` })).toBeVisible({ timeout: 30_000 });
  await expect(row).toContainText("Verified");
  await expect(verify).toBeEnabled();
});

test("a page that cannot be rendered shows the error page in the console, and Try again recovers", async ({ page }) => {
  await signInAndExpectConsole(page, await createAdmin());
  const tenant = await seedContoso(`err${randomUUID().slice(0, 6)}`);
  // A row this version cannot read: an authentication method it does not know (written by a newer
  // console, say, before a rollback). Reading the tenant fails, so its page cannot be rendered.
  await e2eDb.$executeRawUnsafe(`UPDATE "Tenant" SET "authMethod" = 'SMOKE_SIGNALS' WHERE "id" = ?`, tenant.id);
  try {
    await page.goto(`/tenants/${tenant.id}`);
    const error = page.getByRole("alert").filter({ has: page.getByRole("heading", { name: "Something went wrong" }) });
    await expect(error).toBeVisible();
    await expect(error).toContainText(/Reference: \S+/);
    await expect(error).not.toContainText("SMOKE_SIGNALS");
    await expect(page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Tenants" })).toBeVisible();
    await expect(error.getByRole("link", { name: "Back to tenants" })).toHaveAttribute("href", "/tenants");

    await e2eDb.$executeRawUnsafe(`UPDATE "Tenant" SET "authMethod" = 'APP_REGISTRATION' WHERE "id" = ?`, tenant.id);
    await error.getByRole("button", { name: "Try again" }).click();
    await expect(page.getByRole("heading", { level: 1 })).toContainText(tenant.customerId);
    await expect(page.getByRole("heading", { name: "Something went wrong" })).toHaveCount(0);
  } finally {
    await e2eDb.tenant.delete({ where: { id: tenant.id } });
  }
});
