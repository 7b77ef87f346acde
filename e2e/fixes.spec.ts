import { randomUUID } from "node:crypto";
import fs from "node:fs";
import { expect, test, type Page } from "./support/test";
import { createAdmin } from "./support/admins";
import { e2eDb, releaseEntraTenants } from "./support/db";
import { DEMO } from "./support/emulator";
import { signInAndExpectConsole } from "./support/pages";
import { configureProviderApp } from "./support/provider";

// Issue 16, item 5: the tenant page's one Fix button does what the status needs, in place: enter a
// password, switch the method and continue to its consent link, copy a consent link, open the app
// registration to apply a new secret, download the diagnostics for Microsoft support.

test.use({ viewport: { width: 1440, height: 1000 } });

type Seed = { method: "PASSWORD" | "AUTH_TOKEN" | "APP_REGISTRATION"; code: string; message: string };

async function seedFailed({ method, code, message }: Seed) {
  const id = randomUUID();
  const customerId = `fix-${code.toLowerCase().replace(/_/g, "-")}-${id.slice(0, 6)}`;
  const at = new Date();
  await releaseEntraTenants([DEMO.contoso.id]);
  await e2eDb.tenant.create({
    data: {
      id,
      customerId,
      displayName: "Contoso Dental",
      entraTenantId: DEMO.contoso.id,
      primaryDomain: DEMO.contoso.domain,
      adminEmail: DEMO.contoso.admin,
      authMethod: method,
      cloud: "CUSTOM",
      lastStatus: "FAILED",
      lastStatusCode: code,
      lastStatusMessage: message,
      lastVerifiedAt: at,
    },
  });
  await e2eDb.verificationResult.create({
    data: {
      id: randomUUID(),
      tenantId: id,
      status: "FAILED",
      reasonCode: code,
      message,
      durationMs: 120,
      startedAt: at,
      finishedAt: at,
      // As the engine stores an outcome's details (lib/verification/outcome.ts).
      details: JSON.stringify({
        method,
        explanation: message,
        remediation: { action: "contact_support", text: "Give Microsoft support the diagnostics." },
        warnings: [],
        notes: [],
        timings: { totalMs: 120 },
        diagnostics: {
          httpStatus: 400,
          error: "invalid_request",
          errorCodes: [90000],
          traceId: "trace-0001",
          correlationId: "corr-0001",
          timestamp: at.toISOString(),
        },
      }),
    },
  });
  return { id, customerId };
}

async function openTenant(page: Page, id: string) {
  await page.goto(`/tenants/${id}`);
  await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
}

test("each failure's Fix button does what it says", async ({ page, context }) => {
  await context.grantPermissions(["clipboard-read", "clipboard-write"]);
  await signInAndExpectConsole(page, await createAdmin());
  await configureProviderApp(page);

  // A password the tenant rejected: the Fix opens the password dialog on the tenant page.
  const wrongPassword = await seedFailed({ method: "PASSWORD", code: "INVALID_CREDENTIALS", message: "Invalid username or password" });
  await openTenant(page, wrongPassword.id);
  await expect(page.getByTestId("authorization-state")).toHaveText("Not authorized");
  await page.getByRole("link", { name: "Fix: enter the username and password" }).click();
  await expect(page.getByRole("dialog", { name: "Legacy username and password" })).toBeVisible();
  await expect(page.getByRole("dialog").getByLabel("Password", { exact: true })).toBeVisible();
  await page.keyboard.press("Escape");

  // MFA on a password tenant: switch to auth token, then the consent link is created and copied.
  const mfa = await seedFailed({ method: "PASSWORD", code: "MFA_REQUIRED", message: "MFA required" });
  await openTenant(page, mfa.id);
  await page.getByRole("button", { name: "Fix: switch to auth token and send the consent link" }).click();
  await page.getByRole("dialog").getByRole("button", { name: "Switch and copy consent link" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Consent link copied" })).toBeVisible({ timeout: 20_000 });
  expect((await e2eDb.tenant.findUniqueOrThrow({ where: { id: mfa.id } })).authMethod).toBe("AUTH_TOKEN");
  expect(await page.evaluate(() => navigator.clipboard.readText())).toContain("/consent/");

  // Consent not granted: the Fix copies the consent link (not "open provider settings").
  const consent = await seedFailed({ method: "APP_REGISTRATION", code: "CONSENT_REQUIRED", message: "Admin consent required" });
  await openTenant(page, consent.id);
  await expect(page.getByRole("link", { name: /app registration/i }).filter({ hasText: /^Fix/ })).toHaveCount(0);
  await page.getByRole("button", { name: "Fix: copy consent link" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Consent link copied" }).last()).toBeVisible();
  expect(await e2eDb.consentLink.count({ where: { tenantId: consent.id } })).toBe(1);

  // The MSP app's secret expired: the Fix opens that registration, where a new secret is applied.
  const expired = await seedFailed({ method: "APP_REGISTRATION", code: "SECRET_EXPIRED", message: "Client secret expired" });
  await openTenant(page, expired.id);
  await page.getByRole("link", { name: "Fix: apply a new secret" }).click();
  await expect(page).toHaveURL(/\/settings\/provider\/provider$/);
  await expect(page.getByLabel("Client Secret")).toBeVisible();

  // Nothing the console can change: the Fix downloads the diagnostics for Microsoft support, without secrets.
  const unknown = await seedFailed({ method: "AUTH_TOKEN", code: "UNKNOWN", message: "Unexpected answer from Microsoft" });
  await openTenant(page, unknown.id);
  const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("link", { name: "Fix: download diagnostics" }).click()]);
  expect(download.suggestedFilename()).toMatch(new RegExp(`^diagnostics-${unknown.customerId}-\\d{4}-\\d{2}-\\d{2}\\.json$`));
  const file = JSON.parse(fs.readFileSync((await download.path())!, "utf8"));
  expect(file.tenant.customerId).toBe(unknown.customerId);
  expect(file.lastVerification).toMatchObject({ reasonCode: "UNKNOWN", microsoft: { traceId: "trace-0001", correlationId: "corr-0001", errorCodes: [90000] } });
  expect(JSON.stringify(file)).not.toContain(DEMO.providerSecret);
});
