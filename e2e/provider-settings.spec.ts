import { expect, test } from "./support/test";
import { createAdmin } from "./support/admins";
import { e2eDb } from "./support/db";
import { DEMO, emulator } from "./support/emulator";
import { signInAndExpectConsole } from "./support/pages";
import { configureProviderApp } from "./support/provider";

test.describe("Settings → Provider app", () => {
  test("bad inputs are rejected with messages next to the fields, and nothing is saved", async ({ page }) => {
    await signInAndExpectConsole(page, await createAdmin());
    await page.goto("/settings/provider");
    const versionBefore = (await e2eDb.appRegistration.findUnique({ where: { id: "provider" } }))?.version ?? 0;
    await page.getByLabel("Client ID").fill("not-a-guid");
    await page.getByLabel("Redirect URL").fill("http://console.example.com/callback?x=1");
    await page.getByLabel("Cloud").selectOption("CUSTOM");
    await page.getByLabel("Authority host").fill("");
    await page.getByRole("button", { name: "Apply Changes" }).click();
    await expect(page.getByRole("main").getByRole("alert")).toHaveText("Check the highlighted fields.");
    await expect(page.getByLabel("Client ID")).toHaveAttribute("aria-invalid", "true");
    await expect(page.getByText("Must be a GUID")).toBeVisible();
    await expect(page.getByText("Must use https (http is allowed only for localhost)")).toBeVisible();
    await expect(page.getByText("The path must be exactly /authenticate/OAuth2Callback")).toBeVisible();
    await expect(page.getByText("Required for a custom cloud").first()).toBeVisible();
    // What the admin typed is still there to correct.
    await expect(page.getByLabel("Client ID")).toHaveValue("not-a-guid");
    expect((await e2eDb.appRegistration.findUnique({ where: { id: "provider" } }))?.version ?? 0).toBe(versionBefore);
  });

  test("a Custom cloud host on a metadata, link-local or loopback address is refused next to its field", async ({ page }) => {
    await signInAndExpectConsole(page, await createAdmin());
    await page.goto("/settings/provider");
    const versionBefore = (await e2eDb.appRegistration.findUnique({ where: { id: "provider" } }))?.version ?? 0;
    await page.getByLabel("Cloud").selectOption("CUSTOM");
    // 2852039166 is 169.254.169.254, the instance metadata service, written as one decimal number.
    await page.getByLabel("Authority host").fill("2852039166");
    await page.getByLabel("Graph host").fill("localhost:8444");
    await page.getByRole("button", { name: "Apply Changes" }).click();
    await expect(page.getByRole("main").getByRole("alert")).toHaveText("Check the highlighted fields.");
    await expect(page.getByLabel("Authority host")).toHaveAttribute("aria-invalid", "true");
    await expect(page.getByLabel("Authority host")).toHaveAccessibleDescription(
      /169\.254\.169\.254 is a link-local address; add it to OUTBOUND_ALLOW_HOSTS if this is intended/,
    );
    await expect(page.getByLabel("Graph host")).toHaveAccessibleDescription(
      /localhost:8444 is a loopback name; add it to OUTBOUND_ALLOW_HOSTS if this is intended/,
    );
    expect((await e2eDb.appRegistration.findUnique({ where: { id: "provider" } }))?.version ?? 0).toBe(versionBefore);
  });

  test("Apply persists (secret never sent back), Reset restores the stored values, Test proves the credentials", async ({ page }) => {
    await signInAndExpectConsole(page, await createAdmin());
    await configureProviderApp(page);

    await page.reload();
    await expect(page.getByLabel("Client ID")).toHaveValue(DEMO.providerClientId);
    await expect(page.getByLabel("Authority host")).toHaveValue(emulator.authorityHost);
    await expect(page.getByLabel("Client Secret")).toHaveValue("");
    await expect(page.getByText("A secret is stored (starts with tac)")).toBeVisible();
    expect(await page.content()).not.toContain(DEMO.providerSecret);

    const stored = await e2eDb.appRegistration.findUniqueOrThrow({ where: { id: "provider" } });
    expect(stored.clientSecret).not.toContain(DEMO.providerSecret);
    const audit = await e2eDb.auditEvent.findFirstOrThrow({ where: { action: "app_registration.updated" }, orderBy: { at: "desc" } });
    expect(audit.details).toContain("clientSecret");
    expect(audit.details).not.toContain(DEMO.providerSecret);

    await page.getByLabel("Client ID").fill("00000000-0000-4000-8000-000000000099");
    await page.getByLabel("Cloud").selectOption("GLOBAL");
    await page.getByRole("button", { name: "Reset Changes" }).click();
    await expect(page.getByLabel("Client ID")).toHaveValue(DEMO.providerClientId);
    await expect(page.getByLabel("Cloud")).toHaveValue("CUSTOM");
    await expect(page.getByLabel("Graph host")).toHaveValue(emulator.graphHost);

    await page.getByRole("button", { name: "Test" }).click();
    const result = page.getByRole("status", { name: "Test result" });
    await expect(result).toContainText(`Test passed: a token was issued for tenant ${DEMO.homeTenantId}`);
    await expect(result).toContainText("The client secret expires");
  });

  test("another administrator's change meanwhile is refused as a conflict; Reset Changes loads their values, which then apply", async ({ page }) => {
    await signInAndExpectConsole(page, await createAdmin());
    await configureProviderApp(page);
    await page.reload();
    // Another administrator applies a change while this page is open.
    await e2eDb.appRegistration.update({ where: { id: "provider" }, data: { homeTenantId: "fabrikam.onmicrosoft.com", version: { increment: 1 } } });

    await page.getByLabel("Required application permissions").fill("Organization.Read.All");
    await page.getByRole("button", { name: "Apply Changes" }).click();
    await expect(page.getByRole("main").getByRole("alert")).toHaveText(
      "Another administrator changed these settings meanwhile. Reset Changes to load their values, then apply again.",
    );
    await expect(page.getByRole("button", { name: "Apply Changes" })).toBeEnabled();
    expect((await e2eDb.appRegistration.findUniqueOrThrow({ where: { id: "provider" } })).requiredAppPermissions).toBe("Organization.Read.All User.Read.All");

    await page.getByRole("button", { name: "Reset Changes" }).click();
    await expect(page.getByLabel("Home tenant")).toHaveValue("fabrikam.onmicrosoft.com");
    await expect(page.getByLabel("Required application permissions")).toHaveValue("Organization.Read.All User.Read.All");
    await expect(page.getByRole("main").getByRole("alert")).toHaveCount(0);

    await page.getByLabel("Required application permissions").fill("Organization.Read.All");
    await page.getByRole("button", { name: "Apply Changes" }).click();
    await expect(page.getByRole("status").filter({ hasText: "Changes applied: requiredAppPermissions." })).toBeVisible();
    const stored = await e2eDb.appRegistration.findUniqueOrThrow({ where: { id: "provider" } });
    expect(stored).toMatchObject({ homeTenantId: "fabrikam.onmicrosoft.com", requiredAppPermissions: "Organization.Read.All" });
    await configureProviderApp(page);
  });

  test("a wrong secret fails the test with the reason and what to do", async ({ page }) => {
    await signInAndExpectConsole(page, await createAdmin());
    await configureProviderApp(page);
    await page.getByLabel("Client Secret").fill("wrong8Q~not-the-secret");
    await page.getByRole("button", { name: "Apply Changes" }).click();
    await expect(page.getByRole("status").filter({ hasText: "clientSecret" })).toBeVisible();
    await page.getByRole("button", { name: "Test" }).click();
    const result = page.getByRole("status", { name: "Test result" });
    await expect(result).toContainText("Test failed: Invalid client secret");
    await expect(result).toContainText("7000215");
    await configureProviderApp(page);
  });
});
