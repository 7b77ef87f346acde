import { randomUUID } from "node:crypto";
import { expect, test } from "./support/test";
import { createAdmin } from "./support/admins";
import { e2eDb } from "./support/db";
import { signInAndExpectConsole } from "./support/pages";
import { configureProviderApp } from "./support/provider";

// Issue 15 item 6: the registration's secret expiry is read from Graph when it is applied, and "Access
// breaks on" is an absolute date (relative on hover), empty for a broken tenant, never absurd.

const DAY = 86_400_000;
const dateText = (d: Date) => d.toLocaleDateString("en-GB", { day: "numeric", month: "short", year: "numeric", timeZone: "UTC" });

test("the secret's expiry comes from Graph on Apply; Access breaks on is an absolute date only for working tenants", async ({ page }, testInfo) => {
  await signInAndExpectConsole(page, await createAdmin());
  await configureProviderApp(page);
  // The demo provider app may read its own registration: its secret ends on 31 Dec 2099 in Graph.
  await expect(page.getByLabel("Client Secret")).toHaveAccessibleDescription(/A secret is stored \(starts with tac\), expires .*2099/);
  await expect(page.getByRole("cell", { name: /^secret \(expires \d+ Dec 2099, \d\d:\d\d\)$/ })).toBeVisible();
  const registration = await e2eDb.appRegistration.findUniqueOrThrow({ where: { id: "provider" } });
  expect(registration).toMatchObject({ expiryCheck: "read", clientSecretExpiresAt: new Date("2099-12-31T00:00:00Z") });
  await page.screenshot({ path: testInfo.outputPath("provider-expiry.png"), fullPage: true });

  const run = randomUUID().slice(0, 6);
  const soon = new Date(Math.floor((Date.now() + 20 * DAY) / DAY) * DAY + 12 * 3_600_000);
  const seed = async (suffix: string, lastStatus: "VERIFIED" | "FAILED", accessBreaksAt: Date | null, message: string) => {
    const id = randomUUID();
    await e2eDb.tenant.create({
      data: {
        id,
        customerId: `brk-${run}-${suffix}`,
        displayName: `Deadline ${suffix}`,
        adminEmail: `admin@${suffix}.example`,
        authMethod: "APP_REGISTRATION",
        cloud: "CUSTOM",
        lastStatus,
        lastStatusCode: lastStatus === "FAILED" ? "INVALID_SECRET" : "VERIFIED",
        lastStatusMessage: message,
        lastVerifiedAt: new Date(),
        accessBreaksAt,
      },
    });
    return id;
  };
  const working = await seed("a-working", "VERIFIED", soon, "Verified");
  await seed("b-broken", "FAILED", soon, "Invalid client secret");
  await seed("c-never", "VERIFIED", new Date("2099-12-31T00:00:00Z"), "Verified");

  await page.goto(`/tenants?q=brk-${run}`);
  const row = (s: string) => page.getByRole("row").filter({ hasText: `brk-${run}-${s}` });
  await expect(row("a-working")).toContainText(dateText(soon));
  await expect(row("a-working").locator("time").last()).toHaveAttribute("title", /^in (3 weeks|20 days|19 days)/);
  await expect(row("b-broken")).not.toContainText(dateText(soon));
  await expect(row("c-never")).not.toContainText("2099");
  await expect(page.getByText(/in 73 years|years ago/)).toHaveCount(0);
  await page.screenshot({ path: testInfo.outputPath("tenants-access-breaks.png"), fullPage: true });

  await page.goto(`/tenants/${working}`);
  await expect(page.getByText(dateText(soon)).first()).toBeVisible();
  await page.screenshot({ path: testInfo.outputPath("tenant-access-breaks.png"), fullPage: true });
});
